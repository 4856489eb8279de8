"""The one test clock: time moves only when a test advances it or the code under test sleeps.

The code takes time through seams (constructor parameters): a wall clock returning an aware
UTC datetime (`DeliveryLedger`, `DigestRunner`, …), a monotonic clock returning seconds
(pacers, caches, fetch deadlines, the fake Slack and Discord APIs) and an async `sleep`. One
`ManualClock` serves all three, and both clocks move together, as real time does:

    clock = ManualClock(FIRE)
    DigestRunner(..., clock=clock.now, sleep=clock.sleep)
    ChannelPacer(clock=clock.monotonic, sleep=clock.sleep)

`sleep` returns at once, having moved time on by the delay (the code never waits).
`sleep_until_advanced` waits until the test moves time past the delay, for tests that check
what holds *while* something sleeps. Both record each delay in `slept`.
"""

from __future__ import annotations

import asyncio
import datetime as dt

# A weekday morning of the sample archive's week; any fixed moment would do.
DEFAULT_START = dt.datetime(2025, 1, 9, 9, 0, tzinfo=dt.UTC)
# Not zero, so that code treating 0 as "never" is not accidentally right.
DEFAULT_MONOTONIC = 1000.0


class ManualClock:
    """Wall and monotonic time that move only when told; an async `sleep` that moves them."""

    def __init__(
        self, start: dt.datetime = DEFAULT_START, *, monotonic: float = DEFAULT_MONOTONIC
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware (the bot works in UTC)")
        self._wall = start
        self._monotonic = monotonic
        self.slept: list[float] = []  # every delay asked of `sleep`/`sleep_until_advanced`
        self._sleepers: list[tuple[float, asyncio.Event]] = []

    def now(self) -> dt.datetime:
        """The wall clock: an aware UTC datetime, like `bot`'s `utc_now`."""
        return self._wall

    def monotonic(self) -> float:
        """Seconds, like `time.monotonic`."""
        return self._monotonic

    def advance(self, by: float | dt.timedelta) -> None:
        """Move both clocks forward by `by` seconds (or timedelta), waking sleepers now due."""
        seconds = by.total_seconds() if isinstance(by, dt.timedelta) else float(by)
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._wall += dt.timedelta(seconds=seconds)
        self._monotonic += seconds
        due = [pair for pair in self._sleepers if pair[0] <= self._monotonic]
        for pair in due:
            self._sleepers.remove(pair)
            pair[1].set()

    def jump_to(self, moment: dt.datetime) -> None:
        """Move both clocks forward until the wall clock reads `moment`."""
        self.advance(moment - self._wall)

    async def sleep(self, seconds: float) -> None:
        """Stands in for `asyncio.sleep`: time passes at once, nothing waits."""
        self.slept.append(seconds)
        self.advance(max(seconds, 0.0))  # asyncio.sleep treats a negative delay as zero

    async def sleep_until_advanced(self, seconds: float) -> None:
        """Stands in for `asyncio.sleep`, returning once the test has moved time past it."""
        self.slept.append(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)  # still a turn of the loop, as asyncio.sleep(0) is
            return
        woken = asyncio.Event()
        self._sleepers.append((self._monotonic + seconds, woken))
        await woken.wait()
