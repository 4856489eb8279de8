"""The one interface every platform adapter implements to deliver a post.

A publisher renders the neutral `Post` into its platform's messages (always the same list, in the
same order, for the same post) and sends those not yet sent. The delivery engine tells it which
ones were already sent (from the ledger) and records each new one the moment it succeeds, so a
crash at any point resumes where it stopped instead of starting over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.messages import Post


@dataclass(frozen=True)
class DeliveryKey:
    """Which delivery a message belongs to; adapters stamp it on what they send.

    Slack puts it in message metadata and Discord derives the message nonce from it, so a send
    that succeeded just before a crash can be recognised after the restart.
    """

    channel: str  # the configured channel name, unique in the config
    day: dt.date
    # Above 1, an earlier attempt may have sent a message and crashed before recording it:
    # adapters that can look their own messages up do so before sending again.
    attempt: int = 1

    def part(self, index: int) -> str:
        """A short stable id for the `index`-th platform message of this delivery."""
        return f"{self.channel}:{self.day.isoformat()}:{index}"


@dataclass(frozen=True)
class SentMessage:
    """One platform message that was delivered: its position in the rendered list and its ids."""

    index: int
    message_id: str  # Slack `ts`, Discord message id, console line number
    thread_id: str | None = None  # Slack thread_ts / Discord thread channel id, for replies


RecordSent = Callable[[SentMessage], Awaitable[None]]


class Publisher(Protocol):
    """Sends a post to one channel target of one platform."""

    platform: str

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        """Send the messages of `post` whose index is not in `already_sent`, in order.

        Call `record` after each successful send, before the next one. Replies in a thread use
        the thread of the first message (from `already_sent` when resuming). Raise
        `DeliveryError` (permanent or not) when the channel cannot be served; never swallow it.
        """
        ...
