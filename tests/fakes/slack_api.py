"""A local fake of the Slack Web API and incoming webhooks; slack_sdk's async clients use it as is.

Point ``AsyncWebClient(token=FAKE_BOT_TOKEN, base_url=api.base_url)`` at it, and
``AsyncWebhookClient(api.webhook_url("hook-id"))`` at a configured webhook.

What slack_sdk sends, and so what this fake reads: ``chat.postMessage``/``chat.update``/
``chat.postEphemeral`` go as JSON bodies; ``conversations.history``/``.replies``/``.info`` and
``users.info`` as GET query strings (booleans as ``"1"``/``"0"``); ``auth.test`` and
``conversations.open`` as POST with the arguments in the query string. Form-encoded bodies (with
``blocks``/``metadata`` as JSON strings) are accepted too, as Slack does. The token is read from
``Authorization: Bearer`` or a ``token`` argument.

Behaviour kept from Slack because the bot depends on it:

* errors are HTTP 200 with ``{"ok": false, "error": ...}``; only rate limits (429 + ``Retry-After``
  in whole seconds, at least 1) and injected faults use other statuses;
* ``conversations.history`` returns top-level messages newest first and includes ``metadata`` only
  when ``include_all_metadata`` is true; ``conversations.replies`` returns parent then replies;
* ``chat.postMessage`` and incoming webhooks share one per-channel bucket (off by default).

Stricter than Slack, to catch bugs early: a ``thread_ts`` naming a reply (not a thread parent) is
refused with ``invalid_thread_ts``. Webhooks ignore ``thread_ts`` (the bot treats them as
unthreaded).
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

JSON = dict[str, Any]

FAKE_BOT_TOKEN = "xoxb-fake-bot-token"
FAKE_APP_TOKEN = "xapp-1-fake-app-token"  # Socket Mode's app-level token
TEAM_ID = "T0FAKETEAM"
BOT_USER_ID = "U0FAKEBOT"
BOT_ID = "B0FAKEBOT"
WEBHOOK_BOT_ID = "B0WEBHOOK"
DEFAULT_CHANNEL = "C0DIGEST01"
DEFAULT_USERS: Mapping[str, str] = {"U0HUMAN001": "alice"}
MAX_TEXT = 40_000  # Slack refuses longer texts with msg_too_long
MAX_BLOCKS = 50
_FIRST_TS_MICROS = 1_700_000_000_000_100
_TS_STEP_MICROS = 100


class SlackError(Exception):
    """A Slack error answer: ``{"ok": false, "error": code}`` with an HTTP status (200 for most)."""

    def __init__(self, error: str, status: int = 200, retry_after: int | None = None) -> None:
        super().__init__(error)
        self.error, self.status, self.retry_after = error, status, retry_after

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


@dataclass
class Call:
    """One request as received; ``status``/``error`` describe what the fake answered."""

    method: str
    params: JSON
    time: float
    token: str | None = None
    status: int = 200
    error: str | None = None


@dataclass
class FakeChannel:
    id: str
    name: str
    is_member: bool = True
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    users: tuple[str, ...] = ()  # the other party (or parties) of a DM

    def to_slack(self) -> JSON:
        info: JSON = {
            "id": self.id,
            "name": self.name,
            "is_channel": not (self.is_im or self.is_private),
            "is_group": self.is_private and not self.is_im,
            "is_im": self.is_im and len(self.users) == 1,
            "is_mpim": self.is_im and len(self.users) > 1,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_member": self.is_member,
            "created": 1_700_000_000,
        }
        if self.is_im and len(self.users) == 1:
            info["user"] = self.users[0]
        return info


@dataclass
class StoredMessage:
    channel: str
    ts: str
    text: str
    user: str
    bot_id: str | None
    source: Literal["api", "webhook", "seeded", "ephemeral"]
    thread_ts: str | None = None
    blocks: list[JSON] | None = None
    attachments: list[JSON] | None = None
    metadata: JSON | None = None
    edited_ts: str | None = None
    ephemeral_to: str | None = None
    params: JSON = field(default_factory=dict)  # every argument sent, e.g. unfurl_links
    replies: list[StoredMessage] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self, *, with_metadata: bool = True, parent_user: str | None = None) -> JSON:
        out: JSON = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.bot_id:
            out["bot_id"] = self.bot_id
        for key in ("blocks", "attachments"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if with_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        if self.edited_ts:
            out["edited"] = {"user": self.user, "ts": self.edited_ts}
        if self.replies:
            users = list(dict.fromkeys(reply.user for reply in self.replies))
            out.update(
                thread_ts=self.ts,
                reply_count=len(self.replies),
                reply_users=users,
                reply_users_count=len(users),
                latest_reply=self.replies[-1].ts,
            )
        elif self.is_reply:
            out.update(thread_ts=self.thread_ts, parent_user_id=parent_user)
        return out


@dataclass
class _Fault:
    kind: Literal["fail", "delay", "drop"]
    status: int = 500
    error: str | None = None
    retry_after: int = 1
    seconds: float = 0.0


class _ChannelBuckets:
    """Token buckets per channel: ``rate`` messages a second, bursts up to ``burst``."""

    def __init__(self, rate: float | None, burst: int, clock: Callable[[], float]) -> None:
        self._rate, self._burst, self._clock = rate, burst, clock
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, channel: str) -> None:
        if self._rate is None:
            return
        now = self._clock()
        tokens, last = self._state.get(channel, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - last) * self._rate)
        if tokens >= 1.0 - 1e-9:
            self._state[channel] = (tokens - 1.0, now)
            return
        self._state[channel] = (tokens, now)
        wait = (1.0 - tokens) / self._rate
        raise SlackError("ratelimited", status=429, retry_after=max(1, math.ceil(wait - 1e-9)))


def _as_bool(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true"}


def _json_field(params: JSON, key: str) -> Any:
    """Form bodies carry blocks/metadata as JSON strings; JSON bodies carry them as values."""
    value = params.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value) if value else None
        except json.JSONDecodeError as exc:
            raise SlackError(f"invalid_{key}") from exc
    return value


def _page(
    items: list[StoredMessage], params: JSON, default_limit: int
) -> tuple[list[StoredMessage], str]:
    """Slack-style cursor pagination over an already ordered list; returns (page, next_cursor)."""
    cursor = params.get("cursor") or ""
    offset = 0
    if cursor:
        try:
            offset = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
        except ValueError as exc:
            raise SlackError("invalid_cursor") from exc
    try:
        limit = min(int(params.get("limit") or default_limit), 999)
    except ValueError as exc:
        raise SlackError("invalid_limit") from exc
    limit = limit if limit > 0 else default_limit
    chunk = items[offset : offset + limit]
    more = offset + limit < len(items)
    return chunk, base64.b64encode(f"offset:{offset + limit}".encode()).decode() if more else ""


def _in_range(ts: str, params: JSON) -> bool:
    """``oldest``/``latest`` bounds, exclusive unless ``inclusive`` (as Slack defines them)."""
    value, inclusive = float(ts), _as_bool(params.get("inclusive"))
    oldest, latest = params.get("oldest"), params.get("latest")
    if oldest and (value < float(oldest) or (value == float(oldest) and not inclusive)):
        return False
    return not (latest and (value > float(latest) or (value == float(latest) and not inclusive)))


async def _read_params(request: web.Request) -> JSON:
    params: JSON = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as exc:
            raise SlackError("invalid_json") from exc
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        params.update(body)
    else:
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


class FakeSlackAPI:
    """The server; state is public so tests can arrange (``channels``, ``tokens``) and inspect."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (FAKE_BOT_TOKEN,),
        channels: Iterable[str | FakeChannel] = (DEFAULT_CHANNEL,),
        member_of: Iterable[str] | None = None,
        users: Mapping[str, str] = DEFAULT_USERS,
        admins: Iterable[str] = (),
        usergroups: Mapping[str, Iterable[str]] | None = None,
        webhooks: Mapping[str, str] | None = None,
        rate_limit_per_channel: float | None = None,
        rate_limit_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens: set[str] = set(tokens)
        self.channels: dict[str, FakeChannel] = {}
        for channel in channels:
            if isinstance(channel, str):
                channel = FakeChannel(channel, f"chan-{channel.lower()}")
            self.channels[channel.id] = channel
        if member_of is not None:
            members = set(member_of)
            for channel in self.channels.values():
                channel.is_member = channel.id in members
        self.users: dict[str, str] = {BOT_USER_ID: "digest-bot", **users}
        # Workspace admins (users.info says is_admin) and user groups (usergroups.users.list).
        self.admins: set[str] = set(admins)
        self.usergroups: dict[str, list[str]] = {
            group: list(members) for group, members in (usergroups or {}).items()
        }
        self.webhooks: dict[str, str] = dict(webhooks or {})
        self.calls: list[Call] = []
        self.ephemerals: list[StoredMessage] = []
        # What was sent to a command's or a button's response_url: (response id, body).
        self.responses: list[tuple[str, JSON]] = []
        self.app_tokens: set[str] = {FAKE_APP_TOKEN}
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_acks: dict[str, asyncio.Future[JSON]] = {}
        self._socket_connected = asyncio.Event()
        self._clock = clock
        self._buckets = _ChannelBuckets(rate_limit_per_channel, rate_limit_burst, clock)
        self._messages: dict[str, list[StoredMessage]] = defaultdict(list)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._next_ts = _FIRST_TS_MICROS
        self._closing = asyncio.Event()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Callable[[JSON], JSON]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.info": self._conversations_info,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroup_users,
            "apps.connections.open": self._connections_open,
        }

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application(middlewares=[self._track_in_flight])
        app.router.add_route("*", "/api/{method}", self._handle_api)
        # Incoming webhooks at Slack's path (…/services/T…/B…/secret), as the config demands.
        app.router.add_post("/services/{hook_id:.+}", self._handle_webhook)
        app.router.add_post("/responses/{response_id}", self._handle_response)
        app.router.add_get("/socket-mode", self._handle_socket)
        # A short shutdown so a test that leaves a delayed request behind still ends quickly.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        self._closing.set()
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def settled(self) -> None:
        """Wait until no request is being handled, e.g. a delayed one whose client gave up."""
        await self._idle.wait()

    @web.middleware
    async def _track_in_flight(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self._in_flight += 1
        self._idle.clear()
        try:
            return await handler(request)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    @property
    def root_url(self) -> str:
        if self._port is None:
            raise RuntimeError(
                "FakeSlackAPI is not started; use `async with FakeSlackAPI() as api`"
            )
        return f"http://127.0.0.1:{self._port}/"

    @property
    def base_url(self) -> str:
        """For ``AsyncWebClient(base_url=...)``: it appends the method name to this."""
        return self.root_url + "api/"

    def webhook_url(self, hook_id: str) -> str:
        """The URL for ``hook_id``, configured or not (unknown ids answer 404 ``no_service``)."""
        return f"{self.root_url}services/{hook_id}"

    def response_url(self, response_id: str) -> str:
        """A `response_url` as Slack puts in slash-command and button payloads."""
        return f"{self.root_url}responses/{response_id}"

    # -- arranging -------------------------------------------------------------------------

    def add_channel(
        self, channel_id: str, *, name: str | None = None, member: bool = True
    ) -> FakeChannel:
        channel = FakeChannel(channel_id, name or f"chan-{channel_id.lower()}", is_member=member)
        self.channels[channel_id] = channel
        return channel

    def add_webhook(self, hook_id: str, channel_id: str) -> str:
        self.webhooks[hook_id] = channel_id
        return self.webhook_url(hook_id)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U0HUMAN001",
        thread_ts: str | None = None,
        metadata: JSON | None = None,
    ) -> StoredMessage:
        """Seed a message someone else wrote (it bypasses auth, membership and rate limits)."""
        return self._store(
            channel, {"text": text, "thread_ts": thread_ts}, user, None, "seeded", metadata
        )

    def fail_next(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        *,
        error: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """The next ``count`` calls of ``method`` (``"webhook"`` for webhooks) answer ``status``.

        429 answers carry ``Retry-After: retry_after``; status 200 with ``error`` gives a plain
        ``ok: false`` answer. Nothing is stored for a failed call.
        """
        default = (
            "ratelimited"
            if status == 429
            else ("internal_error" if status >= 500 else "fatal_error")
        )
        fault = _Fault("fail", status=status, error=error or default, retry_after=retry_after)
        self._faults[method].extend(fault for _ in range(count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold the next ``count`` calls for ``seconds`` (real time), then process them normally.

        Like Slack, a call the client gave up on still takes effect when the delay ends.
        """
        self._faults[method].extend(_Fault("delay", seconds=seconds) for _ in range(count))

    def drop_response_next(self, method: str, count: int = 1) -> None:
        """Process the next ``count`` calls (messages are stored) but close the connection
        instead of answering: a send that landed just before the client lost it."""
        self._faults[method].extend(_Fault("drop") for _ in range(count))

    # -- inspecting ------------------------------------------------------------------------

    def messages(self, channel: str) -> list[StoredMessage]:
        """Every message in the channel, thread replies included, oldest first."""
        return list(self._messages.get(channel, []))

    def thread(self, channel: str, ts: str) -> list[StoredMessage]:
        """The thread's parent then its replies, oldest first; [] when ``ts`` is unknown."""
        parent = self._find(channel, ts)
        if parent is None:
            return []
        if parent.is_reply:
            parent = self._find(channel, parent.thread_ts or "")
            assert parent is not None
        return [parent, *parent.replies]

    def webhook_messages(self, hook_id: str) -> list[StoredMessage]:
        channel = self.webhooks.get(hook_id)
        return [
            m
            for m in self._messages.get(channel or "", [])
            if m.params.get("webhook_id") == hook_id
        ]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        call = Call(method, {}, self._clock())
        self.calls.append(call)
        drop = False
        try:
            call.params = await _read_params(request)
            call.token = self._token(request, call.params)
            drop = await self._apply_fault(method)
            handler = self._methods.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            if method == "apps.connections.open":
                self._authenticate_app(call.token)
            else:
                self._authenticate(call.token)
            body = {"ok": True, **handler(call.params)}
            response = web.json_response(body)
        except SlackError as exc:
            call.status, call.error = exc.status, exc.error
            response = web.json_response(
                {"ok": False, "error": exc.error}, status=exc.status, headers=exc.headers()
            )
        if drop:
            return self._drop(request, call)
        return response

    async def _handle_webhook(self, request: web.Request) -> web.StreamResponse:
        hook_id = request.match_info["hook_id"]
        call = Call("webhook", {"webhook_id": hook_id}, self._clock())
        self.calls.append(call)
        drop = False
        try:
            drop = await self._apply_fault("webhook")
            channel_id = self.webhooks.get(hook_id)
            if channel_id is None:
                raise SlackError("no_service", status=404)
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise SlackError("invalid_payload", status=400) from exc
            if not isinstance(body, dict):
                raise SlackError("invalid_payload", status=400)
            call.params = {**body, "webhook_id": hook_id}
            channel = self.channels.get(channel_id)
            if channel is None:
                raise SlackError("channel_not_found", status=404)
            if channel.is_archived:
                raise SlackError("channel_is_archived", status=410)
            self._check_content(call.params)
            self._buckets.take(channel_id)
            # Webhooks cannot thread: thread_ts is ignored but kept in ``params`` for assertions.
            content = {key: value for key, value in call.params.items() if key != "thread_ts"}
            message = self._store(channel_id, content, BOT_USER_ID, WEBHOOK_BOT_ID, "webhook", None)
            message.params = dict(call.params)
            response = web.Response(text="ok", content_type="text/plain")
        except SlackError as exc:
            call.status, call.error = exc.status, exc.error
            response = web.Response(
                text=exc.error, status=exc.status, headers=exc.headers(), content_type="text/plain"
            )
        if drop:
            return self._drop(request, call)
        return response

    async def _handle_response(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(text="invalid_payload", status=400, content_type="text/plain")
        if not isinstance(body, dict):
            return web.Response(text="invalid_payload", status=400, content_type="text/plain")
        self.responses.append((request.match_info["response_id"], body))
        return web.Response(text="ok", content_type="text/plain")

    # -- Socket Mode ----------------------------------------------------------------------

    def _connections_open(self, params: JSON) -> JSON:
        return {"url": self.root_url.replace("http://", "ws://") + "socket-mode"}

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        hello = {"type": "hello", "num_connections": len(self._sockets), "debug_info": {}}
        await socket.send_json(hello)
        self._socket_connected.set()
        async for frame in socket:
            if frame.type != web.WSMsgType.TEXT:
                continue
            ack = json.loads(frame.data)
            waiter = self._socket_acks.pop(str(ack.get("envelope_id")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(ack)
        self._sockets.remove(socket)
        return socket

    async def socket_mode_request(self, kind: str, payload: JSON, *, within: float = 5.0) -> JSON:
        """Send an envelope (``slash_commands``, ``interactive``…) to the connected app; return
        its ack, whose ``payload`` is the answer (for a slash command, the response body)."""
        await asyncio.wait_for(self._socket_connected.wait(), timeout=within)
        envelope_id = f"env-{len(self.calls)}-{self._new_ts()}"
        waiter: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._socket_acks[envelope_id] = waiter
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind == "slash_commands",
        }
        await self._sockets[-1].send_json(envelope)
        return await asyncio.wait_for(waiter, timeout=within)

    async def _apply_fault(self, method: str) -> bool:
        """Consume the method's next fault; raise it, wait it out, or return True for a drop."""
        queue = self._faults.get(method)
        if not queue:
            return False
        fault = queue.popleft()
        if fault.kind == "fail":
            retry_after = fault.retry_after if fault.status == 429 else None
            raise SlackError(
                fault.error or "internal_error", status=fault.status, retry_after=retry_after
            )
        if fault.kind == "delay":
            # Waiting on the closing event lets close() end a held request at once.
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=fault.seconds)
            except TimeoutError:
                return False
            raise SlackError("service_unavailable", status=503)
        return True

    def _drop(self, request: web.Request, call: Call) -> web.StreamResponse:
        call.status, call.error = 0, call.error or "connection_dropped"
        if request.transport is not None:
            request.transport.close()
        return web.Response()  # never reaches the client: the transport is already closed

    @staticmethod
    def _token(request: web.Request, params: JSON) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip()
        token = params.pop("token", None)
        return str(token) if token else None

    def _authenticate_app(self, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in self.app_tokens:
            raise SlackError("invalid_auth")

    def _authenticate(self, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in self.tokens:
            raise SlackError("invalid_auth")

    # -- helpers for the methods -----------------------------------------------------------

    def _channel(self, params: JSON, *, need_member: bool = True) -> FakeChannel:
        ref = str(params.get("channel") or "")
        channel = self.channels.get(ref) or next(
            (c for c in self.channels.values() if ref.lstrip("#") == c.name and not c.is_im), None
        )
        if channel is None:
            raise SlackError("channel_not_found")
        if need_member and not channel.is_member:
            raise SlackError("not_in_channel")
        return channel

    def _find(self, channel: str, ts: str) -> StoredMessage | None:
        return next((m for m in self._messages.get(channel, []) if m.ts == ts), None)

    def _new_ts(self) -> str:
        micros, self._next_ts = self._next_ts, self._next_ts + _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def _check_content(params: JSON) -> tuple[list[JSON] | None, list[JSON] | None]:
        blocks, attachments = _json_field(params, "blocks"), _json_field(params, "attachments")
        if not params.get("text") and not blocks and not attachments:
            raise SlackError("no_text")
        if len(str(params.get("text") or "")) > MAX_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None and (
            not isinstance(blocks, list)
            or len(blocks) > MAX_BLOCKS
            or not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks)
        ):
            raise SlackError("invalid_blocks")
        if attachments is not None and not isinstance(attachments, list):
            raise SlackError("invalid_attachments")
        return blocks, attachments

    @staticmethod
    def _metadata(params: JSON) -> JSON | None:
        metadata = _json_field(params, "metadata")
        if metadata is None:
            return None
        if (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")
        return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}

    def _store(
        self,
        channel: str,
        params: JSON,
        user: str,
        bot_id: str | None,
        source: Literal["api", "webhook", "seeded"],
        metadata: JSON | None,
    ) -> StoredMessage:
        thread_ts = params.get("thread_ts") or None
        parent = None
        if thread_ts is not None:
            parent = self._find(channel, str(thread_ts))
            if parent is None or parent.is_reply:
                raise SlackError("invalid_thread_ts")
        blocks, attachments = _json_field(params, "blocks"), _json_field(params, "attachments")
        ts = self._new_ts()
        message = StoredMessage(
            channel=channel,
            ts=ts,
            text=str(params.get("text") or ""),
            user=user,
            bot_id=bot_id,
            source=source,
            thread_ts=str(thread_ts) if thread_ts else None,
            blocks=blocks,
            attachments=attachments,
            metadata=metadata,
            params=dict(params),
        )
        if parent is not None:
            parent.thread_ts = parent.ts
            parent.replies.append(message)
        self._messages[channel].append(message)
        return message

    def _render(self, message: StoredMessage, *, with_metadata: bool = True) -> JSON:
        parent = self._find(message.channel, message.thread_ts or "") if message.is_reply else None
        return message.to_slack(
            with_metadata=with_metadata, parent_user=parent.user if parent else None
        )

    # -- Web API methods -------------------------------------------------------------------

    def _auth_test(self, params: JSON) -> JSON:
        return {
            "url": "https://fake-team.slack.com/",
            "team": "Fake Team",
            "user": self.users[BOT_USER_ID],
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: JSON) -> JSON:
        channel = self._channel(params)
        if channel.is_archived:
            raise SlackError("is_archived")
        self._check_content(params)
        metadata = self._metadata(params)
        if params.get("thread_ts"):
            # Validate the thread before spending a rate-limit token on a doomed post.
            parent = self._find(channel.id, str(params["thread_ts"]))
            if parent is None or parent.is_reply:
                raise SlackError("invalid_thread_ts")
        self._buckets.take(channel.id)
        message = self._store(channel.id, params, BOT_USER_ID, BOT_ID, "api", metadata)
        return {"channel": channel.id, "ts": message.ts, "message": self._render(message)}

    def _update(self, params: JSON) -> JSON:
        channel = self._channel(params)
        message = self._find(channel.id, str(params.get("ts") or ""))
        if message is None:
            raise SlackError("message_not_found")
        if message.user != BOT_USER_ID or message.source == "webhook":
            raise SlackError("cant_update_message")
        blocks, attachments = self._check_content({"text": message.text, **params})
        if "text" in params:
            message.text = str(params["text"] or "")
        if blocks is not None:
            message.blocks = blocks
        if attachments is not None:
            message.attachments = attachments
        metadata = self._metadata(params)
        if metadata is not None:
            message.metadata = metadata
        message.edited_ts = self._new_ts()
        return {
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": self._render(message),
        }

    def _post_ephemeral(self, params: JSON) -> JSON:
        channel = self._channel(params)
        user = str(params.get("user") or "")
        if user not in self.users:
            raise SlackError("user_not_in_channel")
        blocks, attachments = self._check_content(params)
        thread_ts = params.get("thread_ts") or None
        message = StoredMessage(
            channel=channel.id,
            ts=self._new_ts(),
            text=str(params.get("text") or ""),
            user=BOT_USER_ID,
            bot_id=BOT_ID,
            source="ephemeral",
            thread_ts=str(thread_ts) if thread_ts else None,
            blocks=blocks,
            attachments=attachments,
            ephemeral_to=user,
            params=dict(params),
        )
        self.ephemerals.append(message)
        return {"message_ts": message.ts}

    def _conversations_info(self, params: JSON) -> JSON:
        return {"channel": self._channel(params, need_member=False).to_slack()}

    def _history(self, params: JSON) -> JSON:
        channel = self._channel(params)
        with_metadata = _as_bool(params.get("include_all_metadata"))
        top_level = [m for m in reversed(self._messages.get(channel.id, [])) if not m.is_reply]
        page, cursor = _page([m for m in top_level if _in_range(m.ts, params)], params, 100)
        return {
            "messages": [self._render(m, with_metadata=with_metadata) for m in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _replies(self, params: JSON) -> JSON:
        channel = self._channel(params)
        if not params.get("ts"):
            raise SlackError("invalid_arguments")
        thread = self.thread(channel.id, str(params["ts"]))
        if not thread:
            raise SlackError("thread_not_found")
        with_metadata = _as_bool(params.get("include_all_metadata"))
        page, cursor = _page([m for m in thread if _in_range(m.ts, params)], params, 1000)
        return {
            "messages": [self._render(m, with_metadata=with_metadata) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_open(self, params: JSON) -> JSON:
        if params.get("channel"):
            return {
                "channel": {"id": self._channel(params).id},
                "no_op": True,
                "already_open": True,
            }
        users = tuple(
            sorted(u.strip() for u in str(params.get("users") or "").split(",") if u.strip())
        )
        if not users:
            raise SlackError("users_list_not_supplied")
        if any(user not in self.users for user in users):
            raise SlackError("user_not_found")
        existing = next((c for c in self.channels.values() if c.is_im and c.users == users), None)
        if existing is None:
            prefix = "D" if len(users) == 1 else "G"
            existing = FakeChannel(
                f"{prefix}0DM{len(self.channels):05d}", "", is_im=True, users=users
            )
            existing.name = existing.id
            self.channels[existing.id] = existing
            opened = False
        else:
            opened = True
        channel = existing.to_slack() if _as_bool(params.get("return_im")) else {"id": existing.id}
        return {"channel": channel, "no_op": opened, "already_open": opened}

    def _users_info(self, params: JSON) -> JSON:
        user = str(params.get("user") or "")
        if user not in self.users:
            raise SlackError("user_not_found")
        name = self.users[user]
        return {
            "user": {
                "id": user,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": name,
                "deleted": False,
                "is_bot": user == BOT_USER_ID,
                "is_admin": user in self.admins,
                "is_owner": False,
                "is_primary_owner": False,
                "tz": "UTC",
                "profile": {"real_name": name, "display_name": name},
            }
        }

    def _usergroup_users(self, params: JSON) -> JSON:
        group = str(params.get("usergroup") or "")
        if group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[group])}
