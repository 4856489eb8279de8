"""What a chat platform adapter gives the running bot: a publisher, and a connection to serve.

The core never imports an adapter; `bot.app.main` loads one by name only when a configured channel
needs it, and talks to it through this protocol alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from bot.alerts import DirectMessenger
from bot.commands import Caller, CommandContext
from bot.delivery.publisher import Publisher


class ContextFactory(Protocol):
    """A fresh `CommandContext` per command: today's date moves, the archive is shared.

    Adapters pass the `Caller` (who, where, admin or not) for the commands that depend on it.
    """

    def __call__(self, caller: Caller | None = None) -> CommandContext: ...


ASGIApp = Callable[..., Awaitable[None]]  # (scope, receive, send): typed loosely, as servers do
"""An ASGI application; adapters that receive HTTP requests (Slack's HTTP mode) offer one."""


class PlatformAdapter(Protocol):
    """One platform: `publisher` delivers digests; `start` connects for slash commands."""

    platform: str
    publisher: Publisher
    # Sends the keyword alerts (`/paper-alert`) as direct messages; None without a bot token.
    direct: DirectMessenger | None
    # Paths this adapter serves on the bot's [http] server, e.g. {"/slack/events": app}.
    http_routes: Mapping[str, ASGIApp]

    async def start(self) -> None:
        """Connect (gateway, Socket Mode, HTTP listener) and return once commands are served.

        An adapter with nothing to connect (webhook-only channels, no token) returns at once.
        Raise `ConfigError` for a token the platform refuses, naming the variable to fix.
        """
        ...

    async def close(self) -> None:
        """Disconnect and release every connection; safe to call twice or before `start`."""
        ...
