"""The whole bot with a Discord channel on the fake Discord API (the `api` fixture of this
folder): settings changed in chat apply at once, the channel rescheduled without a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from rich.console import Console

from bot.app.main import BotApp, build_app
from config import BotSettings, ChannelConfig
from config.settings import DiscordSettings
from tests.fakes.discord_adapter import MANAGE_GUILD, ask
from tests.fakes.discord_api import MEMBER_PERMISSIONS, FakeDiscordAPI

MANAGER = {"permissions": MEMBER_PERMISSIONS | MANAGE_GUILD}


@pytest.fixture
async def running(api: FakeDiscordAPI, tmp_path: Path) -> AsyncIterator[tuple[BotApp, str]]:
    guild = api.add_guild("Papers Club")
    channel = api.add_channel(guild, "daily-papers")
    settings = BotSettings(
        data_dir=tmp_path,
        discord=DiscordSettings(guild_ids=[int(guild)], api_base_url=api.api_base),
        discord_bot_token=SecretStr(api.token),
        # No catch-up: what the real clock says was missed must not post into the test.
        channels=[ChannelConfig(name="lab", platform="discord", target=channel, catch_up_hours=0)],
    )
    app = build_app(settings, Console(file=io.StringIO()))
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(io.StringIO(), stop=stop))
    while app.scheduler is None or not api.guild_commands.get(guild):
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield app, channel
    stop.set()
    assert await task == 0


async def test_a_new_time_set_in_discord_reschedules_the_channel_at_once(
    api: FakeDiscordAPI, running: tuple[BotApp, str]
) -> None:
    app, channel = running
    assert app.scheduler is not None
    before = app.scheduler.next_run("lab")
    assert before is not None
    assert (before.hour, before.minute) == (9, 0)  # the default: 09:00 UTC

    _, changed = await ask(
        api, "digest-config", {"settings": "time 07:30 tz Asia/Seoul"}, channel, **MANAGER
    )
    assert "lab: changed" in changed
    after = app.scheduler.next_run("lab")
    assert after is not None
    local = after.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert (local.hour, local.minute) == (7, 30)

    _, refused = await ask(api, "digest-config", {"settings": "time 06:00"}, channel)
    assert "Only workspace or server admins" in refused
    assert app.scheduler.next_run("lab") == after
