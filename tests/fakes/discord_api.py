"""A local fake of the Discord API (REST + a minimal gateway); discord.py 2.x runs against it as is.

How discord.py is pointed here (``point_discord_py_at`` does both and restores them):

* REST: every request URL is ``discord.http.Route.BASE + path``. ``discord.Webhook`` and
  interaction responses build their URLs from the same ``Route``, so one class attribute
  redirects bots, webhooks and interaction callbacks alike.
* Gateway: ``discord.Client.connect`` never asks ``GET /gateway/bot``; it dials the class
  attribute ``DiscordWebSocket.DEFAULT_GATEWAY`` (only ``AutoShardedClient`` asks
  ``/gateway/bot`` and uses its ``url``). Both lead to ``ws://127.0.0.1:PORT/gateway``, and so
  does READY's ``resume_gateway_url``.
* discord.py asks for ``compress=zlib-stream`` (``zstd-stream`` only when the optional
  ``zstandard`` package is installed, which this fake refuses with a 400 naming the reason): all
  frames of a connection form one zlib stream and every message ends with a Z_SYNC_FLUSH, as
  Discord sends them.
* ``discord.Webhook.from_url`` accepts only ``https://discord.com/api/webhooks/ID/TOKEN``; it
  takes the id and token from it and sends to ``Route.BASE``, so ``webhook_url`` returns such a URL.
* Every 429 carries a ``Via`` header: discord.py reads a 429 without one as a Cloudflare ban and
  raises instead of retrying.

Attachments in multipart bodies are accepted but not stored (only ``payload_json`` is read).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import math
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Literal, Self

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web
from discord.gateway import DiscordWebSocket

JSON = dict[str, Any]
Endpoint = Callable[[web.Request, Any], Awaitable[Any]]

API_PREFIX = "/api/v10"
FAKE_BOT_TOKEN = "fake-bot-token"
_DISCORD_EPOCH_MS = 1_420_070_400_000
_FIRST_ID_MS = 1_735_689_600_000  # 2025-01-01, so ids look like real 19-digit snowflakes
EPHEMERAL = 1 << 6
_LOADING = 1 << 7
_HAS_THREAD = 1 << 5
_TEXT, _PUBLIC_THREAD, _FORUM = 0, 11, 15
_DM = 1
_GUILDS_INTENT = 1 << 0
# What the digest bot asks for: view channel, send messages, embed links, read history,
# create public threads, send messages in threads.
BOT_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38)
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)  # view, send, use application commands


class DiscordError(Exception):
    """An error answer in Discord's shape: ``{"message", "code"[, "errors"]}``."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return _json_response(body, status=self.status)


@dataclass(frozen=True)
class RateLimitPolicy:
    """Discord's limits by default: 5 messages / 5 s per channel, 50 requests / s per bot token."""

    channel_messages: int = 5
    channel_window: float = 5.0
    webhook_messages: int = 5
    webhook_window: float = 2.0
    route_requests: int = 50
    route_window: float = 1.0
    global_requests: int = 50
    global_window: float = 1.0


@dataclass
class _Window:
    """A Discord bucket: ``limit`` requests per window; opened by the next request."""

    limit: int
    period: float
    reset_at: float = -math.inf
    used: int = 0

    def take(self, now: float) -> bool:
        if now >= self.reset_at:
            self.reset_at, self.used = now + self.period, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def headers(self, now: float, bucket: str) -> dict[str, str]:
        # Rounded up to the millisecond: a client sleeping this long must find the window reset.
        reset_after = math.ceil(max(self.reset_at - now, 0.0) * 1000) / 1000
        return {
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - self.used, 0)),
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        }


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: float
    applied: bool


@dataclass
class FakeWebhook:
    id: str
    token: str
    channel_id: str
    name: str

    @property
    def url(self) -> str:
        return f"https://discord.com/api/webhooks/{self.id}/{self.token}"


@dataclass
class FakeInteraction:
    """One injected INTERACTION_CREATE and everything the bot answered to it."""

    id: str
    token: str
    payload: JSON
    callbacks: list[JSON] = field(default_factory=list)
    original: JSON | None = None
    followups: list[JSON] = field(default_factory=list)

    @property
    def response_type(self) -> int | None:
        return int(self.callbacks[0]["type"]) if self.callbacks else None


@dataclass(frozen=True)
class RecordedRequest:
    route: str
    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    status: int


@dataclass
class _GatewaySession:
    ws: web.WebSocketResponse
    compressor: Any  # zlib.compressobj() or None; zlib's type is private
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    identified: bool = False
    session_id: str = ""
    shard: tuple[int, int] = (0, 1)
    seq: int = 0

    async def send(self, payload: JSON) -> None:
        text = json.dumps(payload)
        # One lock per connection: interleaved compress/send would corrupt the shared zlib stream.
        async with self.lock:
            if self.compressor is None:
                await self.ws.send_str(text)
            else:
                frame = self.compressor.compress(text.encode()) + self.compressor.flush(
                    zlib.Z_SYNC_FLUSH
                )
                await self.ws.send_bytes(frame)


def _json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    # Exactly "application/json", no charset: discord.py compares the header verbatim and would
    # otherwise hand the body around as a string.
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(body).encode(), status=status, headers=all_headers)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _bucket_hash(route: str) -> str:
    return hashlib.blake2s(route.encode(), digest_size=16).hexdigest()


def _form_error(errors: JSON, path: Sequence[str], code: str, message: str) -> None:
    node = errors
    for part in path:
        node = node.setdefault(part, {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def _check_length(errors: JSON, path: Sequence[str], value: Any, limit: int) -> int:
    text = value if isinstance(value, str) else ""
    if len(text) > limit:
        message = f"Must be {limit} or fewer in length."
        _form_error(errors, path, "BASE_TYPE_MAX_LENGTH", message)
    return len(text)


def _check_message(body: JSON, *, allow_empty: bool = False) -> None:
    """Discord's message limits, so a formatter bug fails here as it would in production."""
    errors: JSON = {}
    content = body.get("content") or ""
    embeds = body.get("embeds") or []
    _check_length(errors, ["content"], content, 2000)
    if len(embeds) > 10:
        _form_error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        at = ["embeds", str(index)]
        total += _check_length(errors, [*at, "title"], embed.get("title"), 256)
        total += _check_length(errors, [*at, "description"], embed.get("description"), 4096)
        total += _check_length(
            errors, [*at, "footer", "text"], (embed.get("footer") or {}).get("text"), 2048
        )
        total += _check_length(
            errors, [*at, "author", "name"], (embed.get("author") or {}).get("name"), 256
        )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            _form_error(
                errors, [*at, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for number, item in enumerate(fields):
            total += _check_length(
                errors, [*at, "fields", str(number), "name"], item.get("name"), 256
            )
            total += _check_length(
                errors, [*at, "fields", str(number), "value"], item.get("value"), 1024
            )
    if total > 6000:
        _form_error(
            errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    nonce = body.get("nonce")
    if nonce is not None and len(str(nonce)) > 25:
        _form_error(errors, ["nonce"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    if errors:
        raise DiscordError(400, 50035, "Invalid Form Body", errors)
    if not allow_empty and not (
        content or embeds or body.get("components") or body.get("attachments")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _object(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise DiscordError(400, 50109, "The request body contains invalid JSON.")
    return body


async def _read_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == "payload_json":
                return json.loads(await part.text())
        return {}
    return json.loads(await request.text() or "null")


def _option_type(value: object) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


class FakeDiscordAPI:
    """Discord REST + gateway on 127.0.0.1 (ephemeral port): ``async with FakeDiscordAPI()``."""

    def __init__(
        self,
        *,
        token: str = FAKE_BOT_TOKEN,
        bot_name: str = "digest-bot",
        clock: Callable[[], float] = time.monotonic,
        rate_limits: RateLimitPolicy | None = None,
        heartbeat_interval_ms: int = 41_250,
        nonce_window: float = 300.0,
        shard_count: int = 1,
    ) -> None:
        self.token = token
        self.clock = clock
        self.rate_limits = rate_limits or RateLimitPolicy()
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.nonce_window = nonce_window
        self.shard_count = shard_count
        # What GET /gateway/bot names as the gateway; None: this fake's own.
        self.advertised_gateway: str | None = None
        self._ids = itertools.count()
        self.bot_user = self._user(self._snowflake(), bot_name, bot=True)
        self.member_user = self._user(self._snowflake(), "reader")
        self.application_id = self._snowflake()
        self.guilds: dict[str, JSON] = {}
        self.roles: dict[str, list[JSON]] = {}  # guild id → its roles besides @everyone
        self.channels: dict[str, JSON] = {}
        self.dm_channels: dict[str, JSON] = {}  # the bot's DM channel with a user, by channel id
        self.dm_refused: set[str] = set()  # users whose privacy settings refuse the bot's DMs
        self.webhooks: dict[str, FakeWebhook] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[str, list[JSON]] = {}
        self.requests: list[RecordedRequest] = []
        self.identify_payloads: list[JSON] = []
        self._messages: dict[str, list[JSON]] = {}
        self._message_index: dict[str, JSON] = {}
        self._denied: set[str] = set()
        self._nonces: dict[tuple[str, str], tuple[str, float]] = {}
        self._windows: dict[str, _Window] = {}
        self._global = _Window(self.rate_limits.global_requests, self.rate_limits.global_window)
        self._faults: dict[str, list[_Fault]] = {}
        self._sessions: list[_GatewaySession] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----- lifecycle and addresses -------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application()
        for method, path, route, endpoint, needs_bot in self._routes():
            app.router.add_route(method, API_PREFIX + path, self._serve(route, endpoint, needs_bot))
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for session in list(self._sessions):
            await session.ws.close(code=1001, message=b"fake Discord API shutting down")
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ----- seeding and inspection ---------------------------------------------------------------

    def add_guild(self, name: str = "Digest Test Guild") -> str:
        guild_id = self._snowflake()
        self.guilds[guild_id] = {"id": guild_id, "name": name}
        return guild_id

    def add_role(self, guild_id: str, name: str) -> str:
        """A role in the guild (sent in GUILD_CREATE); give it to callers with ``roles=[id]``."""
        role_id = self._snowflake()
        self.roles.setdefault(guild_id, []).append(
            {
                "id": role_id,
                "name": name,
                "permissions": "0",
                "position": len(self.roles[guild_id]) + 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        )
        return role_id

    def add_channel(
        self, guild_id: str, name: str = "papers", *, kind: Literal["text", "forum"] = "text"
    ) -> str:
        channel = self._channel_payload(guild_id, name, _FORUM if kind == "forum" else _TEXT)
        self.channels[channel["id"]] = channel
        return str(channel["id"])

    def add_webhook(self, channel_id: str, name: str = "Daily Papers") -> FakeWebhook:
        hook = FakeWebhook(self._snowflake(), secrets.token_urlsafe(51), channel_id, name)
        self.webhooks[hook.id] = hook
        return hook

    def webhook_url(self, webhook_id: str) -> str:
        return self.webhooks[webhook_id].url

    def deny_access(self, channel_id: str) -> None:
        """Answer 403 Missing Access (50001) for this channel and its threads."""
        self._denied.add(channel_id)

    def messages_in(self, channel_id: str) -> list[JSON]:
        """Messages of a channel or thread in posting order (live dicts in Discord's shape)."""
        return list(self._messages.get(channel_id, []))

    def dms_to(self, user_id: str) -> list[JSON]:
        """Every message the bot sent the user directly, in sending order."""
        return [
            message
            for channel in self.dm_channels.values()
            if channel["recipients"][0]["id"] == user_id
            for message in self._messages.get(channel["id"], [])
        ]

    def threads_of(self, channel_id: str) -> list[JSON]:
        return [c for c in self.channels.values() if c.get("parent_id") == channel_id]

    def fail_next(
        self,
        route: str,
        status: int,
        count: int = 1,
        *,
        retry_after: float = 0.1,
        applied: bool = False,
    ) -> None:
        """Answer the next ``count`` calls of ``route`` with ``status`` in Discord's error shape.

        ``applied=True`` performs the request first and then fails: the response was lost, which is
        what makes nonce-based retries necessary.
        """
        if route not in self.route_names():
            raise ValueError(f"unknown route {route!r}; known: {sorted(self.route_names())}")
        self._faults.setdefault(route, []).append(_Fault(status, count, retry_after, applied))

    def route_names(self) -> set[str]:
        return {route for _, _, route, _, _ in self._routes()} | set(
            self._INTERACTION_ROUTES.values()
        )

    async def wait_until(self, predicate: Callable[[], bool], *, within: float = 5.0) -> None:
        """Wait until a request or gateway message makes ``predicate`` true (else TimeoutError)."""
        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            raise TimeoutError(f"fake Discord API: condition not met within {within} s") from None

    # ----- gateway: events ----------------------------------------------------------------------

    async def final_answer(self, interaction: FakeInteraction) -> JSON:
        """The interaction's answer once a deferred "thinking…" message has been filled in."""

        def done() -> bool:
            original = interaction.original
            return original is not None and not int(original["flags"]) & _LOADING

        await self.wait_until(done)
        assert interaction.original is not None
        return interaction.original

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH (op 0) to every identified session (only the owning shard for guilds)."""
        sessions = [s for s in self._sessions if s.identified]
        if not sessions:
            raise RuntimeError(
                "no gateway session has identified yet; wait for client.wait_until_ready()"
            )
        guild_id = data.get("guild_id")
        for session in sessions:
            if guild_id is not None and self._shard_of(str(guild_id)) != session.shard[0]:
                continue
            await self._send_dispatch(session, event, data)

    async def dispatch_interaction(
        self,
        name: str,
        options: Mapping[str, object] | Sequence[JSON] = (),
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        permissions: int = MEMBER_PERMISSIONS,
        focused: str | None = None,
        locale: str = "en-US",
        roles: Sequence[str] = (),
    ) -> FakeInteraction:
        """A slash command (type 2), or its autocomplete (type 4) when ``focused`` is set."""
        channel = self._pick_channel(channel_id)
        command = self._synced_command(name, str(channel.get("guild_id")))
        data: JSON = {
            "id": command["id"] if command else self._snowflake(),
            "name": name,
            "type": 1,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        data["options"] = self._options(options, command, focused)
        kind = 4 if focused else 2
        return await self._interact(kind, data, channel, user_id, permissions, locale, roles=roles)

    async def dispatch_component(
        self,
        message: JSON,
        custom_id: str,
        *,
        component_type: int = 2,
        values: Sequence[str] = (),
        user_id: str | None = None,
        permissions: int = MEMBER_PERMISSIONS,
    ) -> FakeInteraction:
        """A click on a message component (type 3), e.g. a "Share" button."""
        channel = self._pick_channel(str(message["channel_id"]))
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values:
            data["values"] = list(values)
        return await self._interact(
            3, data, channel, user_id, permissions, "en-US", message=message
        )

    # ----- internals: ids, payloads ---------------------------------------------------------------

    def _snowflake(self) -> str:
        return str((_FIRST_ID_MS - _DISCORD_EPOCH_MS + next(self._ids)) << 22)

    def _shard_of(self, guild_id: str) -> int:
        return (int(guild_id) >> 22) % self.shard_count

    @staticmethod
    def _user(user_id: str, name: str, *, bot: bool = False) -> JSON:
        return {
            "id": user_id,
            "username": name,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": bot,
            "flags": 0,
            "public_flags": 0,
            "verified": True,
            "mfa_enabled": False,
        }

    def _channel_payload(self, guild_id: str, name: str, kind: int) -> JSON:
        if guild_id not in self.guilds:
            raise ValueError(f"unknown guild {guild_id}; call add_guild() first")
        channel: JSON = {
            "id": self._snowflake(),
            "type": kind,
            "guild_id": guild_id,
            "name": name,
            "position": len(self.channels),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if kind == _FORUM:
            channel |= {
                "available_tags": [],
                "default_reaction_emoji": None,
                "default_forum_layout": 0,
            }
        return channel

    def _new_thread(self, parent: JSON, name: str, thread_id: str, archive_minutes: int) -> JSON:
        if not 1 <= len(name) <= 100:
            errors: JSON = {}
            _form_error(
                errors, ["name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        thread = {
            "id": thread_id,
            "type": _PUBLIC_THREAD,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": self.bot_user["id"],
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": archive_minutes,
                "archive_timestamp": _now_iso(),
                "locked": False,
                "create_timestamp": _now_iso(),
            },
        }
        self.channels[thread_id] = thread
        return thread

    def _store_message(
        self,
        channel: JSON | None,
        body: JSON,
        *,
        author: JSON,
        message_type: int = 0,
        webhook_id: str | None = None,
        message_id: str | None = None,
        channel_id: str | None = None,
        listed: bool = True,
    ) -> JSON:
        message: JSON = {
            "id": message_id or self._snowflake(),
            "channel_id": channel["id"] if channel else channel_id,
            "type": message_type,
            "author": author,
            "content": body.get("content") or "",
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(body.get("tts", False)),
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "flags": int(body.get("flags") or 0),
        }
        if channel and channel.get("guild_id"):
            message["guild_id"] = channel["guild_id"]
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if webhook_id:
            message["webhook_id"] = webhook_id
        self._message_index[message["id"]] = message
        if channel and listed:
            self._messages.setdefault(channel["id"], []).append(message)
            channel["last_message_id"] = message["id"]
            if channel["type"] == _PUBLIC_THREAD:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
        return message

    @staticmethod
    def _apply_edit(message: JSON, body: JSON) -> JSON:
        changed = {key: body[key] for key in ("content", "embeds", "components") if key in body}
        candidate = message | {
            key: value or ([] if key != "content" else "") for key, value in changed.items()
        }
        _check_message(candidate, allow_empty=True)
        message.update(candidate)
        message["flags"] = int(message["flags"]) & ~_LOADING
        message["edited_timestamp"] = _now_iso()
        return message

    # ----- internals: HTTP plumbing ---------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, str, Endpoint, bool]]:
        app, guild = "/applications/{application_id}", "/guilds/{guild_id}"
        channel = "/channels/{channel_id}"
        message = channel + "/messages/{message_id}"
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        callback = "/interactions/{webhook_id}/{webhook_token}/callback"
        return [
            ("GET", "/users/@me", "get_current_user", self._get_me, True),
            ("POST", "/users/@me/channels", "create_dm", self._create_dm, True),
            ("GET", "/users/{user_id}", "get_user", self._get_user, True),
            ("GET", "/gateway", "get_gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", "get_bot_gateway", self._get_gateway, True),
            ("GET", "/applications/@me", "get_application", self._get_application, True),
            (
                "GET",
                "/oauth2/applications/@me",
                "get_application_info",
                self._get_application,
                True,
            ),
            ("GET", channel, "get_channel", self._get_channel, True),
            ("GET", channel + "/messages", "list_messages", self._list_messages, True),
            ("POST", channel + "/messages", "create_message", self._create_message, True),
            ("GET", message, "get_message", self._get_message, True),
            ("PATCH", message, "edit_message", self._edit_message, True),
            ("POST", message + "/threads", "start_thread", self._start_thread, True),
            ("POST", hook, "execute_webhook", self._execute_webhook, False),
            (
                "GET",
                hook + "/messages/{message_id}",
                "get_webhook_message",
                self._get_hook_message,
                False,
            ),
            (
                "PATCH",
                hook + "/messages/{message_id}",
                "edit_webhook_message",
                self._edit_hook_message,
                False,
            ),
            ("POST", callback, "interaction_callback", self._callback, False),
            ("GET", app + "/commands", "get_global_commands", self._get_commands, True),
            ("PUT", app + "/commands", "sync_global_commands", self._put_commands, True),
            ("GET", app + guild + "/commands", "get_guild_commands", self._get_commands, True),
            ("PUT", app + guild + "/commands", "sync_guild_commands", self._put_commands, True),
        ]

    _INTERACTION_ROUTES: ClassVar[dict[str, str]] = {
        "execute_webhook": "create_followup",
        "get_webhook_message": "get_interaction_message",
        "edit_webhook_message": "edit_interaction_message",
    }

    def _route_name(self, route: str, request: web.Request) -> str:
        """Webhook routes called with an interaction token are interaction routes on Discord."""
        token = request.match_info.get("webhook_token", "")
        if route in self._INTERACTION_ROUTES and self._interaction_by_token(token) is not None:
            return self._INTERACTION_ROUTES[route]
        return route

    def _bucket(self, route: str, request: web.Request) -> tuple[str, _Window]:
        info, policy = request.match_info, self.rate_limits
        if route == "create_message":
            key, limit, period = info["channel_id"], policy.channel_messages, policy.channel_window
        elif route == "execute_webhook":
            key, limit, period = info["webhook_id"], policy.webhook_messages, policy.webhook_window
        else:
            major = info.get("channel_id") or info.get("webhook_id") or info.get("guild_id") or ""
            key, limit, period = major, policy.route_requests, policy.route_window
        window = self._windows.setdefault(f"{route}:{key}", _Window(limit, period))
        return _bucket_hash(route), window

    def _serve(
        self, base_route: str, endpoint: Endpoint, needs_bot: bool
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            route = self._route_name(base_route, request)
            body = await _read_body(request)
            response = await self._answer(route, request, body, endpoint, needs_bot)
            self.requests.append(
                RecordedRequest(
                    route, request.method, request.path, dict(request.query), body, response.status
                )
            )
            async with self._changed:
                self._changed.notify_all()
            return response

        return serve

    async def _answer(
        self, route: str, request: web.Request, body: Any, endpoint: Endpoint, needs_bot: bool
    ) -> web.Response:
        if needs_bot and request.headers.get("Authorization") != f"Bot {self.token}":
            return DiscordError(401, 0, "401: Unauthorized").response()
        now = self.clock()
        bucket, window = self._bucket(route, request)
        fault = self._take_fault(route)
        if fault is not None and not fault.applied:
            return self._fault_response(fault, bucket, window, now)
        # The global limit counts bot-token requests; webhooks and interaction tokens are exempt.
        if needs_bot and not self._global.take(now):
            return self._rate_limited(self._global, now, bucket=None)
        if not window.take(now):
            return self._rate_limited(window, now, bucket=bucket)
        try:
            result = await endpoint(request, body)
        except DiscordError as error:
            response = error.response()
        else:
            response = _json_response(result) if result is not None else web.Response(status=204)
        if fault is not None:
            response = self._fault_response(fault, bucket, window, now)
        response.headers.update(window.headers(now, bucket))
        return response

    def _take_fault(self, route: str) -> _Fault | None:
        queue = self._faults.get(route)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return fault

    def _fault_response(
        self, fault: _Fault, bucket: str, window: _Window, now: float
    ) -> web.Response:
        if fault.status == 429:
            injected = _Window(window.limit, fault.retry_after, reset_at=now + fault.retry_after)
            injected.used = injected.limit
            return self._rate_limited(injected, now, bucket=bucket)
        known = {403: (50001, "Missing Access"), 404: (0, "404: Not Found")}
        code, message = known.get(fault.status, (0, f"{fault.status}: injected failure"))
        return DiscordError(fault.status, code, message).response()

    @staticmethod
    def _rate_limited(window: _Window, now: float, *, bucket: str | None) -> web.Response:
        retry_after = math.ceil(max(window.reset_at - now, 0.001) * 1000) / 1000
        headers = {"Retry-After": str(math.ceil(retry_after)), "Via": "1.1 google"}
        if bucket is None:
            headers |= {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
        else:
            headers |= window.headers(now, bucket) | {"X-RateLimit-Scope": "user"}
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": bucket is None,
        }
        return _json_response(body, status=429, headers=headers)

    def _channel(self, channel_id: str) -> JSON:
        channel = self.channels.get(channel_id) or self.dm_channels.get(channel_id)
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        if channel_id in self._denied or channel.get("parent_id") in self._denied:
            raise DiscordError(403, 50001, "Missing Access")
        return channel

    def _message(self, channel_id: str, message_id: str) -> JSON:
        message = self._message_index.get(message_id)
        if message is None or message["channel_id"] != channel_id:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    # ----- REST endpoints -------------------------------------------------------------------------

    async def _get_me(self, request: web.Request, body: Any) -> JSON:
        return self.bot_user

    async def _get_user(self, request: web.Request, body: Any) -> JSON:
        user_id = request.match_info["user_id"]
        if not user_id.isdigit():
            raise DiscordError(404, 10013, "Unknown User")
        if user_id == self.bot_user["id"]:
            return self.bot_user
        return self._user(user_id, f"user{user_id}")

    async def _create_dm(self, request: web.Request, body: Any) -> JSON:
        """The bot's DM channel (type 1) with ``recipient_id``: the same channel every time."""
        recipient = str(_object(body).get("recipient_id") or "")
        if not recipient.isdigit():
            errors: JSON = {}
            _form_error(errors, ["recipient_id"], "NUMBER_TYPE_COERCE", "Value is not snowflake.")
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        for channel in self.dm_channels.values():
            if channel["recipients"][0]["id"] == recipient:
                return channel
        channel = {
            "id": self._snowflake(),
            "type": _DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [self._user(recipient, f"user{recipient}")],
        }
        self.dm_channels[channel["id"]] = channel
        return channel

    async def _get_gateway(self, request: web.Request, body: Any) -> JSON:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        url = self.advertised_gateway or self.gateway_url
        return {"url": url, "shards": self.shard_count, "session_start_limit": limit}

    async def _get_application(self, request: web.Request, body: Any) -> JSON:
        return {
            "id": self.application_id,
            "name": self.bot_user["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.member_user,
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "bot": self.bot_user,
            "interactions_endpoint_url": None,
        }

    async def _get_channel(self, request: web.Request, body: Any) -> JSON:
        return self._channel(request.match_info["channel_id"])

    async def _list_messages(self, request: web.Request, body: Any) -> list[JSON]:
        channel = self._channel(request.match_info["channel_id"])
        limit = min(max(int(request.query.get("limit", "50")), 1), 100)
        found = self._messages.get(channel["id"], [])
        if "before" in request.query:
            found = [m for m in found if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            found = [m for m in found if int(m["id"]) > int(request.query["after"])]
        return list(reversed(found))[:limit]

    async def _create_message(self, request: web.Request, body: Any) -> JSON:
        channel = self._channel(request.match_info["channel_id"])
        if channel["type"] == _FORUM:
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        if channel["type"] == _DM and channel["recipients"][0]["id"] in self.dm_refused:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        payload = _object(body)
        _check_message(payload)
        nonce = payload.get("nonce")
        key = (str(channel["id"]), str(nonce))
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.get(key)
            # Discord answers a repeated nonce with the message it already created.
            if seen is not None and self.clock() - seen[1] < self.nonce_window:
                return self._message_index[seen[0]]
        message = self._store_message(channel, payload, author=self.bot_user)
        if nonce is not None and payload.get("enforce_nonce"):
            self._nonces[key] = (message["id"], self.clock())
        return message

    async def _get_message(self, request: web.Request, body: Any) -> JSON:
        channel = self._channel(request.match_info["channel_id"])
        return self._message(channel["id"], request.match_info["message_id"])

    async def _edit_message(self, request: web.Request, body: Any) -> JSON:
        channel = self._channel(request.match_info["channel_id"])
        message = self._message(channel["id"], request.match_info["message_id"])
        if message["author"]["id"] != self.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        return self._apply_edit(message, _object(body))

    async def _start_thread(self, request: web.Request, body: Any) -> JSON:
        channel = self._channel(request.match_info["channel_id"])
        if channel["type"] != _TEXT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        message = self._message(channel["id"], request.match_info["message_id"])
        if "thread" in message:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        payload = _object(body)
        # A thread started from a message has the message's id.
        thread = self._new_thread(
            channel,
            str(payload.get("name") or ""),
            message["id"],
            int(payload.get("auto_archive_duration") or 4320),
        )
        message["thread"] = thread
        message["flags"] = int(message["flags"]) | _HAS_THREAD
        return thread

    def _webhook(self, request: web.Request) -> FakeWebhook:
        hook = self.webhooks.get(request.match_info["webhook_id"])
        if hook is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if hook.token != request.match_info["webhook_token"]:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return hook

    def _webhook_target(self, request: web.Request, hook: FakeWebhook) -> JSON:
        channel = self._channel(hook.channel_id)
        thread_id = request.query.get("thread_id")
        if thread_id is None:
            return channel
        thread = self._channel(thread_id)
        if thread.get("parent_id") != channel["id"]:
            raise DiscordError(404, 10003, "Unknown Channel")
        return thread

    async def _execute_webhook(self, request: web.Request, body: Any) -> JSON | None:
        interaction = self._interaction_by_token(request.match_info["webhook_token"])
        if interaction is not None and request.match_info["webhook_id"] == self.application_id:
            return self._followup(interaction, _object(body))
        hook = self._webhook(request)
        payload = _object(body)
        _check_message(payload)
        target = self._webhook_target(request, hook)
        thread_name = payload.get("thread_name")
        message_id = None
        if thread_name and "thread_id" not in request.query:
            if target["type"] != _FORUM:
                raise DiscordError(
                    400, 220003, "Webhooks can only create threads in forum channels"
                )
            message_id = self._snowflake()
            target = self._new_thread(target, str(thread_name), message_id, 4320)
        elif target["type"] == _FORUM:
            raise DiscordError(
                400,
                220001,
                "Webhooks posted to forum channels must have a thread_name or thread_id",
            )
        author = self._user(hook.id, str(payload.get("username") or hook.name), bot=True)
        message = self._store_message(
            target, payload, author=author, webhook_id=hook.id, message_id=message_id
        )
        wait = request.query.get("wait", "false").lower() in {"true", "1"}
        return message if wait else None

    def _webhook_message(self, request: web.Request) -> JSON:
        interaction = self._interaction_by_token(request.match_info["webhook_token"])
        message_id = request.match_info["message_id"]
        if interaction is not None:
            if message_id == "@original" and interaction.original is not None:
                return interaction.original
            for message in interaction.followups:
                if message["id"] == message_id:
                    return message
            raise DiscordError(404, 10008, "Unknown Message")
        hook = self._webhook(request)
        target = self._webhook_target(request, hook)
        message = self._message(target["id"], message_id)
        if message.get("webhook_id") != hook.id:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_hook_message(self, request: web.Request, body: Any) -> JSON:
        return self._webhook_message(request)

    async def _edit_hook_message(self, request: web.Request, body: Any) -> JSON:
        return self._apply_edit(self._webhook_message(request), _object(body))

    def _check_application(self, request: web.Request) -> None:
        if request.match_info["application_id"] != self.application_id:
            raise DiscordError(403, 50001, "Missing Access")

    async def _get_commands(self, request: web.Request, body: Any) -> list[JSON]:
        self._check_application(request)
        guild_id = request.match_info.get("guild_id")
        return self.guild_commands.get(guild_id, []) if guild_id else self.global_commands

    async def _put_commands(self, request: web.Request, body: Any) -> list[JSON]:
        self._check_application(request)
        guild_id = request.match_info.get("guild_id")
        if not isinstance(body, list):
            raise DiscordError(400, 50109, "The request body contains invalid JSON.")
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in self._get_synced(guild_id)}
        commands = []
        for spec in body:
            command = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
            }
            command |= spec | {"application_id": self.application_id, "version": self._snowflake()}
            command["id"] = previous.get((spec["name"], command["type"])) or self._snowflake()
            if guild_id:
                command["guild_id"] = guild_id
            commands.append(command)
        if guild_id:
            self.guild_commands[guild_id] = commands
        else:
            self.global_commands = commands
        return commands

    def _get_synced(self, guild_id: str | None) -> list[JSON]:
        return self.guild_commands.get(guild_id, []) if guild_id else self.global_commands

    # ----- interactions ---------------------------------------------------------------------------

    def _interaction_by_token(self, token: str) -> FakeInteraction | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    def _interaction_message(
        self, interaction: FakeInteraction, data: JSON, *, flags: int = 0
    ) -> JSON:
        channel = self.channels.get(str(interaction.payload["channel_id"]))
        body = data | {"flags": int(data.get("flags") or 0) | flags}
        ephemeral = bool(body["flags"] & EPHEMERAL)
        return self._store_message(
            channel,
            body,
            author=self.bot_user,
            message_type=20,
            webhook_id=self.application_id,
            channel_id=str(interaction.payload["channel_id"]),
            listed=not ephemeral,
        )

    async def _callback(self, request: web.Request, body: Any) -> JSON | None:
        interaction = self.interactions.get(request.match_info["webhook_id"])
        if interaction is None or interaction.token != request.match_info["webhook_token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        if interaction.callbacks:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        payload = _object(body)
        kind, data = payload.get("type"), payload.get("data") or {}
        info: JSON = {"id": interaction.id, "type": interaction.payload["type"]}
        resource: JSON | None = None
        if kind == 4:
            _check_message(data)
            interaction.original = self._interaction_message(interaction, data)
        elif kind == 5:
            interaction.original = self._interaction_message(
                interaction, {"flags": data.get("flags")}, flags=_LOADING
            )
            info["response_message_loading"] = True
        elif kind == 7:
            message = self._message_index.get(str(interaction.payload.get("message", {}).get("id")))
            if message is None:
                raise DiscordError(404, 10008, "Unknown Message")
            resource = {"type": 7, "message": self._apply_edit(message, data)}
        elif kind not in (6, 8, 9):
            errors: JSON = {}
            _form_error(errors, ["type"], "BASE_TYPE_CHOICES", "Value must be a callback type.")
            raise DiscordError(400, 50035, "Invalid Form Body", errors)
        interaction.callbacks.append(payload)
        if interaction.original is not None:
            info["response_message_id"] = interaction.original["id"]
            info["response_message_ephemeral"] = bool(interaction.original["flags"] & EPHEMERAL)
            resource = {"type": kind, "message": interaction.original}
        if request.query.get("with_response", "").lower() not in {"1", "true"}:
            return None
        return {"interaction": info, "resource": resource} if resource else {"interaction": info}

    def _followup(self, interaction: FakeInteraction, body: JSON) -> JSON:
        if not interaction.callbacks:
            raise DiscordError(404, 10015, "Unknown Webhook")
        _check_message(body)
        original = interaction.original
        # As on Discord, the first followup after a deferral fills in the "thinking..." message.
        if original is not None and int(original["flags"]) & _LOADING:
            return self._apply_edit(original, body)
        message = self._interaction_message(interaction, body)
        interaction.followups.append(message)
        return message

    def _pick_channel(self, channel_id: str | None) -> JSON:
        if channel_id is None:
            found = next((c for c in self.channels.values() if c["type"] == _TEXT), None)
            if found is None:
                raise ValueError("no text channel yet; call add_guild() and add_channel() first")
            return found
        if channel_id not in self.channels:
            raise ValueError(f"unknown channel {channel_id}; call add_channel() first")
        return self.channels[channel_id]

    def _synced_command(self, name: str, guild_id: str) -> JSON | None:
        candidates = self.guild_commands.get(guild_id, []) + self.global_commands
        return next((c for c in candidates if c["name"] == name and c.get("type", 1) == 1), None)

    @staticmethod
    def _options(
        options: Mapping[str, object] | Sequence[JSON], command: JSON | None, focused: str | None
    ) -> list[JSON]:
        if not isinstance(options, Mapping):
            return [dict(option) for option in options]
        declared = {o["name"]: o["type"] for o in (command or {}).get("options", [])}
        built = []
        for name, value in options.items():
            option: JSON = {
                "name": name,
                "type": declared.get(name, _option_type(value)),
                "value": value,
            }
            if name == focused:
                option["focused"] = True
            built.append(option)
        return built

    async def _interact(
        self,
        kind: int,
        data: JSON,
        channel: JSON,
        user_id: str | None,
        permissions: int,
        locale: str,
        *,
        message: JSON | None = None,
        roles: Sequence[str] = (),
    ) -> FakeInteraction:
        user = self.member_user if user_id is None else self._user(user_id, f"user{user_id}")
        guild_id = str(channel["guild_id"])
        member = {
            "user": user,
            "roles": list(roles),
            "joined_at": _now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "permissions": str(permissions),
        }
        interaction_id = self._snowflake()
        payload: JSON = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "guild_id": guild_id,
            "channel_id": channel["id"],
            "channel": channel,
            "member": member,
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "locale": locale,
            "guild_locale": "en-US",
            "app_permissions": str(BOT_PERMISSIONS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        interaction = FakeInteraction(interaction_id, payload["token"], payload)
        self.interactions[interaction_id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # ----- gateway --------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        compress, encoding = request.query.get("compress"), request.query.get("encoding", "json")
        if encoding != "json" or compress not in (None, "zlib-stream"):
            reason = (
                "fake Discord gateway speaks encoding=json with compress=zlib-stream or none;"
                f" got {encoding=} {compress=}"
            )
            raise web.HTTPBadRequest(text=reason)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = _GatewaySession(ws, zlib.compressobj() if compress else None)
        self._sessions.append(session)
        try:
            await session.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_gateway_message(session, json.loads(frame.data))
        finally:
            self._sessions.remove(session)
        return ws

    async def _on_gateway_message(self, session: _GatewaySession, message: JSON) -> None:
        op, data = message.get("op"), message.get("d") or {}
        if op == 1:
            await session.send({"op": 11, "d": None, "s": None, "t": None})
        elif op in (2, 6) and data.get("token") != self.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
        elif op == 2:
            self.identify_payloads.append(data)
            await self._ready(session, data)
        elif op == 6:
            session.identified, session.session_id = True, str(data.get("session_id"))
            await self._send_dispatch(session, "RESUMED", {})
        async with self._changed:
            self._changed.notify_all()

    async def _ready(self, session: _GatewaySession, identify: JSON) -> None:
        shard = identify.get("shard") or [0, 1]
        session.identified, session.session_id = True, secrets.token_hex(16)
        session.shard = (int(shard[0]), int(shard[1]))
        guild_ids = [g for g in self.guilds if self._shard_of(g) == session.shard[0]]
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": g, "unavailable": True} for g in guild_ids],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": list(session.shard),
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
        }
        await self._send_dispatch(session, "READY", ready)
        if int(identify.get("intents") or 0) & _GUILDS_INTENT:
            for guild_id in guild_ids:
                await self._send_dispatch(session, "GUILD_CREATE", self._guild_payload(guild_id))

    async def _send_dispatch(self, session: _GatewaySession, event: str, data: JSON) -> None:
        session.seq += 1
        await session.send({"op": 0, "t": event, "s": session.seq, "d": data})

    def _guild_payload(self, guild_id: str) -> JSON:
        channels = [c for c in self.channels.values() if c["guild_id"] == guild_id]
        everyone = {
            "id": guild_id,
            "name": "@everyone",
            "permissions": str(MEMBER_PERMISSIONS | BOT_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return self.guilds[guild_id] | {
            "unavailable": False,
            "owner_id": self.member_user["id"],
            "member_count": 2,
            "large": False,
            "joined_at": _now_iso(),
            "roles": [everyone, *self.roles.get(guild_id, [])],
            "channels": [c for c in channels if c["type"] != _PUBLIC_THREAD],
            "threads": [c for c in channels if c["type"] == _PUBLIC_THREAD],
            "members": [],
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "preferred_locale": "en-US",
        }


@contextlib.contextmanager
def point_discord_py_at(api: FakeDiscordAPI) -> Iterator[None]:
    """Send discord.py's REST, webhook and gateway traffic to ``api``; restore Discord on exit."""
    saved_base, saved_gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(api.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved_base, saved_gateway
