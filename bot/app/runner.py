"""The running bot's behaviour over time: scheduled posts, waiting for late digests, catching up.

Everything time-related takes an injected clock and sleep, so tests move time instead of waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.archive import Archive
from bot.delivery.engine import DeliveryEngine, DeliveryTarget, Outcome
from bot.errors import SourceError
from bot.models import Digest
from bot.schedule import fire_times_between, time_zone
from bot.sources import DigestSource
from config import BotSettings, ChannelConfig

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]
POLL_FIRST_DELAY = 60.0
POLL_MAX_DELAY = 15 * 60.0


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest_day(channel: ChannelConfig, fire_time: dt.datetime) -> dt.date:
    """The digest a run at `fire_time` posts: that day (or the day before) where the channel is."""
    local = fire_time.astimezone(time_zone(channel.timezone)).date()
    return local - dt.timedelta(days=1) if channel.post_day == "yesterday" else local


class DigestRunner:
    def __init__(
        self,
        settings: BotSettings,
        archive: Archive,
        source: DigestSource,
        engine: DeliveryEngine,
        *,
        webhook_url: Callable[[ChannelConfig], str | None] | None = None,
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

    def target(self, channel: ChannelConfig) -> DeliveryTarget:
        address = self._webhook_url(channel) if channel.is_webhook else channel.target
        return DeliveryTarget(
            channel=channel.name,
            platform=channel.platform,
            target=address or channel.name,
            options=channel.format_options(),
        )

    async def digest_for(self, day: dt.date) -> Digest | None:
        """The day's digest from the archive, else fetched from the source and archived."""
        found = self.archive.get_digest(day)
        if found is not None and found.papers:
            return found
        fetched = await self.source.fetch(day)
        if fetched is None:
            return None
        self.archive.import_digests([fetched])
        return self.archive.get_digest(day)

    async def post(self, channel: ChannelConfig, day: dt.date) -> Outcome | None:
        """Deliver the day's digest to a channel now; None when the source has none yet."""
        digest = await self.digest_for(day)
        if digest is None:
            return None
        return await self.engine.deliver(self.target(channel), digest)

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
            if self.clock() + dt.timedelta(seconds=delay) > deadline:
                log.warning(
                    "channel=%s date=%s: no digest by %s; nothing posted for that day",
                    channel.name,
                    day,
                    deadline.isoformat(timespec="minutes"),
                )
                return None
            await self.sleep(delay)
            delay = min(delay * 2, POLL_MAX_DELAY)

    async def catch_up(self) -> dict[str, list[dt.date]]:
        """Post the days each channel missed while the bot was down, within its catch-up window.

        Unfinished deliveries (a crash mid-thread) are among them: the ledger resumes those.
        """
        now = self.clock()
        posted: dict[str, list[dt.date]] = {}
        for channel in self.settings.channels:
            window = dt.timedelta(hours=channel.catch_up_hours)
            missed = fire_times_between(channel.schedule, channel.timezone, now - window, now)
            for day in sorted({digest_day(channel, fire) for fire in missed}):
                done = self.engine.ledger.get(channel.name, day)
                if done is not None and done.state in ("done", "abandoned"):
                    continue
                try:
                    outcome = await self.post(channel, day)
                except SourceError as error:
                    log.warning("catch-up channel=%s date=%s: %s", channel.name, day, error)
                    continue
                if outcome == "delivered":
                    posted.setdefault(channel.name, []).append(day)
        return posted
