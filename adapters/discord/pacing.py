"""Keeping the bot under Discord's global rate limit before Discord has to say so.

Discord allows a bot token 50 requests a second across all routes. discord.py paces each route's
bucket from the response headers, but learns of the global limit only from a 429, and gives a
request up after five of them: 200 channels posting at once lost most of their messages that
way (benchmarks/discord_fanout.py). `GlobalPacer` lets a request go only while fewer than
`per_second` others are in flight or were answered less than a second ago. Counting from the
answer, not the send, keeps any 51 requests more than a second apart *as Discord receives them*,
whatever the network's delay. The pacer sits in an aiohttp trace hook, at the moment a request
is sent, so a request still queued in discord.py for its channel's bucket holds no slot.
Webhook and interaction requests are exempt from the global limit and never wait here, so a
slash command is answered at once even in the middle of a large fan-out.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord

WINDOW = 1.0  # Discord's global limit is per second
_EXEMPT = ("/webhooks/", "/interactions/")


class GlobalPacer:
    """At most `per_second` requests in flight or answered within the last `window` seconds."""

    def __init__(
        self,
        per_second: int = 50,
        *,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second, self.window = per_second, window
        self._clock, self._sleep = clock, sleep
        self._in_flight = 0
        self._free_at: deque[float] = deque()  # when answered requests stop counting
        self._turn = asyncio.Lock()  # FIFO: the longest-waiting request goes next
        self._answer = asyncio.Event()

    def _held(self, now: float) -> int:
        while self._free_at and self._free_at[0] <= now:
            self._free_at.popleft()
        return self._in_flight + len(self._free_at)

    async def wait(self) -> None:
        """Return when a request may be sent; the caller must call `answered` once it is."""
        async with self._turn:
            while self._held(self._clock()) >= self.per_second:
                self._answer.clear()
                if self._free_at:
                    await self._sleep(self._free_at[0] - self._clock())
                else:  # every slot is a request in flight: the first answer frees one
                    await self._answer.wait()
            self._in_flight += 1

    def answered(self) -> None:
        self._in_flight -= 1
        self._free_at.append(self._clock() + self.window)
        self._answer.set()

    def trace_config(self) -> aiohttp.TraceConfig:
        """An aiohttp trace pacing discord.py's bot requests: `discord.Client(http_trace=…)`."""
        trace = aiohttp.TraceConfig()

        async def on_start(_: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
            if counts_globally(str(params.url)):
                await self.wait()
                context.paced = True

        async def on_done(_: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
            # The answer's headers, or a failure: either way Discord has it or never will.
            if getattr(context, "paced", False):
                context.paced = False
                self.answered()

        trace.on_request_start.append(on_start)
        trace.on_request_end.append(on_done)
        trace.on_request_exception.append(on_done)
        return trace


def counts_globally(url: str) -> bool:
    """Whether Discord counts this request against the bot's global limit."""
    return url.startswith(discord.http.Route.BASE) and not any(part in url for part in _EXEMPT)
