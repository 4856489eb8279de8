"""Keeping to Slack's one message per second per channel before Slack has to say so.

`chat.postMessage` allows about one message per second in a channel. Sending faster only earns a
429 and a `Retry-After` of at least a whole second (slack_sdk then sleeps that plus up to one more),
so a 16-message thread paced on our side finishes in about 15 s where one that hits the limit
takes twice that. Channels are paced independently, so a fan-out runs them all in parallel.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

# Counted from the answer to the previous message, which Slack had stored before answering, so
# the next one cannot reach it less than this long after it; a hair over a second for rounding.
SLACK_CHANNEL_INTERVAL = 1.01


class ChannelPacer:
    def __init__(
        self,
        interval: float = SLACK_CHANNEL_INTERVAL,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel: str) -> None:
        """Return when a message may be sent to `channel`."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            delay = self._next.get(channel, 0.0) - self._clock()
            if delay > 0:
                await self._sleep(delay)

    def answered(self, channel: str) -> None:
        """Slack answered a message to `channel` (after any 429 retries): start the interval.

        Counting from the answer, not from the send, keeps a late or retried message from
        eating into the next one's second and earning it a 429 too.
        """
        self._next[channel] = self._clock() + self.interval
