"""Who is an admin in Slack, from users.info and the admin user groups, and how long it is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.slack.client import make_web_client
from adapters.slack.permissions import SlackAdmins
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import FAKE_BOT_TOKEN, FakeSlackAPI

ADMIN, MEMBER, GROUPIE = "U0ADMIN0001", "U0MEMBER001", "U0GROUP0001"


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    users = {ADMIN: "ada", MEMBER: "max", GROUPIE: "gus"}
    async with FakeSlackAPI(
        users=users, admins=[ADMIN], usergroups={"S0DIGEST01": [GROUPIE]}
    ) as server:
        yield server


def admins(api: FakeSlackAPI, clock: ManualClock) -> SlackAdmins:
    client = make_web_client(FAKE_BOT_TOKEN, api.base_url)
    return SlackAdmins(client, ["S0DIGEST01"], clock=clock.monotonic)


async def test_admins_and_group_members_are_admins_and_kept_for_minutes(
    api: FakeSlackAPI,
) -> None:
    clock = ManualClock()
    check = admins(api, clock)
    assert await check.is_admin(ADMIN)
    assert await check.is_admin(GROUPIE)
    asked = len(api.calls_to("users.info"))
    clock.advance(299)
    assert await check.is_admin(ADMIN)
    assert len(api.calls_to("users.info")) == asked  # from the cache
    api.admins.discard(ADMIN)
    clock.advance(2)  # five minutes on, Slack is asked again
    assert not await check.is_admin(ADMIN)


async def test_someone_just_made_an_admin_waits_half_a_minute_at_most(api: FakeSlackAPI) -> None:
    clock = ManualClock()
    check = admins(api, clock)
    assert not await check.is_admin(MEMBER)
    api.admins.add(MEMBER)
    clock.advance(10)
    assert not await check.is_admin(MEMBER)  # the refusal, kept for a moment
    clock.advance(21)
    assert await check.is_admin(MEMBER)


async def test_a_check_slack_could_not_answer_is_not_kept(api: FakeSlackAPI) -> None:
    clock = ManualClock()
    check = admins(api, clock)
    api.fail_next("users.info", status=200, error="missing_scope")
    assert not await check.is_admin(ADMIN)  # refusing is the safe answer
    assert await check.is_admin(ADMIN)  # and the next command asks again at once
