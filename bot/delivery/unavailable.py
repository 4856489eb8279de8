"""A platform whose bot could not connect: its webhook channels go on, its bot channels fail.

Webhooks need no login, so an outage or a refused token of the bot's connection must not stop
them; a channel reached through the bot gets the reason, in one line, as its failure.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery.publisher import DeliveryKey, Publisher, RecordSent, SentMessage
from bot.errors import DeliveryError
from bot.messages import Post
from bot.webhooks import is_webhook_target


class UnavailablePublisher:
    """`inner` for webhook targets; a `DeliveryError` saying `reason` for every other target."""

    def __init__(self, inner: Publisher, reason: str) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.reason = reason

    def _check(self, target: str) -> None:
        if not is_webhook_target(target):
            # Not permanent: the bot retries the connection, and catch-up the day, later.
            raise DeliveryError(self.reason)

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        self._check(target)
        await self.inner.publish(target, post, key=key, already_sent=already_sent, record=record)

    def fingerprints(self, target: str, post: Post) -> list[str]:
        return self.inner.fingerprints(target, post)

    def can_edit(self, target: str) -> bool:
        return self.inner.can_edit(target)

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        self._check(target)
        await self.inner.edit(target, post, key=key, messages=messages)
