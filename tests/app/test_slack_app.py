"""The whole bot with a Slack channel: scheduled-style post, /healthz, /metrics, HTTP commands."""

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

ADMIN, MEMBER, GROUPIE = "U0ADMIN0001", "U0MEMBER001", "U0GROUP0001"


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    users = {ADMIN: "ada", MEMBER: "max", GROUPIE: "gus", "U0HUMAN001": "hum"}
    async with FakeSlackAPI(
        users=users, admins=[ADMIN], usergroups={"S0DIGEST01": [GROUPIE]}
    ) as server:
        yield server


@pytest.fixture
async def running(api: FakeSlackAPI, tmp_path: Path) -> AsyncIterator[tuple[BotApp, str]]:
    async with running_bot(api, tmp_path, admin_groups=["S0DIGEST01"]) as bot:
        yield bot


async def test_the_bot_posts_once_and_reports_it(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    app, url = running
    channel = app.settings.channel("team")
    assert await app.runner.post(channel, dt.date(2025, 1, 9)) == "delivered"
    assert await app.runner.post(channel, dt.date(2025, 1, 9)) == "skipped"
    header, *replies = api.messages(DEFAULT_CHANNEL)
    assert len(replies) == 3  # top_n
    assert {m.thread_ts for m in replies} == {header.ts}

    async with httpx.AsyncClient(base_url=url) as http:
        health = await http.get("/healthz")
        metrics = await http.get("/metrics")
    assert health.status_code == 200
    assert health.json()["scheduler"] == "running"
    assert health.json()["channels"]["team"] == {"date": "2025-01-09", "state": "done"}
    assert 'digest_bot_deliveries_total{channel="team",outcome="delivered",platform="slack"}' in (
        metrics.text
    )


async def test_slash_commands_are_served_on_the_same_http_server(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    _, url = running
    async with httpx.AsyncClient(base_url=url) as http:
        answer = await slash(http, api, "/paper", "2501.04519")
        unknown = await http.get("/nothing-here")
    assert answer.status_code == 200
    assert "rStar-Math" in answer.text
    assert unknown.status_code == 404


async def test_admins_see_status_and_change_settings_live_others_are_refused(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    app, url = running
    assert await app.runner.post(app.runner.channels.get("team"), dt.date(2025, 1, 9))
    async with httpx.AsyncClient(base_url=url) as http:
        status = await slash(http, api, "/digest-status", "", user=ADMIN)
        refused = await slash(http, api, "/digest-config", "top 1", user=MEMBER)
        changed = await slash(http, api, "/digest-config", "time 07:30 tz Asia/Seoul", user=GROUPIE)

    assert status.json()["response_type"] == "ephemeral"
    shown = [json.dumps(answer.json(), ensure_ascii=False) for answer in (status, refused, changed)]
    assert "Digest status — team" in shown[0]
    assert "2025-01-09, 3 papers, posted" in shown[0]
    assert "Next run" in shown[0]
    assert "Share in channel" not in shown[0]
    assert "Only workspace or server admins" in shown[1]
    assert "changed schedule = 30 7 * * *, timezone = Asia/Seoul" in shown[2]
    # Slack's own data decided: users.info for each caller, the user group for the member of it.
    asked = {call.params.get("user") for call in api.calls_to("users.info")}
    assert {ADMIN, MEMBER, GROUPIE} <= asked
    assert api.calls_to("usergroups.users.list")
    # Live without a restart: the scheduler moved the channel's job to the new time.
    assert app.scheduler is not None
    next_run = app.scheduler.next_run("team")
    assert next_run is not None
    local = next_run.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert (local.hour, local.minute) == (7, 30)
    assert app.runner.channels.get("team").timezone == "Asia/Seoul"


async def test_a_weekly_post_turned_on_and_off_in_chat_is_scheduled_at_once(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    app, url = running
    assert app.scheduler is not None
    assert app.scheduler.next_run("team#weekly") is None
    async with httpx.AsyncClient(base_url=url) as http:
        on = await slash(http, api, "/digest-config", "weekly fri 17:00 weekly-top 5", user=ADMIN)
        assert "weekly_schedule = 0 17 * * fri" in json.dumps(on.json(), ensure_ascii=False)
        weekly = app.scheduler.next_run("team#weekly")
        assert weekly is not None
        assert (weekly.weekday(), weekly.hour, weekly.minute) == (4, 17, 0)  # Friday, UTC
        await slash(http, api, "/digest-config", "weekly off", user=ADMIN)
    assert app.scheduler.next_run("team#weekly") is None


async def test_the_weekly_post_reaches_slack_once(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    app, _ = running
    team = app.runner.channels.get("team").model_copy(
        update={"weekly_schedule": "0 9 * * mon", "weekly_top": 3}
    )
    monday = dt.datetime(2025, 1, 13, 9, 0, tzinfo=dt.UTC)
    assert await app.runner.run_weekly(team, monday) == "delivered"
    assert await app.runner.run_weekly(team, monday) == "skipped"  # once per week
    (post,) = api.messages(DEFAULT_CHANNEL)
    shown = json.dumps(post.blocks, ensure_ascii=False)
    assert "Top 3 of the week — 2025-01-06 … 2025-01-12" in post.text + shown
    assert "rStar-Math" in shown  # the week's most-voted (102) of the sample
    assert post.replies == []
