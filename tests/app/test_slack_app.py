"""The whole bot with a Slack channel: scheduled-style post, /healthz, /metrics, HTTP commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
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


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as server:
        yield server


@pytest.fixture
async def running(api: FakeSlackAPI, tmp_path: Path) -> AsyncIterator[tuple[BotApp, str]]:
    settings = BotSettings(
        data_dir=tmp_path,
        http=HttpSettings(enabled=True, host="127.0.0.1", port=0),
        slack=SlackSettings(mode="http", api_base_url=api.base_url),
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


async def test_slash_commands_are_served_on_the_same_http_server(
    running: tuple[BotApp, str], api: FakeSlackAPI
) -> None:
    _, url = running
    body = urlencode(
        {
            "command": "/paper",
            "text": "2501.04519",
            "team_id": "T0FAKETEAM",
            "user_id": "U0HUMAN001",
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
    async with httpx.AsyncClient(base_url=url) as http:
        answer = await http.post("/slack/events", content=body, headers=headers)
        unknown = await http.get("/nothing-here")
    assert answer.status_code == 200
    assert "rStar-Math" in answer.text
    assert unknown.status_code == 404
