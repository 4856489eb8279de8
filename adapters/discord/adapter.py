"""The Discord side of the running bot: the publisher, and a gateway connection for commands.

With DISCORD_BOT_TOKEN the bot logs in, connects to the gateway in a background task and
registers its application commands; without it only webhook channels are served and nothing
connects. A token Discord refuses becomes a `ConfigError` naming the variable, never the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import aiohttp
import discord
from discord import app_commands

from adapters.discord.commands import add_commands, sync_commands
from adapters.discord.direct import DiscordDirectMessenger
from adapters.discord.pacing import GlobalPacer
from adapters.discord.publisher import DiscordPublisher
from bot.alerts import DirectMessenger
from bot.app.platform import ASGIApp, ContextFactory
from bot.errors import ConfigError
from config import BotSettings
from config.settings import DiscordSettings

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://discord.com/api/v10"
READY_SECONDS = 60.0
LOGIN_REFUSED = (
    "DISCORD_BOT_TOKEN: Discord refused the token; copy it again from the Developer Portal "
    "(your application → Bot → Reset Token)"
)


def use_api_base(url: str) -> str:
    """Send discord.py's REST calls (bot, webhooks, interactions) to `url`; returns the old base.

    A class attribute every request URL starts with: how tests and self-hosted proxies work.
    """
    previous = discord.http.Route.BASE
    discord.http.Route.BASE = url.rstrip("/")
    return previous


def make_client(settings: DiscordSettings, **options: Any) -> discord.Client:
    """The gateway client `[discord] shards` asks for.

    "auto" lets Discord's recommended shard count decide (required from 2,500 guilds on, one
    shard below that); a fixed count above one shards that many ways; 1 is a plain client.
    """
    if settings.shards == "auto":
        return discord.AutoShardedClient(**options)
    if settings.shards > 1:
        return discord.AutoShardedClient(shard_count=settings.shards, **options)
    return discord.Client(**options)


class DiscordAdapter:
    """Discord for the running bot: `publisher` posts digests, `start` serves slash commands.

    `client_factory` makes the client from its options (`intents`, `http_trace`); by default
    `make_client` with the `[discord]` settings.
    """

    platform = "discord"

    def __init__(
        self,
        settings: BotSettings,
        context: ContextFactory,
        *,
        client_factory: Callable[..., discord.Client] | None = None,
    ) -> None:
        self.settings = settings
        self.context = context
        self.client_factory = client_factory or partial(make_client, settings.discord)
        self.pacer = GlobalPacer(settings.discord.requests_per_second)
        channels = {c.name: c for c in settings.channels if c.platform == "discord"}
        self.publisher = DiscordPublisher(channels=channels)
        # Keyword alerts go out as DMs through the gateway client: only with a bot token.
        self._direct = DiscordDirectMessenger() if settings.discord_bot_token else None
        self.direct: DirectMessenger | None = self._direct
        self.http_routes: Mapping[str, ASGIApp] = {}  # the gateway needs no HTTP endpoint
        self.client: discord.Client | None = None
        self.tree: app_commands.CommandTree[discord.Client] | None = None
        self._connection: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._previous_base: str | None = None

    async def start(self) -> None:
        base = self.settings.discord.api_base_url.rstrip("/")
        if base != DEFAULT_API_BASE and self._previous_base is None:
            self._previous_base = use_api_base(base)
        if self._session is None:  # webhooks post through it, with or without a bot token
            self._session = self.publisher.session = aiohttp.ClientSession()
        token = self.settings.discord_bot_token
        if token is None or self.client is not None:
            return
        intents = discord.Intents.none()
        intents.guilds = True  # channels and threads by id; no privileged intent is needed
        client = self.client = self.client_factory(
            intents=intents, http_trace=self.pacer.trace_config()
        )
        self.tree = app_commands.CommandTree(client)
        guild_ids = self.settings.discord.guild_ids
        add_commands(self.tree, self.context, guild_ids, self.settings.discord.admin_roles)
        try:
            await client.login(token.get_secret_value())
        except discord.LoginFailure:
            await self.close()
            raise ConfigError([LOGIN_REFUSED]) from None
        self.publisher.http = client.http
        if self._direct is not None:
            self._direct.client = client
        self._connection = asyncio.create_task(client.connect(), name="discord-gateway")
        await sync_commands(self.tree, guild_ids)
        await self._wait_until_ready(client, self._connection)
        where = f"guilds {guild_ids}" if guild_ids else "all guilds"
        log.info("discord: connected as %s; slash commands live in %s", client.user, where)

    async def _wait_until_ready(
        self, client: discord.Client, connection: asyncio.Task[None]
    ) -> None:
        """Return on READY; raise if the gateway connection ends (or never gets there) first."""
        ready = asyncio.ensure_future(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, connection}, timeout=READY_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            return
        ready.cancel()
        error = connection.exception() if connection in done else None
        await self.close()
        if isinstance(error, discord.ConnectionClosed) and error.code == 4004:
            raise ConfigError([LOGIN_REFUSED])
        reason = type(error).__name__ if error else f"no READY within {READY_SECONDS:.0f} s"
        raise ConfigError([f"discord: cannot connect to the Discord gateway ({reason})"])

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.close()
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # it ends once the client is closed
                await connection
        self.publisher.http = None
        if self._direct is not None:
            self._direct.client = None
        session, self._session = self._session, None
        if session is not None:
            self.publisher.session = None
            await session.close()
        if self._previous_base is not None:
            discord.http.Route.BASE, self._previous_base = self._previous_base, None
