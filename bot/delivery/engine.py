"""Delivering one digest to one channel exactly once: claim, render, send the rest, record.

The engine knows nothing of platforms: it hands a neutral `Post` to the channel's publisher and
keeps the ledger in step with every message the publisher reports sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.delivery.ledger import Claim, DeliveryLedger
from bot.delivery.publisher import DeliveryKey, Publisher, SentMessage
from bot.errors import DeliveryError
from bot.formatter import FormatOptions, format_digest
from bot.metrics import DELIVERIES, LAST_DELIVERED
from bot.models import Digest

log = logging.getLogger(__name__)

Outcome = Literal["delivered", "skipped", "failed", "abandoned"]


@dataclass(frozen=True)
class DeliveryTarget:
    """Where a channel's digest goes: its configured name, platform, address and options."""

    channel: str
    platform: str
    target: str
    options: FormatOptions


class DeliveryEngine:
    def __init__(self, ledger: DeliveryLedger, publishers: Mapping[str, Publisher]) -> None:
        self.ledger = ledger
        self.publishers = publishers

    async def deliver(self, target: DeliveryTarget, digest: Digest) -> Outcome:
        """Post `digest` to `target` unless it was already; resume a half-finished delivery."""
        outcome = await self._deliver(target, digest)
        DELIVERIES.labels(target.channel, target.platform, outcome).inc()
        if outcome == "delivered":
            LAST_DELIVERED.labels(target.channel).set_to_current_time()
        return outcome

    async def _deliver(self, target: DeliveryTarget, digest: Digest) -> Outcome:
        publisher = self.publishers.get(target.platform)
        if publisher is None:
            log.error("channel=%s: no %s adapter is running", target.channel, target.platform)
            return "failed"
        claim = self.ledger.claim(target.channel, digest.date)
        if claim is None:
            log.info(
                "channel=%s date=%s: already delivered or in progress", target.channel, digest.date
            )
            return "skipped"
        post = format_digest(digest, target.options)
        started = time.monotonic()
        sent: list[SentMessage] = list(claim.already_sent)

        async def record(message: SentMessage) -> None:
            self.ledger.record_sent(claim, message)
            sent.append(message)

        try:
            await publisher.publish(
                target.target,
                post,
                key=DeliveryKey(target.channel, digest.date, claim.attempt),
                already_sent=claim.already_sent,
                record=record,
            )
        except DeliveryError as error:
            return self._failed(claim, target, error, sent)
        except Exception as error:  # an adapter bug must not stop the other channels
            log.exception("channel=%s date=%s: unexpected failure", target.channel, digest.date)
            return self._failed(claim, target, DeliveryError(type(error).__name__), sent)
        self.ledger.finish(claim, len(sent))
        log.info(
            "delivered channel=%s platform=%s date=%s messages=%d resumed_from=%d duration=%.2fs",
            target.channel,
            target.platform,
            digest.date,
            len(sent),
            len(claim.already_sent),
            time.monotonic() - started,
        )
        return "delivered"

    def _failed(
        self, claim: Claim, target: DeliveryTarget, error: DeliveryError, sent: list[SentMessage]
    ) -> Outcome:
        self.ledger.fail(claim, str(error), permanent=error.permanent)
        log.error(
            "delivery failed channel=%s platform=%s date=%s sent=%d permanent=%s: %s",
            target.channel,
            target.platform,
            claim.day,
            len(sent),
            error.permanent,
            error,
        )
        return "abandoned" if error.permanent else "failed"
