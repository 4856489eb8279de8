"""The console as a platform adapter: console channels' posts are printed to the terminal.

Listed in `bot.app.main.ADAPTERS` and started like Slack and Discord. It has nothing to connect
and no users to message; typed commands are answered by the run's command loop
(`adapters.console.repl`), which reads the terminal for every platform's bot, not only this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console

from adapters.console.publisher import ConsolePublisher
from bot.adapter_contract import ASGIApp, ContextFactory, DirectMessenger
from config import BotSettings


class ConsoleAdapter:
    platform = "console"

    def __init__(self, settings: BotSettings, context: ContextFactory, console: Console) -> None:
        self.settings = settings
        self.context = context
        self.publisher = ConsolePublisher(console)
        self.direct: DirectMessenger | None = None
        self.http_routes: Mapping[str, ASGIApp] = {}

    async def start(self) -> None:
        """Nothing to connect: the terminal is there from the start."""

    async def close(self) -> None:
        """Nothing to release."""
