"""Live digests: a posted digest is edited in place as late papers and new votes arrive.

The header and every paper message keep their place (the stored paper order); only messages whose
rendering changed are edited, and late papers are posted as new replies in the same thread. The
update holds the delivery's claim, so two bot processes never post the same late paper twice.
"""

from __future__ import annotations

import logging
from typing import Literal

from bot.delivery.engine import DeliveryEngine, DeliveryTarget
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.errors import DeliveryError
from bot.metrics import DELIVERIES
from bot.models import Digest

log = logging.getLogger(__name__)

UpdateOutcome = Literal["updated", "unchanged", "skipped", "failed"]


async def update_in_place(
    engine: DeliveryEngine, target: DeliveryTarget, digest: Digest
) -> UpdateOutcome:
    """Bring a delivered digest up to date with `digest`; never a second post of it."""
    publisher = engine.publishers.get(target.platform)
    if publisher is None or not publisher.can_edit(target.target):
        return "skipped"  # e.g. a Slack webhook: its post stays as it was first sent
    rendered = engine.render(target, digest)
    stored = rendered.contents
    if stored is None:
        return "skipped"  # never delivered
    prints = publisher.fingerprints(target.target, rendered.post)
    if tuple(prints) == stored.fingerprints:
        return "unchanged"
    claim = engine.ledger.claim_update(target.channel, digest.date)
    if claim is None:
        return "skipped"  # not delivered yet, or another process is updating it
    changed = [
        message
        for message in claim.already_sent
        if message.index < len(prints)
        and (
            message.index >= len(stored.fingerprints)
            or stored.fingerprints[message.index] != prints[message.index]
        )
    ]
    sent: list[SentMessage] = list(claim.already_sent)

    async def record(message: SentMessage) -> None:
        engine.ledger.record_sent(claim, message)
        sent.append(message)

    key = DeliveryKey(target.channel, digest.date, claim.attempt)
    try:
        await publisher.edit(target.target, rendered.post, key=key, messages=changed)
        # Only the messages beyond those sent are posted: the late papers, in the thread.
        await publisher.publish(
            target.target, rendered.post, key=key, already_sent=claim.already_sent, record=record
        )
    except Exception as error:
        # The post stays as it is and stays delivered; the next update tries again.
        engine.ledger.finish(claim, len(sent))
        if isinstance(error, DeliveryError):
            log.warning("live update channel=%s date=%s: %s", target.channel, digest.date, error)
        else:
            log.exception("live update channel=%s date=%s failed", target.channel, digest.date)
        DELIVERIES.labels(target.channel, target.platform, "update_failed").inc()
        return "failed"
    engine.ledger.finish(claim, len(sent))
    engine.remember(target, digest, rendered, prints)
    log.info(
        "live update channel=%s date=%s: %d edited, %d new",
        target.channel,
        digest.date,
        len(changed),
        len(sent) - len(claim.already_sent),
    )
    DELIVERIES.labels(target.channel, target.platform, "updated").inc()
    return "updated"
