"""The channels' scheduled deliveries: one cron job per channel and kind, kept in step with the
channel settings (a time changed in chat reschedules its job)."""

from __future__ import annotations

import datetime as dt

from bot.channels import ChannelConfig
from bot.delivery.kinds import KINDS, DeliveryKind, delivery_name, parse_delivery_name
from bot.delivery.runner import DigestRunner
from bot.schedule import ChannelScheduler

SETTINGS_SYNC_SECONDS = 60


class ScheduledDeliveries:
    """`scheduler` runs each channel's daily digest and weekly post through `runner`.

    Every channel is scheduled at once; the caller adds its other jobs and starts it.
    """

    def __init__(self, runner: DigestRunner) -> None:
        self.runner = runner
        self.scheduler = ChannelScheduler(self._fire)
        self._stopped = False
        self.sync()
        # A time changed in chat here reschedules at once; one changed through another bot
        # process sharing the database, within a minute.
        runner.channels.on_change(lambda _channel: self.sync())
        self.scheduler.every("settings", SETTINGS_SYNC_SECONDS, self.sync_async)

    def sync(self) -> None:
        """(Re)schedule every channel whose time or time zone is new to the scheduler."""
        if self._stopped:  # a settings change after the run ended schedules nothing
            return
        for channel in self.runner.channels.all():
            for kind in KINDS:
                # One job per channel and kind, named as the ledger names the delivery.
                job = delivery_name(channel.name, kind)
                schedule = _schedule_of(channel, kind)
                if schedule:
                    self.scheduler.add(job, schedule, channel.timezone)
                else:
                    self.scheduler.remove(job)

    async def sync_async(self) -> None:
        self.sync()

    def shutdown(self) -> None:
        self._stopped = True
        self.scheduler.shutdown()

    async def _fire(self, job: str, fire_time: dt.datetime) -> None:
        name, kind = parse_delivery_name(job)
        channel = self.runner.channels.get(name)
        if kind == "weekly":
            await self.runner.run_weekly(channel, fire_time)
        else:
            await self.runner.run_scheduled(channel, fire_time)


def _schedule_of(channel: ChannelConfig, kind: DeliveryKind) -> str | None:
    """The cron expression of a channel's delivery of `kind`; None when it has none."""
    return channel.schedule if kind == "daily" else channel.weekly_schedule
