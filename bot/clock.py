"""The wall clock: one `utc_now`, and the types of the clock and sleep that are injected instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]


def utc_now() -> dt.datetime:
    """Now, as an aware UTC datetime (what every stored time is)."""
    return dt.datetime.now(dt.UTC)
