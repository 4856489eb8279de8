"""The one retry loop of the Slack adapter: attempt, classify the failure, back off, try again.

Bot posts, bot edits and webhook posts differ only in what counts as a failure worth retrying,
what they log and what they raise when attempts run out; the loop itself lives here once.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """A failed attempt worth retrying: what went wrong, and whether it may have worked anyway."""

    reason: str
    maybe_done: bool = False


class Retry(Exception):
    """Raised by an attempt whose failure is an answer rather than an exception (a 5xx body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    classify: Callable[[Exception], Failure],
    attempts: int,
    sleep: Callable[[float], Awaitable[None]],
    backoff_first: float,
    backoff_max: float = math.inf,
    on_failure: Callable[[Failure, int], None],
    give_up: Callable[[Failure], Exception],
    recheck: Callable[[Failure], Awaitable[T | None]] | None = None,
) -> T:
    """Run `attempt` up to `attempts` times, doubling the pause between tries up to `backoff_max`.

    `classify` turns a failure into a `Failure` to retry, or raises to stop at once (permanent
    errors, errors that are not the platform's). `on_failure` reports each failed attempt (it gets
    the attempt number); after each pause `recheck` may find the work done after all. When
    attempts run out, the exception `give_up` builds from the last failure is raised.
    """
    delay = backoff_first
    failure = Failure("")
    for number in range(1, attempts + 1):
        try:
            return await attempt()
        except Exception as error:
            failure = classify(error)
        on_failure(failure, number)
        if number == attempts:
            break
        await sleep(delay)
        delay = min(delay * 2, backoff_max)
        if recheck is not None:
            found = await recheck(failure)
            if found is not None:
                return found
    raise give_up(failure)
