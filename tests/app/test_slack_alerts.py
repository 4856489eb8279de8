"""Keyword alerts through the whole bot and the fake Slack API: slash command in, one DM out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app.main import BotApp
from tests.fakes.slack_api import DEFAULT_CHANNEL, FakeSlackAPI
from tests.fakes.slack_bot import running_bot, slash

READER, QUIET = "U0READER01", "U0QUIET001"
DAY = dt.date(2025, 1, 9)


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(users={READER: "rea", QUIET: "qui"}) as server:
        yield server


@pytest.fixture
async def running(api: FakeSlackAPI, tmp_path: Path) -> AsyncIterator[tuple[BotApp, str]]:
    async with running_bot(api, tmp_path) as bot:
        yield bot


async def alert(http: httpx.AsyncClient, api: FakeSlackAPI, text: str, user: str) -> str:
    """`/paper-alert <text>`: the private answer, as JSON text."""
    answer = await slash(http, api, "/paper-alert", text, user)
    assert answer.status_code == 200
    assert answer.json()["response_type"] == "ephemeral"
    return json.dumps(answer.json(), ensure_ascii=False)


def direct_channels(api: FakeSlackAPI, user: str) -> list[str]:
    return [c.id for c in api.channels.values() if c.is_im and c.users == (user,)]


async def test_a_user_adds_an_alert_and_gets_one_dm_for_the_day(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    app, url = running
    async with httpx.AsyncClient(base_url=url) as http:
        added = await alert(http, api, "add math reasoning", READER)
        listed = await alert(http, api, "list", READER)
    assert "Alert added: math reasoning" in added
    assert "Your paper alerts (1 of 20)" in listed
    assert "Share in channel" not in added + listed  # about the caller: not for sharing
    assert api.calls_to("users.info") == []  # no admin check for a member's own alerts
    assert api.channels.keys() == {DEFAULT_CHANNEL}  # nothing sent to anybody yet

    channel = app.runner.channels.get("team")
    assert await app.runner.post(channel, DAY) == "delivered"

    (dm,) = direct_channels(api, READER)
    assert dm.startswith("D")
    (message,) = api.messages(dm)
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "Paper alert" in shown
    assert "rStar-Math" in shown
    assert "math reasoning" in shown  # which alert found them
    assert message.params.get("unfurl_links") is False
    assert direct_channels(api, QUIET) == []  # no alert, no DM

    # The same day again: delivered again (skipped), told again (a second channel, a live
    # update): still one DM.
    assert await app.runner.post(channel, DAY) == "skipped"
    digest = app.archive.get_digest(DAY)
    assert digest is not None
    await app.runner.tell_listeners(digest)
    assert len(api.messages(dm)) == 1
    assert [c.params.get("users") for c in api.calls_to("conversations.open")] == [READER]


async def test_a_failed_dm_is_sent_on_the_next_delivery(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    app, url = running
    async with httpx.AsyncClient(base_url=url) as http:
        await alert(http, api, "add agents", READER)
    api.fail_next("conversations.open", status=200, error="user_not_visible")
    digest = app.archive.get_digest(DAY)
    assert digest is not None
    await app.runner.tell_listeners(digest)
    assert direct_channels(api, READER) == []

    await app.runner.tell_listeners(digest)
    (dm,) = direct_channels(api, READER)
    assert len(api.messages(dm)) == 1
