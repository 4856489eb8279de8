"""The bot's [http] server: /healthz and /metrics, plus whatever paths adapters serve.

A tiny ASGI router rather than a web framework: three fixed routes and a prefix table. uvicorn
serves it; it is imported only when the server starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.adapter_contract import ASGIApp
from bot.errors import ConfigError

log = logging.getLogger(__name__)

HealthCheck = Callable[[], tuple[bool, dict[str, Any]]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class WebApp:
    def __init__(self, health: HealthCheck, routes: Mapping[str, ASGIApp]) -> None:
        self.health = health
        self.routes = dict(routes)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path in self.routes:
            await self.routes[path](scope, receive, send)
        elif path == "/healthz" and scope["method"] in ("GET", "HEAD"):
            healthy, details = self.health()
            body = json.dumps({"status": "ok" if healthy else "failing", **details}).encode()
            await respond(send, 200 if healthy else 503, "application/json", body)
        elif path == "/metrics" and scope["method"] in ("GET", "HEAD"):
            await respond(send, 200, CONTENT_TYPE_LATEST, generate_latest())
        else:
            await respond(send, 404, "text/plain; charset=utf-8", b"not found\n")


class BodyTooLarge(Exception):
    """The request's body is longer than the route accepts (answer 413)."""


class RequestAborted(Exception):
    """The client went away before its body was complete (answer nothing)."""


async def read_body(scope: Mapping[str, Any], receive: Receive, limit: int) -> bytes:
    """The request's body, read chunk by chunk and never more than `limit` bytes of it.

    A declared Content-Length past the limit is refused before a byte is read; a chunked body is
    refused as soon as it passes the limit. Either way an unauthenticated sender cannot make the
    bot hold more than `limit` bytes.
    """
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = limit + 1  # servers reject these first; refuse rather than guess
            if declared > limit:
                raise BodyTooLarge
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise RequestAborted
        body += message.get("body", b"")
        if len(body) > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return bytes(body)


async def respond(send: Send, status: int, content_type: str, body: bytes) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound TCP socket for uvicorn's `sockets=`; OSError if the address is taken or wrong.

    Made with `IPPROTO_TCP` named, not the default protocol 0: asyncio turns Nagle off
    (TCP_NODELAY) only on sockets whose `proto` says TCP, and uvicorn writes an answer's headers
    and body separately. With Nagle on, the body waited for the client's delayed ACK of the
    headers, ~40 ms added to every slash-command answer (benchmarks/slack_commands.py).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class WebServer:
    """uvicorn serving a `WebApp` in the bot's event loop, started and stopped with the bot."""

    def __init__(self, app: WebApp, host: str, port: int) -> None:
        self.app, self.host, self.port = app, host, port
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    async def start(self) -> int:
        """Listen and return the port (the given one, or the one picked for port 0)."""
        import uvicorn

        try:
            sock = tcp_listener(self.host, self.port)
        except OSError as error:
            raise ConfigError(
                [f"http: cannot listen on {self.host}:{self.port} ({error.strerror})"]
            ) from None
        self._socket = sock

        class _Server(uvicorn.Server):
            # The bot owns SIGTERM/SIGINT (it stops the scheduler, then this server).
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        # No log config or level of uvicorn's own: its lines go through the bot's handlers (and
        # their redacting filter) at the level the command line set for "uvicorn".
        config = uvicorn.Config(
            self.app, log_config=None, log_level=None, access_log=False, lifespan="on"
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        self.port = int(sock.getsockname()[1])
        log.info("http: serving /healthz and /metrics on %s:%d", self.host, self.port)
        return self.port

    async def close(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
