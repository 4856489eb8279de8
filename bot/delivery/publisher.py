"""The one interface every platform adapter implements to deliver a post.

A publisher renders the neutral `Post` into its platform's messages (always the same list, in the
same order, for the same post) and sends those not yet sent. The delivery engine tells it which
ones were already sent (from the ledger) and records each new one the moment it succeeds, so a
crash at any point resumes where it stopped instead of starting over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery.kinds import DeliveryKind, delivery_name
from bot.messages import Post


@dataclass(frozen=True)
class DeliveryKey:
    """Which delivery a message belongs to; adapters stamp it on what they send.

    Slack puts it in message metadata and Discord derives the message nonce from it, so a send
    that succeeded just before a crash can be recognised after the restart.
    """

    channel: str  # the configured channel's name (unique in the config)
    day: dt.date
    # Above 1, an earlier attempt may have sent a message and crashed before recording it:
    # adapters that can look their own messages up do so before sending again.
    attempt: int = 1
    kind: DeliveryKind = "daily"

    def part(self, index: int) -> str:
        """A short stable id for the `index`-th platform message of this delivery."""
        return f"{delivery_name(self.channel, self.kind)}:{self.day.isoformat()}:{index}"


@dataclass(frozen=True)
class SentMessage:
    """One platform message that was delivered: its position in the rendered list and its ids."""

    index: int
    message_id: str  # Slack `ts`, Discord message id, console line number
    thread_id: str | None = None  # Slack thread_ts / Discord thread channel id, for replies


RecordSent = Callable[[SentMessage], Awaitable[None]]


def fingerprint(payload: Any) -> str:
    """A short stable hash of one rendered platform message: which ones did a change touch?"""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


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

    def fingerprints(self, target: str, post: Post) -> list[str]:
        """The `fingerprint` of every platform message `post` renders to, in order."""
        ...

    def can_edit(self, target: str) -> bool:
        """Whether messages sent to `target` can be edited later (a Slack webhook's cannot)."""
        ...

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        """Replace each of `messages` (sent earlier) with what `post` now renders at its index.

        Edits are idempotent, so a retry or a second process doing the same edit is harmless.
        Raise `DeliveryError` as `publish` does.
        """
        ...
