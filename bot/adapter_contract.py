"""The contract a chat platform adapter implements: the one place to read before adding a platform.

An adapter (`adapters/<platform>/adapter.py`) is a `PlatformAdapter`, constructed as
`Adapter(settings, context)` and listed in `bot.app.main.ADAPTERS`. It brings:

- a `Publisher` (defined in `bot.delivery.publisher`, beside the delivery records it uses) that
  renders and sends a digest post to a channel target, and edits it later;
- optionally a `DirectMessenger` (defined in `bot.alerts.notifier`) for the keyword alerts' DMs;
- the commands it serves, each run with a fresh `CommandContext` from the `ContextFactory` it is
  given, filled with a `Caller` (who asked, where, admin or not);
- `start`/`close` for its connection, and any `http_routes` it serves on the bot's [http] server.

The core never imports an adapter; `bot.app.main` loads one by name only when a configured
channel needs it, and talks to it through this contract alone. Publisher and DirectMessenger are
re-exported here so that an adapter imports its whole contract from one module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from bot.alerts.notifier import DirectMessenger
from bot.commands.context import Caller, CommandContext, CommandResult
from bot.delivery.publisher import DeliveryKey, Publisher, RecordSent, SentMessage, fingerprint

__all__ = [
    "ASGIApp",
    "Caller",
    "CommandContext",
    "CommandResult",
    "ContextFactory",
    "DeliveryKey",
    "DirectMessenger",
    "PlatformAdapter",
    "Publisher",
    "RecordSent",
    "SentMessage",
    "fingerprint",
]


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
    # Sends the keyword alerts (`/paper-alert`) as direct messages; None without a bot token
    # (and always None for the console, which has no users to message).
    direct: DirectMessenger | None
    # Paths this adapter serves on the bot's [http] server, e.g. {"/slack/events": app}.
    http_routes: Mapping[str, ASGIApp]

    async def start(self) -> None:
        """Connect (gateway, Socket Mode, HTTP listener) and return once commands are served.

        An adapter with nothing to connect (webhook-only channels, no token, the console)
        returns at once. Raise `ConfigError` for a token the platform refuses, naming the
        variable to fix.
        """
        ...

    async def close(self) -> None:
        """Disconnect and release every connection; safe to call twice or before `start`."""
        ...
