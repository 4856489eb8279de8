"""Wiring the running bot: archive, source, ledger, publishers, scheduler, console.

Adapters are imported inside functions, only when a configured channel needs them, so the
platform SDKs stay optional extras and the console needs none.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
from typing import TextIO

from rich.console import Console

from bot.app.runner import DigestRunner
from bot.archive import Archive
from bot.commands import CommandContext
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.publisher import Publisher
from bot.errors import ConfigError
from bot.formatter import FormatOptions, format_digest
from bot.ingest import import_from_source
from bot.schedule import ChannelScheduler
from bot.sources import DirectorySource, source_from_spec
from config import BotSettings

log = logging.getLogger(__name__)


def owner_name() -> str:
    """Who holds a ledger claim: enough to tell two processes apart in the database."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_publishers(settings: BotSettings, console: Console) -> dict[str, Publisher]:
    from adapters.console.publisher import ConsolePublisher

    publishers: dict[str, Publisher] = {"console": ConsolePublisher(console)}
    missing = sorted({c.platform for c in settings.channels} - set(publishers))
    if missing:
        raise ConfigError(
            [
                f"channels: platform '{name}' has no adapter in this version yet; use 'console' "
                "or remove the channel"
                for name in missing
            ]
        )
    return publishers


class BotApp:
    """Everything one bot process holds; `run` serves until stopped."""

    def __init__(self, settings: BotSettings, console: Console) -> None:
        self.settings = settings
        self.console = console
        self.archive = Archive.from_url(settings.resolved_database_url)
        self.source = source_from_spec(settings.source)
        self.ledger = DeliveryLedger(self.archive.engine, owner_name())
        self.engine = DeliveryEngine(self.ledger, build_publishers(settings, console))
        self.runner = DigestRunner(settings, self.archive, self.source, self.engine)

    def command_context(self) -> CommandContext:
        options = FormatOptions(language=self.settings.language)
        return CommandContext(archive=self.archive, today=dt.date.today(), options=options)

    async def refresh_archive(self) -> None:
        """A folder source is imported whole at start-up (unchanged files cost nothing)."""
        if isinstance(self.source, DirectorySource):
            report = await import_from_source(self.archive, self.source)
            log.info(
                "archive: %d digests, %d new or updated",
                report.files,
                len(report.added_days) + len(report.updated_days),
            )

    def show_latest(self) -> None:
        from adapters.console.render import print_post

        latest = self.archive.latest_date()
        digest = None if latest is None else self.archive.get_digest(latest)
        if digest is None:
            self.console.print("The archive is empty: nothing to show yet.")
            return
        print_post(format_digest(digest, self.command_context().options), self.console)

    async def run(self, stdin: TextIO, *, stop: asyncio.Event | None = None) -> int:
        from adapters.console.repl import command_loop

        stop = stop or asyncio.Event()
        await self.refresh_archive()
        if not self.settings.channels:
            # The embedded default: show the latest digest as a post, then answer commands.
            self.show_latest()
            await command_loop(
                self.command_context, stdin, self.console, interactive=stdin.isatty()
            )
            return 0
        await self.runner.catch_up()
        scheduler = ChannelScheduler(self._scheduled)
        for channel in self.settings.channels:
            scheduler.add(channel.name, channel.schedule, channel.timezone)
        scheduler.start()
        _stop_on_signals(stop)
        try:
            for channel in self.settings.channels:
                log.info("channel=%s next run %s", channel.name, scheduler.next_run(channel.name))
            await stop.wait()
        finally:
            scheduler.shutdown()
        return 0

    async def _scheduled(self, name: str, fire_time: dt.datetime) -> None:
        await self.runner.run_scheduled(self.settings.channel(name), fire_time)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not possible off the main thread or on a non-Unix loop; Ctrl-C still ends the process.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
