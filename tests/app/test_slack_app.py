"""The whole bot with a Slack channel: scheduled-style post, /healthz, /metrics, HTTP commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr
from rich.console import Console
from slack_sdk.signature import SignatureVerifier

from bot.app.main import BotApp
from config import BotSettings, ChannelConfig
from config.settings import HttpSettings, SlackSettings
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

SECRET = "a-signing-secret-for-tests"


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
    settings = BotSettings(
        data_dir=tmp_path,
        http=HttpSettings(enabled=True, host="127.0.0.1", port=0),
        slack=SlackSettings(mode="http", api_base_url=api.base_url, admin_groups=["S0DIGEST01"]),
        slack_bot_token=SecretStr(FAKE_BOT_TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        channels=[
            ChannelConfig(name="team", platform="slack", target=DEFAULT_CHANNEL, top_n=3),
        ],
    )
    app = BotApp(settings, Console(file=io.StringIO()))
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(io.StringIO(), stop=stop))
    while app.scheduler is None or app.web is None:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield app, f"http://127.0.0.1:{app.web.port}"
    stop.set()
    assert await task == 0


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


async def slash(
    http: httpx.AsyncClient, api: FakeSlackAPI, command: str, text: str, user: str = "U0HUMAN001"
) -> httpx.Response:
    """A slash command as Slack sends it: a signed form post to /slack/events."""
    body = urlencode(
        {
            "command": command,
            "text": text,
            "team_id": "T0FAKETEAM",
            "user_id": user,
            "channel_id": DEFAULT_CHANNEL,
            "response_url": api.response_url("r1"),
            "trigger_id": "t1",
        }
    )
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(
            SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        ),
    }
    return await http.post("/slack/events", content=body, headers=headers)


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
