"""Wiring the running bot: archive, source, ledger, platform adapters, scheduler, console.

Adapters are imported inside functions, only when a configured channel needs them, so the
platform SDKs stay optional extras and the console needs none. What an adapter implements is
`bot.adapter_contract`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console

from bot.adapter_contract import ASGIApp
from bot.alerts import AlertNotifier, AlertStore, DirectMessenger
from bot.app.adapters import build_adapters
from bot.archive import Archive
from bot.clock import Clock, Sleep, utc_now
from bot.commands import BotServices, Caller, CommandContext
from bot.delivery.engine import DeliveryEngine
from bot.delivery.health import delivery_health
from bot.delivery.ledger import DeliveryLedger, owner_name
from bot.delivery.publisher import Publisher
from bot.delivery.runner import DigestRunner
from bot.delivery.schedules import ScheduledDeliveries
from bot.delivery.unavailable import UnavailablePublisher
from bot.errors import ConfigError, PlatformUnavailable
from bot.formatter import FormatOptions, format_digest
from bot.ingest import import_from_source, is_sample, sample_notice
from bot.schedule import ChannelScheduler
from bot.sources import DigestSource, DirectorySource, FetchLimits, source_from_spec
from config import BotSettings

if TYPE_CHECKING:
    from adapters.console.lines import ReadLine
    from bot.app.web import WebServer

log = logging.getLogger(__name__)


RETRY_INTERVAL_SECONDS = 300
# A platform's start (login, gateway, Socket Mode) that takes longer is given up; Discord's own
# wait for READY is 60 s.
START_SECONDS = 90.0


def build_app(settings: BotSettings, console: Console) -> BotApp:
    """The bot as `digest-bot run` and `post` start it: the configured source, the wall clock."""
    limits = FetchLimits(
        max_bytes=settings.source_max_bytes, deadline=settings.source_deadline_seconds
    )
    return BotApp(
        settings,
        console,
        source=source_from_spec(settings.source, limits=limits),
        clock=utc_now,
    )


class BotApp:
    """Everything one bot process holds; `run` serves until stopped.

    Each started adapter brings its platform's publisher; `publishers` serve platforms without
    one (tests' fakes). Tests pass a fake source, a manual clock and sleep (`build_app` has the
    real ones).
    """

    def __init__(
        self,
        settings: BotSettings,
        console: Console,
        *,
        source: DigestSource,
        publishers: Mapping[str, Publisher] | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.console = console
        self.archive = Archive.from_url(settings.resolved_database_url)
        self.source = source
        self.ledger = DeliveryLedger(self.archive.engine, owner_name(), clock=clock)
        self.alerts = AlertStore(self.archive.engine, clock=clock)
        self.adapters = build_adapters(settings, self.command_context, console)
        # A platform that cannot connect gets a stand-in here.
        self.publishers = dict(publishers or {})
        self.publishers.update({name: adapter.publisher for name, adapter in self.adapters.items()})
        # Platforms whose bot connection failed to start, with the one-line reason.
        self.down: dict[str, PlatformUnavailable] = {}
        self._retry_every: float | None = None
        self.engine = DeliveryEngine(self.ledger, self.publishers)
        self.runner = DigestRunner(
            settings, self.archive, self.source, self.engine, clock=clock, sleep=sleep
        )
        # Keyword alerts: one DM per user and digest day, once the day was delivered somewhere.
        senders: dict[str, DirectMessenger] = {
            name: adapter.direct for name, adapter in self.adapters.items() if adapter.direct
        }
        self.alert_notifier = AlertNotifier(
            self.alerts, senders, options=FormatOptions(language=settings.language)
        )
        self.runner.digest_listeners.append(self.alert_notifier.notify)
        self.web: WebServer | None = None
        self.scheduler: ChannelScheduler | None = None

    def command_context(self, caller: Caller | None = None) -> CommandContext:
        options = FormatOptions(language=self.settings.language)
        services = BotServices(
            self.runner.channels, self.ledger, self.runner.health, alerts=self.alerts
        )
        return CommandContext(
            archive=self.archive,
            today=dt.date.today(),
            options=options,
            caller=caller,
            services=services,
        )

    async def refresh_archive(self) -> None:
        """A folder source is imported whole at start-up (unchanged files cost nothing)."""
        if isinstance(self.source, DirectorySource):
            report = await import_from_source(
                self.archive, self.source, on_wait=_log_waiting_for_import
            )
            log.info(
                "archive: %d digests, %d new or updated",
                report.files,
                len(report.added_days) + len(report.updated_days),
            )
            for failure in report.failed:  # one unreadable file: named, the others were read
                log.warning("archive: not imported: %s", failure)

    @contextlib.asynccontextmanager
    async def connected(
        self, *, serve_http: bool = True, retry_every: float | None = RETRY_INTERVAL_SECONDS
    ) -> AsyncIterator[None]:
        """Adapters started (and the [http] server up, if `serve_http`) for the block.

        Each platform starts on its own: one that cannot connect is logged in one line and put
        in `down`, its bot channels fail with that line, and its webhook channels and the other
        platforms go on. Unless the platform refused the token (fixed only by a restart), it is
        started again every `retry_every` seconds (None: never, as `post` wants).
        """
        retrying: asyncio.Task[None] | None = None
        self._retry_every = retry_every
        try:
            if serve_http:
                await self._start_web()
            await asyncio.gather(*(self._start(name) for name in self.adapters))
            if retry_every is not None and self.down:
                retrying = asyncio.create_task(self._start_again(retry_every))
            yield
        finally:
            if retrying is not None:
                retrying.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await retrying
            for adapter in self.adapters.values():
                with contextlib.suppress(Exception):
                    await adapter.close()
            if self.web is not None:
                await self.web.close()

    async def _start(self, name: str) -> None:
        """Start one adapter within `START_SECONDS`; on failure, record why in `down`."""
        adapter = self.adapters[name]
        try:
            await asyncio.wait_for(adapter.start(), START_SECONDS)
        except ConfigError as error:  # a refused token: the same on every attempt
            failure = PlatformUnavailable("; ".join(error.problems), permanent=True)
        except PlatformUnavailable as error:
            failure = error
        except TimeoutError:
            failure = PlatformUnavailable(f"{name}: did not connect within {START_SECONDS:g} s")
        except Exception as error:  # an adapter bug must not stop the other platforms
            log.debug("%s: start failed", name, exc_info=True)
            failure = PlatformUnavailable(f"{name}: could not start ({type(error).__name__})")
        else:
            self.down.pop(name, None)
            self.publishers[name] = adapter.publisher
            log.info("%s: adapter started", name)
            return
        self.down[name] = failure
        self.publishers[name] = UnavailablePublisher(adapter.publisher, str(failure))
        again = self._retry_every is not None and not failure.permanent
        later = "; webhook channels go on" + (
            f"; trying again every {self._retry_every:g} s" if again else ""
        )
        log.error("%s: not connected: %s%s", name, failure, later)

    async def _start_again(self, every: float) -> None:
        while any(not failure.permanent for failure in self.down.values()):
            await asyncio.sleep(every)
            for name in [n for n, failure in self.down.items() if not failure.permanent]:
                await self._start(name)

    async def _start_web(self) -> None:
        from bot.app.web import WebApp, WebServer

        routes: dict[str, ASGIApp] = {}
        for adapter in self.adapters.values():
            routes.update(adapter.http_routes)
        if not (self.settings.http.enabled or routes):
            return
        http = self.settings.http
        self.web = WebServer(WebApp(self.health, routes), http.host, http.port)
        await self.web.start()

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Healthy when the database answers and the scheduler runs; details per channel."""
        scheduling = self.scheduler is not None and self.scheduler.running
        names = [channel.name for channel in self.settings.channels]
        return delivery_health(self.archive, self.ledger, names, scheduling=scheduling)

    def show_latest(self) -> None:
        from adapters.console.render import print_post

        latest = self.archive.latest_date()
        digest = None if latest is None else self.archive.get_digest(latest)
        if digest is None:
            self.console.print("The archive is empty: nothing to show yet.")
            return
        print_post(format_digest(digest, self.command_context().options), self.console)
        if is_sample(self.source):
            self.console.print(sample_notice(), markup=False, highlight=False)

    async def run(
        self,
        stdin: TextIO,
        *,
        stop: asyncio.Event | None = None,
        read_line: ReadLine | None = None,
    ) -> int:
        """Serve until stopped, answering typed commands whenever stdin is a terminal.

        Without channels or platforms (the embedded default) commands are read from any stdin and
        its end ends the run. Typing /quit, Ctrl-D or Ctrl-C ends the run too, scheduler and all.
        `read_line` reads the typed lines instead of stdin (tests).
        """
        from adapters.console.lines import is_terminal, reader_for
        from adapters.console.repl import command_loop

        stop = stop or asyncio.Event()
        await self.refresh_archive()
        _stop_on_signals(stop)
        typed = read_line or reader_for(stdin, self.console.file, self.settings.data_dir)
        if not self.settings.channels and not self.adapters:
            # The embedded default: show the latest digest as a post, then answer commands.
            self.show_latest()
            await command_loop(self.command_context, typed, self.console, stop=stop)
            return 0
        # A service's stdin (/dev/null, a closed pipe) is not read: its end must not stop the bot.
        answering = read_line is not None or is_terminal(stdin)
        async with self.connected():
            await self.runner.catch_up()
            deliveries = ScheduledDeliveries(self.runner)
            scheduler = self.scheduler = deliveries.scheduler
            live = self.settings.live
            if self.source.live and live.window_hours > 0:
                # Late papers and new votes: recent posts are edited in place, never posted again.
                scheduler.every("live", live.refresh_minutes * 60, self.runner.refresh_live)
            # Failed deliveries, and claims left by a crashed process on another machine, are
            # picked up again while the day is inside the channel's catch-up window.
            scheduler.every("catch-up", RETRY_INTERVAL_SECONDS, self.runner.catch_up)
            scheduler.start()
            try:
                for channel in self.settings.channels:
                    log.info(
                        "channel=%s next run %s", channel.name, scheduler.next_run(channel.name)
                    )
                if answering:
                    await command_loop(self.command_context, typed, self.console, stop=stop)
                else:
                    await stop.wait()
            finally:
                deliveries.shutdown()
                self.scheduler = None
        return 0


def _log_waiting_for_import() -> None:
    log.warning("archive: another import is writing the archive; waiting for it to finish")


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not possible off the main thread or on a non-Unix loop; Ctrl-C still ends the process.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
