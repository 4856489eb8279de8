"""A small time-limited cache for command answers, which repeat: a hot paper is asked for often.

An answer is looked up again after `ttl` seconds at the latest, and at once after an import
through the same `Archive` (its `generation` is part of every key), so a digest imported by
another process shows up within `ttl`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_TTL = 60.0
DEFAULT_SIZE = 2048


class AnswerCache(Generic[V]):
    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        size: int = DEFAULT_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        now = self._clock()
        found = self._entries.get(key)
        if found is not None and found[0] > now:
            self._entries.move_to_end(key)
            return found[1]
        value = compute()
        self._entries[key] = (now + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)  # the least recently used
        return value
