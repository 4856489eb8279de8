"""The whole bot with a Slack channel on the fake Slack API; slash commands as Slack sends them."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr
from rich.console import Console
from slack_sdk.signature import SignatureVerifier

from bot.app.main import BotApp, build_app
from config import BotSettings, ChannelConfig
from config.settings import HttpSettings, SlackSettings
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

SECRET = "a-signing-secret-for-tests"


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeSlackAPI, data_dir: Path, **slack: Any
) -> AsyncIterator[tuple[BotApp, str]]:
    """`digest-bot run` in HTTP mode with channel "team" (top 3): the app and its base URL."""
    settings = BotSettings(
        data_dir=data_dir,
        http=HttpSettings(enabled=True, host="127.0.0.1", port=0),
        slack=SlackSettings(mode="http", api_base_url=api.base_url, **slack),
        slack_bot_token=SecretStr(FAKE_BOT_TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        channels=[
            # No catch-up: what the real clock says was missed must not post into the tests.
            ChannelConfig(
                name="team", platform="slack", target=DEFAULT_CHANNEL, top_n=3, catch_up_hours=0
            ),
        ],
    )
    app = build_app(settings, Console(file=io.StringIO()))
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(io.StringIO(), stop=stop))
    while app.scheduler is None or app.web is None:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield app, f"http://127.0.0.1:{app.web.port}"
    stop.set()
    assert await task == 0


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
