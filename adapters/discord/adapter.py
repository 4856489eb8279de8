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
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import add_commands, sync_commands
from adapters.discord.direct import DiscordDirectMessenger
from adapters.discord.pacing import GlobalPacer
from adapters.discord.publisher import DiscordPublisher
from bot.adapter_contract import ASGIApp, ContextFactory
from bot.alerts import DirectMessenger
from bot.errors import ConfigError, PlatformUnavailable
from config import BotSettings
from config.settings import DiscordSettings

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://discord.com/api/v10"
READY_SECONDS = 60.0
_FIX_HINT = (
    "check DISCORD_BOT_TOKEN (copy it again from the Developer Portal: your application → Bot → "
    "Reset Token)"
)
# Failures that a later attempt may not meet: Discord down or unreachable from here.
_TRANSIENT = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)


def _why(error: BaseException) -> str:
    """A failure in a few words, never its text (aiohttp's may quote a URL)."""
    if isinstance(error, discord.HTTPException):
        return f"HTTP {error.status}"
    return type(error).__name__


class OneLineReconnects(logging.Filter):
    """discord.py logs each failed gateway attempt with a traceback; one line says as much.

    It keeps the last attempt's cause: after a failed reconnect a fixed-shard client can end
    with an AttributeError of its own, which says nothing about why the gateway was not reached.
    """

    last_cause: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            self.last_cause = _why(record.exc_info[1])
            record.msg = f"{record.getMessage()} ({self.last_cause})"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


_ONE_LINE = OneLineReconnects()


def use_api_base(url: str) -> str:
    """Send discord.py's REST calls (bot, webhooks, interactions) to `url`; returns the old base.

    A class attribute every request URL starts with: how tests and self-hosted proxies work.
    """
    previous = discord.http.Route.BASE
    discord.http.Route.BASE = url.rstrip("/")
    return previous


# The bot never joins voice: discord.py's warnings about missing voice libraries are noise.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


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
        ready_seconds: float = READY_SECONDS,
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
        self._previous_gateway: yarl.URL | None = None
        self.ready_seconds = ready_seconds

    async def start(self) -> None:
        base = self.settings.discord.api_base_url.rstrip("/")
        if base != DEFAULT_API_BASE and self._previous_base is None:
            self._previous_base = use_api_base(base)
        if self._session is None:  # webhooks post through it, with or without a bot token
            self._session = self.publisher.session = aiohttp.ClientSession()
        token = self.settings.discord_bot_token
        if token is None or self.client is not None:
            return
        for name in ("discord.client", "discord.shard"):
            if _ONE_LINE not in logging.getLogger(name).filters:
                logging.getLogger(name).addFilter(_ONE_LINE)
        try:
            await self._connect(token.get_secret_value())
        except BaseException:
            # The bot's side only: webhook channels keep their session and go on.
            await self._disconnect()
            raise

    async def _connect(self, token: str) -> None:
        _ONE_LINE.last_cause = None
        intents = discord.Intents.none()
        intents.guilds = True  # channels and threads by id; no privileged intent is needed
        client = self.client = self.client_factory(
            intents=intents, http_trace=self.pacer.trace_config()
        )
        self.tree = app_commands.CommandTree(client)
        guild_ids = self.settings.discord.guild_ids
        add_commands(self.tree, self.context, guild_ids, self.settings.discord.admin_roles)
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise ConfigError([f"Discord login refused (401): {_FIX_HINT}"]) from None
        except _TRANSIENT as error:
            raise PlatformUnavailable(
                f"cannot log in to Discord ({_why(error)}): Discord is down or unreachable "
                "(check the network and [discord] api_base_url)"
            ) from None
        try:
            # Whatever the shard setting, the gateway is the one the configured API names:
            # discord.py would dial gateway.discord.gg unless it asks for the shard count.
            _, gateway, _ = await client.http.get_bot_gateway()
        except (discord.GatewayNotFound, *_TRANSIENT) as error:
            raise PlatformUnavailable(
                f"cannot ask the Discord API for its gateway ({_why(error)})"
            ) from None
        if self._previous_gateway is None:
            self._previous_gateway = DiscordWebSocket.DEFAULT_GATEWAY
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        self.publisher.http = client.http
        if self._direct is not None:
            self._direct.client = client
        self._connection = asyncio.create_task(client.connect(), name="discord-gateway")
        try:
            await sync_commands(self.tree, guild_ids)
        except _TRANSIENT as error:
            raise PlatformUnavailable(
                f"cannot register the slash commands with Discord ({_why(error)})"
            ) from None
        await self._wait_until_ready(client, self._connection)
        where = f"guilds {guild_ids}" if guild_ids else "all guilds"
        log.info("discord: connected as %s; slash commands live in %s", client.user, where)

    async def _wait_until_ready(
        self, client: discord.Client, connection: asyncio.Task[None]
    ) -> None:
        """Return on READY; raise if the gateway connection ends (or never gets there) first."""
        ready = asyncio.ensure_future(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, connection}, timeout=self.ready_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            return
        ready.cancel()
        error = connection.exception() if connection in done else None
        if isinstance(error, discord.ConnectionClosed) and error.code == 4004:
            raise ConfigError([f"Discord login refused (gateway 4004): {_FIX_HINT}"])
        if error is not None and not isinstance(error, _TRANSIENT) and _ONE_LINE.last_cause:
            reason = _ONE_LINE.last_cause  # discord.py's own follow-up error hides the cause
        elif error is not None:
            reason = _why(error)
        else:
            reason = f"no READY within {self.ready_seconds:g} s"
        raise PlatformUnavailable(
            f"cannot connect to the Discord gateway ({reason}): check the network"
        )

    async def _disconnect(self) -> None:
        """Log the bot out and end its gateway connection, however far it got."""
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()
        connection, self._connection = self._connection, None
        if connection is not None:
            # Cancelled, not awaited: discord.py retries a shard's connection forever, even
            # after the client is closed.
            connection.cancel()
            with contextlib.suppress(BaseException):
                await connection
        self.publisher.http = None
        if self._direct is not None:
            self._direct.client = None

    async def close(self) -> None:
        await self._disconnect()
        session, self._session = self._session, None
        if session is not None:
            self.publisher.session = None
            await session.close()
        if self._previous_base is not None:
            discord.http.Route.BASE, self._previous_base = self._previous_base, None
        if self._previous_gateway is not None:
            DiscordWebSocket.DEFAULT_GATEWAY, self._previous_gateway = self._previous_gateway, None
