"""Delivering the digest over time: scheduled posts, waiting for late digests, catching up,
weekly posts and live updates. Every day reaches a channel through `DigestRunner.deliver_day`,
whether the scheduler or `digest-bot post` asks.

Everything time-related takes an injected clock and sleep, so tests move time instead of waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.archive import Archive
from bot.channels import ChannelConfig, ChannelRegistry
from bot.clock import Clock, Sleep, utc_now
from bot.delivery.engine import DeliveryEngine, DeliveryTarget, Outcome
from bot.delivery.kinds import DeliveryKind
from bot.delivery.live import ListWatch
from bot.delivery.weekly import week_before, weekly_post
from bot.errors import SourceError
from bot.models import Digest
from bot.schedule import fire_times_between, time_zone
from bot.sources import DigestSource
from bot.sources.health import SourceHealth

log = logging.getLogger(__name__)

DigestListener = Callable[[Digest], Awaitable[None]]
# What a catch-up posted: the days of each channel's daily digest and weekly post.
Posted = dict[tuple[str, DeliveryKind], list[dt.date]]
POLL_FIRST_DELAY = 60.0
POLL_MAX_DELAY = 15 * 60.0


class LiveTiming(Protocol):
    """How long a live day's list must stay unchanged, and how long its posts are updated."""

    @property
    def settle_minutes(self) -> float: ...

    @property
    def window_hours(self) -> float: ...


class DeliverySettings(Protocol):
    """What the runner reads of the bot's settings; `config.BotSettings` is one."""

    @property
    def channels(self) -> Sequence[ChannelConfig]: ...

    @property
    def live(self) -> LiveTiming: ...

    def webhook_url(self, channel: ChannelConfig) -> str | None: ...


def digest_day(channel: ChannelConfig, fire_time: dt.datetime) -> dt.date:
    """The digest a run at `fire_time` posts: that day (or the day before) where the channel is."""
    local = fire_time.astimezone(time_zone(channel.timezone)).date()
    return local - dt.timedelta(days=1) if channel.post_day == "yesterday" else local


class DigestRunner:
    """The bot's delivery use case: which day goes to which channel when, through the engine."""

    def __init__(
        self,
        settings: DeliverySettings,
        archive: Archive,
        source: DigestSource,
        engine: DeliveryEngine,
        *,
        webhook_url: Callable[[ChannelConfig], str | None] | None = None,
        channels: ChannelRegistry | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.source = source
        self.engine = engine
        self.clock = clock
        self.sleep = sleep
        self._webhook_url = webhook_url or settings.webhook_url
        self.health = SourceHealth(source.description, started_at=clock())
        # The channels with the settings changed in chat (/digest-config) applied, read at each use.
        self.channels = channels or ChannelRegistry(settings.channels, archive.engine)
        # Called with the day's digest after it was delivered to a channel, and again when a
        # live update brought new papers (keyword alerts listen here); each must dedupe itself.
        self.digest_listeners: list[DigestListener] = []
        live = settings.live
        self.watch = ListWatch(live=source.live, settle=dt.timedelta(minutes=live.settle_minutes))

    def target(self, channel: ChannelConfig, kind: DeliveryKind = "daily") -> DeliveryTarget:
        address = self._webhook_url(channel) if channel.is_webhook else channel.target
        return DeliveryTarget(
            channel=channel.name,
            platform=channel.platform,
            target=address or channel.name,
            options=channel.format_options(),
            kind=kind,
        )

    async def digest_for(self, day: dt.date) -> Digest | None:
        """The day's digest from the archive, else fetched from the source and archived.

        A live source is always asked again: its day may have grown since it was archived.
        """
        found = self.archive.get_digest(day)
        if found is not None and found.papers and not self.source.live:
            return found
        fetched = await self.fetch(day)
        if fetched is None:
            return found if found is not None and found.papers else None
        self.archive.import_digests([fetched])
        return self.archive.get_digest(day)

    async def fetch(self, day: dt.date) -> Digest | None:
        """Ask the source, keeping its health for /digest-status."""
        try:
            fetched = await self.source.fetch(day)
        except SourceError as error:
            self.health.failed(str(error), at=self.clock())
            raise
        self.health.fetched(day, found=fetched is not None, at=self.clock())
        return fetched

    async def post(self, channel: ChannelConfig, day: dt.date) -> Outcome | None:
        """Deliver the day's digest to a channel now; None when the source has none (or, for a
        live source, when the day's list is still changing)."""
        digest = await self.digest_for(day)
        if digest is None or not self.watch.settled(digest, self.clock()):
            return None
        return await self.deliver_day(channel, digest)

    async def deliver_day(self, channel: ChannelConfig, digest: Digest) -> Outcome:
        """Deliver one day's digest to a channel, then tell the listeners (keyword alerts).

        The one way a day reaches a channel: the scheduler, catch-up and `digest-bot post` all
        come here. The listeners hear of a day with papers each time it was delivered; each
        dedupes itself (one alert message per user and day).
        """
        outcome = await self.engine.deliver(self.target(channel), digest)
        if outcome == "delivered" and digest.papers:
            await self.tell_listeners(digest)
        return outcome

    async def _nothing_by_deadline(self, channel: ChannelConfig, day: dt.date) -> Outcome | None:
        """The deadline passed: post what a still-changing list has, else the empty-day note."""
        digest = self.archive.get_digest(day)
        if digest is not None and digest.papers:
            log.info("channel=%s date=%s: posting the list as it is now", channel.name, day)
            return await self.deliver_day(channel, digest)
        if channel.empty_day_note:
            log.info("channel=%s date=%s: no papers; posting the note", channel.name, day)
            # Not archived: /top and /digest keep answering from days that had papers.
            note = Digest(date=day, papers=[], source=self.source.description)
            return await self.deliver_day(channel, note)
        log.warning("channel=%s date=%s: no digest; nothing posted for that day", channel.name, day)
        return None

    async def tell_listeners(self, digest: Digest) -> None:
        for listener in self.digest_listeners:
            try:
                await listener(digest)
            except Exception:  # a listener's bug must not stop deliveries
                log.exception("date=%s: a digest listener failed", digest.date)

    async def run_scheduled(self, channel: ChannelConfig, fire_time: dt.datetime) -> Outcome | None:
        """A scheduled run: post, or keep asking the source with backoff until the deadline."""
        day = digest_day(channel, fire_time)
        deadline = fire_time + dt.timedelta(hours=channel.wait_for_digest_hours)
        delay = POLL_FIRST_DELAY
        while True:
            try:
                outcome = await self.post(channel, day)
            except SourceError as error:
                log.warning("channel=%s date=%s: source failed: %s", channel.name, day, error)
                outcome = None
            if outcome is not None:
                return outcome
            now = self.clock()
            if now + dt.timedelta(seconds=delay) > deadline or self.watch.closed(day, now):
                return await self._nothing_by_deadline(channel, day)
            await self.sleep(delay)
            delay = min(delay * 2, POLL_MAX_DELAY)

    async def run_weekly(self, channel: ChannelConfig, fire_time: dt.datetime) -> Outcome | None:
        """The weekly post: the top papers of the seven days before; once per week."""
        first, last = week_before(channel, fire_time)
        post = weekly_post(self.archive, channel, first, last)
        if not post.messages[0].cards or not post.messages[0].cards[0].items:
            log.info("channel=%s week %s…%s: no papers; no weekly post", channel.name, first, last)
            return None
        return await self.engine.deliver_post(self.target(channel, "weekly"), last, post)

    async def refresh_live(self) -> dict[str, list[dt.date]]:
        """Edit recent posts of a live source in place with late papers and new votes."""
        window = dt.timedelta(hours=self.settings.live.window_hours)
        if not self.source.live or window <= dt.timedelta(0):
            return {}
        configured = set(self.channels.names())
        recent = [
            record
            for record in self.engine.live_deliveries(self.clock() - window)
            if record.channel in configured  # a channel removed from the config is left alone
        ]
        updated: dict[str, list[dt.date]] = {}
        for day in sorted({record.day for record in recent}):
            try:
                fetched = await self.fetch(day)
            except SourceError as error:
                log.warning("live update date=%s: source failed: %s", day, error)
                continue
            if fetched is None:
                continue
            self.archive.import_digests([fetched])
            digest = self.archive.get_digest(day)
            if digest is None:
                continue
            for record in recent:
                if record.day != day:
                    continue
                target = self.target(self.channels.get(record.channel))
                if await self.engine.update(target, digest) == "updated":
                    updated.setdefault(record.channel, []).append(day)
            if any(day in days for days in updated.values()):
                await self.tell_listeners(digest)
        return updated

    async def catch_up(self) -> Posted:
        """Post the days each channel missed while the bot was down, within its catch-up window.

        Unfinished deliveries (a crash mid-thread) are among them: the ledger resumes those.
        """
        now = self.clock()
        posted: Posted = {}
        for channel in self.channels.all():
            window = dt.timedelta(hours=channel.catch_up_hours)
            missed = fire_times_between(channel.schedule, channel.timezone, now - window, now)
            first_fire = {digest_day(channel, fire): fire for fire in reversed(missed)}
            for day, fire in sorted(first_fire.items()):
                if self.engine.finished(channel.name, day):
                    continue
                try:
                    outcome = await self.post(channel, day)
                except SourceError as error:
                    log.warning("catch-up channel=%s date=%s: %s", channel.name, day, error)
                    continue
                waited = fire + dt.timedelta(hours=channel.wait_for_digest_hours)
                if outcome is None and (now >= waited or self.watch.closed(day, now)):
                    # The run that would have waited for this day is over: what it would do.
                    outcome = await self._nothing_by_deadline(channel, day)
                if outcome == "delivered":
                    posted.setdefault((channel.name, "daily"), []).append(day)
            if channel.weekly_schedule:
                weeks = fire_times_between(
                    channel.weekly_schedule, channel.timezone, now - window, now
                )
                for fire in weeks:  # the ledger skips the weeks already posted
                    if await self.run_weekly(channel, fire) == "delivered":
                        posted.setdefault((channel.name, "weekly"), []).append(fire.date())
        return posted
