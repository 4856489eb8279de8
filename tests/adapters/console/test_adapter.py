"""The console is a platform adapter like Slack and Discord: listed in the one adapter table,
built from it for console channels, and implementing the one adapter contract."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import get_args

from rich.console import Console

from adapters.console.adapter import ConsoleAdapter
from bot.adapter_contract import Caller, CommandContext, PlatformAdapter, SentMessage
from bot.app.adapters import ADAPTERS, build_adapters
from bot.channels.model import Platform
from bot.delivery.publisher import DeliveryKey
from bot.messages import Message, Post
from config import BotSettings, ChannelConfig


def _no_commands(caller: Caller | None = None) -> CommandContext:
    raise AssertionError("building an adapter runs no command")


def _settings(*channels: ChannelConfig) -> BotSettings:
    return BotSettings(channels=list(channels), data_dir=Path("/nonexistent"))


def test_every_platform_a_channel_can_name_has_an_entry_in_the_adapter_table() -> None:
    assert set(ADAPTERS) == set(get_args(Platform))


async def test_a_console_channel_gets_the_console_adapter_printing_to_the_bot_terminal() -> None:
    screen = io.StringIO()
    channel = ChannelConfig(name="research", platform="console", schedule="0 9 * * *")
    adapters = build_adapters(_settings(channel), _no_commands, Console(file=screen, width=100))

    assert list(adapters) == ["console"]
    adapter: PlatformAdapter = adapters["console"]  # mypy checks the contract is implemented
    assert isinstance(adapter, ConsoleAdapter)
    assert adapter.platform == "console"
    assert adapter.direct is None  # the console has no users to send alerts to
    assert dict(adapter.http_routes) == {}
    await adapter.start()
    sent: list[SentMessage] = []

    async def record(message: SentMessage) -> None:
        sent.append(message)

    post = Post(mode="single", messages=[Message(role="notice", text="hello")])
    key = DeliveryKey(channel="research", day=dt.date(2025, 1, 10))
    await adapter.publisher.publish("research", post, key=key, already_sent=[], record=record)
    await adapter.close()
    await adapter.close()  # safe twice, as the contract says

    assert "#research · 2025-01-10" in screen.getvalue()
    assert "hello" in screen.getvalue()
    assert len(sent) == 1


def test_without_channels_or_tokens_no_adapter_is_built() -> None:
    assert build_adapters(_settings(), _no_commands, Console(file=io.StringIO())) == {}
