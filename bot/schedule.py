"""Time: cron schedules per channel, in the channel's time zone. The only module using APScheduler.

APScheduler is pinned below 4 (a different API); keeping it behind this module means an upgrade
touches one file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import functools
import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)


def time_zone(name: str) -> ZoneInfo:
    """A time zone by IANA name; ValueError with what to write instead."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        guess = nearest_zone(name)
        hint = (
            f"did you mean {guess}?"
            if guess
            else "use an IANA name such as UTC, Europe/Berlin or Asia/Seoul"
        )
        raise ValueError(f"'{name}' is not a time zone; {hint}") from None


def nearest_zone(name: str) -> str | None:
    """The zone name `name` most likely means: the same letters in another case, or a typo."""
    names = _zone_names()
    exact = names.get(name.strip().lower())
    if exact is not None:
        return exact
    close = difflib.get_close_matches(name.strip().lower(), list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None


@functools.cache
def _zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def cron_trigger(expression: str, zone: str) -> CronTrigger:
    """A trigger for a 5-field cron expression ("minute hour day month weekday") in `zone`."""
    tz = time_zone(zone)
    try:
        return CronTrigger.from_crontab(expression, timezone=tz)
    except ValueError as error:
        raise ValueError(
            f"'{expression}' is not a cron expression ({error}); write five fields "
            "'minute hour day month weekday', e.g. '0 9 * * *' for 09:00 every day"
        ) from None


def fire_times_between(
    expression: str, zone: str, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Every time the schedule fired in (start, end]: the runs missed while the bot was down."""
    trigger = cron_trigger(expression, zone)
    times: list[dt.datetime] = []
    previous: dt.datetime | None = None
    now = start
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire > end:
            return times
        if fire > start:
            times.append(fire)
        previous, now = fire, fire + dt.timedelta(seconds=1)


def next_fire_time(expression: str, zone: str, now: dt.datetime) -> dt.datetime | None:
    fire: dt.datetime | None = cron_trigger(expression, zone).get_next_fire_time(None, now)
    return fire


async def _until_cancelled(run: Callable[[], Awaitable[object]]) -> None:
    """Run a job; a cancellation ends it quietly.

    A job is only cancelled when the bot stops (SIGTERM, Ctrl-C: the event loop cancels every
    task), and APScheduler would log that as a job failure with a traceback. Nothing is lost:
    the delivery ledger resumes an interrupted post at the next start.
    """
    try:
        await run()
    except asyncio.CancelledError:
        log.info("a scheduled job was stopped by the shutdown")


class ChannelScheduler:
    """One cron job per channel; each fire calls `run(channel_name, fire_time)`."""

    def __init__(self, run: Callable[[str, dt.datetime], Awaitable[None]]) -> None:
        self._run = run
        self._scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self._jobs: dict[str, tuple[str, str]] = {}

    def add(self, channel: str, expression: str, zone: str) -> None:
        """Schedule a channel; a new time or zone replaces its job, the same one changes nothing."""
        if self._jobs.get(channel) == (expression, zone):
            return
        self._jobs[channel] = (expression, zone)
        self._scheduler.add_job(
            self._fire,
            cron_trigger(expression, zone),
            args=[channel, expression, zone],
            id=channel,
            replace_existing=True,
            misfire_grace_time=None,  # late is better than never; the ledger prevents repeats
            coalesce=True,
            max_instances=1,
        )

    def remove(self, channel: str) -> None:
        """Stop a channel's job (e.g. a weekly post turned off in chat); unknown names are fine."""
        if self._jobs.pop(channel, None) is not None:
            self._scheduler.remove_job(channel)

    def every(self, name: str, seconds: float, run: Callable[[], Awaitable[object]]) -> None:
        """Also run `run` every `seconds` (one at a time), e.g. retrying failed deliveries."""
        self._scheduler.add_job(
            _until_cancelled,
            IntervalTrigger(seconds=seconds),
            args=[run],
            id=f"every:{name}",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )

    async def _fire(self, channel: str, expression: str, zone: str) -> None:
        now = dt.datetime.now(time_zone(zone))
        await _until_cancelled(lambda: self._run(channel, now))

    def next_run(self, channel: str) -> dt.datetime | None:
        job = self._scheduler.get_job(channel)
        return None if job is None else job.next_run_time

    def start(self) -> None:
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
