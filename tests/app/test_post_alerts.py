"""`digest-bot post` tells the keyword alerts as a scheduled run does: one DM per user and day."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.alerts import AlertStore
from bot.archive import Archive
from bot.cli import main
from config import load_settings
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

READER, QUIET = "U0READER01", "U0QUIET001"
DAY = dt.date(2025, 1, 9)


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(users={READER: "rea", QUIET: "qui"}) as server:
        yield server


def write_config(tmp_path: Path, api: FakeSlackAPI) -> Path:
    path = tmp_path / "digest-bot.toml"
    path.write_text(
        f"""
data_dir = "{tmp_path / "data"}"

[slack]
mode = "http"
api_base_url = "{api.base_url}"

[[channels]]
name = "team"
platform = "slack"
target = "{DEFAULT_CHANNEL}"
top_n = 3
"""
    )
    return path


def direct_channels(api: FakeSlackAPI, user: str) -> list[str]:
    return [c.id for c in api.channels.values() if c.is_im and c.users == (user,)]


async def test_post_sends_one_alert_dm_per_user_for_the_delivered_day(
    tmp_path: Path, api: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", FAKE_BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "a-signing-secret-for-tests")
    config = write_config(tmp_path, api)
    database = load_settings(config).resolved_database_url
    AlertStore(Archive.from_url(database).engine).add("slack", READER, "math reasoning")
    post = ["post", "--config", str(config), "--date", DAY.isoformat()]

    assert await asyncio.to_thread(main, post) == 0
    assert api.messages(DEFAULT_CHANNEL)  # the day was delivered to the channel
    (dm,) = direct_channels(api, READER)
    (message,) = api.messages(dm)
    assert "rStar-Math" in str(message.blocks)
    assert direct_channels(api, QUIET) == []  # no alert, no DM

    # Posting the day again delivers nothing new, and sends no second DM.
    assert await asyncio.to_thread(main, post) == 0
    assert len(api.messages(dm)) == 1
