"""A Discord adapter connected to the fake API with a running bot's services, for command tests."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

import discord
from pydantic import SecretStr

from adapters.discord.adapter import DiscordAdapter
from bot.alerts import AlertStore
from bot.archive import Archive
from bot.channel_settings import ChannelRegistry
from bot.command_context import BotServices, Caller, CommandContext
from bot.delivery.ledger import DeliveryLedger
from bot.sources.health import SourceHealth
from config import BotSettings, ChannelConfig
from config.settings import DiscordSettings
from tests.fakes.discord_api import FakeDiscordAPI

TODAY = dt.date(2025, 1, 10)


def bot_services(
    archive: Archive, channels: Sequence[ChannelConfig] = (), alerts: AlertStore | None = None
) -> BotServices:
    engine = archive.engine
    return BotServices(
        channels=ChannelRegistry(channels, engine),
        ledger=DeliveryLedger(engine, "host:1"),
        health=SourceHealth("a folder of digests", started_at=dt.datetime.now(dt.UTC)),
        alerts=alerts,
    )


@contextlib.asynccontextmanager
async def running_adapter(
    api: FakeDiscordAPI,
    archive: Archive,
    services: BotServices,
    guild: str,
    admin_roles: Sequence[int] = (),
    other_guilds: Sequence[str] = (),
) -> AsyncIterator[DiscordAdapter]:
    """The adapter logged in, on the gateway, its commands synced to `guild` (and the others)."""

    def context(caller: Caller | None = None) -> CommandContext:
        return CommandContext(archive, TODAY, caller=caller, services=services)

    settings = BotSettings(
        discord=DiscordSettings(
            guild_ids=[int(g) for g in (guild, *other_guilds)],
            api_base_url=api.api_base,
            admin_roles=list(admin_roles),
        ),
        discord_bot_token=SecretStr(api.token),
    )

    def client(**options: Any) -> discord.Client:
        return discord.Client(guild_ready_timeout=0.05, **options)

    adapter = DiscordAdapter(settings, context, client_factory=client)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.close()
