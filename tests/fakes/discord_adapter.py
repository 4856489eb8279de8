"""A Discord adapter connected to the fake API with a running bot's services, for command tests.

`ask` sends it a slash command the way Discord does and reads back what the member sees.
"""

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
from bot.channels import ChannelRegistry
from bot.commands import BotServices, Caller, CommandContext
from bot.delivery.ledger import DeliveryLedger
from bot.sources.health import SourceHealth
from config import BotSettings, ChannelConfig
from config.settings import DiscordSettings
from tests.fakes.discord_api import FakeDiscordAPI

TODAY = dt.date(2025, 1, 10)
MANAGE_GUILD = 1 << 5  # the permission bit that makes a member a digest admin


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


async def ask(
    api: FakeDiscordAPI, name: str, options: dict[str, str], channel: str, **who: Any
) -> tuple[dict[str, Any], str]:
    """Run slash command `name` as Discord sends it; its final answer, and all it shows as text."""
    asked = await api.dispatch_interaction(name, options, channel_id=channel, **who)
    answer = await api.final_answer(asked)
    embeds = answer.get("embeds") or []
    shown = [answer.get("content") or ""]
    for embed in embeds:
        shown += [embed.get("title") or "", embed.get("description") or ""]
        shown += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        shown.append((embed.get("footer") or {}).get("text") or "")
    return answer, "\n".join(shown).replace("\\", "")  # Markdown escapes, e.g. top\\_n
