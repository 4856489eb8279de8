"""Delivering one digest to one channel exactly once: claim, render, send the rest, record.

The engine knows nothing of platforms: it hands a neutral `Post` to the channel's publisher and
keeps the ledger in step with every message the publisher reports sent. A live digest, once
delivered, is brought up to date in place (`update`): the header and every paper message keep
their place (the stored paper order), only messages whose rendering changed are edited, and late
papers are posted as new replies in the same thread. The update holds the delivery's claim, so
two bot processes never post the same late paper twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.delivery.kinds import DeliveryKind
from bot.delivery.ledger import Claim, DeliveryContents, DeliveryLedger, DeliveryRecord
from bot.delivery.publisher import DeliveryKey, Publisher, SentMessage
from bot.errors import DeliveryError
from bot.formatter import FormatOptions, format_digest, select_papers
from bot.messages import Post
from bot.metrics import DELIVERIES, LAST_DELIVERED
from bot.models import Digest, paper_key

log = logging.getLogger(__name__)

Outcome = Literal["delivered", "skipped", "failed", "abandoned"]
UpdateOutcome = Literal["updated", "unchanged", "skipped", "failed"]


@dataclass(frozen=True)
class DeliveryTarget:
    """Where a channel's digest goes: its configured name, platform, address and options."""

    channel: str
    platform: str
    target: str
    options: FormatOptions
    kind: DeliveryKind = "daily"


@dataclass(frozen=True)
class Rendered:
    """A channel's post of a digest, its papers' keys in order, and what was stored before."""

    post: Post
    keys: tuple[str, ...]
    contents: DeliveryContents | None


class DeliveryEngine:
    def __init__(self, ledger: DeliveryLedger, publishers: Mapping[str, Publisher]) -> None:
        self.ledger = ledger
        self.publishers = publishers

    async def deliver(self, target: DeliveryTarget, digest: Digest) -> Outcome:
        """Post `digest` to `target` unless it was already; resume a half-finished delivery."""
        return self._counted(target, await self._deliver(target, digest))

    async def deliver_post(self, target: DeliveryTarget, day: dt.date, post: Post) -> Outcome:
        """Post a ready-made `post` (e.g. the week's top) once for (`target.channel`, `day`)."""
        publisher, claim = self._claim(target, day)
        if publisher is None or claim is None:
            return self._counted(target, "failed" if publisher is None else "skipped")
        return self._counted(target, await self._send(publisher, claim, target, post))

    @staticmethod
    def _counted(target: DeliveryTarget, outcome: Outcome) -> Outcome:
        DELIVERIES.labels(target.channel, target.platform, outcome).inc()
        if outcome == "delivered":
            LAST_DELIVERED.labels(target.channel).set_to_current_time()
        return outcome

    def _claim(self, target: DeliveryTarget, day: dt.date) -> tuple[Publisher | None, Claim | None]:
        publisher = self.publishers.get(target.platform)
        if publisher is None:
            log.error("channel=%s: no %s adapter is running", target.channel, target.platform)
            return None, None
        claim = self.ledger.claim(target.channel, day, kind=target.kind)
        if claim is None:
            log.info("channel=%s date=%s: already delivered or in progress", target.channel, day)
        return publisher, claim

    async def _deliver(self, target: DeliveryTarget, digest: Digest) -> Outcome:
        publisher, claim = self._claim(target, digest.date)
        if publisher is None or claim is None:
            return "failed" if publisher is None else "skipped"
        rendered = self._render(target, digest)
        if rendered.contents is None:
            # Kept before the first send: a resumed delivery keeps these papers at these places,
            # whatever votes and late papers came in meanwhile.
            self.ledger.save_contents(
                target.channel, digest.date, DeliveryContents(rendered.keys, ())
            )
        outcome = await self._send(publisher, claim, target, rendered.post)
        if outcome != "delivered":
            return outcome
        prints = publisher.fingerprints(target.target, rendered.post)
        for earlier in claim.already_sent:  # sent by a crashed attempt, perhaps with older votes
            if earlier.index < len(prints):
                prints[earlier.index] = ""  # the next live update refreshes it
        self._remember(target, digest, rendered, prints)
        return outcome

    async def _send(
        self, publisher: Publisher, claim: Claim, target: DeliveryTarget, post: Post
    ) -> Outcome:
        """Send what the claim has not sent yet, recording each message; finish or fail it."""
        started = time.monotonic()
        sent: list[SentMessage] = list(claim.already_sent)

        async def record(message: SentMessage) -> None:
            self.ledger.record_sent(claim, message)
            sent.append(message)

        try:
            await publisher.publish(
                target.target,
                post,
                key=DeliveryKey(target.channel, claim.day, claim.attempt, target.kind),
                already_sent=claim.already_sent,
                record=record,
            )
        except DeliveryError as error:
            return self._failed(claim, target, error, sent)
        except Exception as error:  # an adapter bug must not stop the other channels
            log.exception("channel=%s date=%s: unexpected failure", target.channel, claim.day)
            return self._failed(claim, target, DeliveryError(type(error).__name__), sent)
        self.ledger.finish(claim, len(sent))
        log.info(
            "delivered channel=%s platform=%s date=%s messages=%d resumed_from=%d duration=%.2fs",
            target.channel,
            target.platform,
            claim.day,
            len(sent),
            len(claim.already_sent),
            time.monotonic() - started,
        )
        return "delivered"

    def finished(self, channel: str, day: dt.date, *, kind: DeliveryKind = "daily") -> bool:
        """Whether the delivery is over for good: done, or abandoned after a permanent error."""
        record = self.ledger.get(channel, day, kind=kind)
        return record is not None and record.state in ("done", "abandoned")

    def live_deliveries(self, since: dt.datetime) -> list[DeliveryRecord]:
        """Daily digests delivered since `since`: those a live update keeps up to date.

        A weekly post is not one day's list: it stays as it was posted.
        """
        return [record for record in self.ledger.done_since(since) if record.kind == "daily"]

    async def update(self, target: DeliveryTarget, digest: Digest) -> UpdateOutcome:
        """Bring a delivered digest up to date with `digest`; never a second post of it."""
        publisher = self.publishers.get(target.platform)
        if publisher is None or not publisher.can_edit(target.target):
            return "skipped"  # e.g. a Slack webhook: its post stays as it was first sent
        rendered = self._render(target, digest)
        stored = rendered.contents
        if stored is None:
            return "skipped"  # never delivered
        prints = publisher.fingerprints(target.target, rendered.post)
        if tuple(prints) == stored.fingerprints:
            return "unchanged"
        claim = self.ledger.claim_update(target.channel, digest.date)
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
            self.ledger.record_sent(claim, message)
            sent.append(message)

        key = DeliveryKey(target.channel, digest.date, claim.attempt)
        try:
            await publisher.edit(target.target, rendered.post, key=key, messages=changed)
            # Only the messages beyond those sent are posted: the late papers, in the thread.
            await publisher.publish(
                target.target,
                rendered.post,
                key=key,
                already_sent=claim.already_sent,
                record=record,
            )
        except Exception as error:
            # The post stays as it is and stays delivered; the next update tries again.
            self.ledger.finish(claim, len(sent))
            if isinstance(error, DeliveryError):
                log.warning(
                    "live update channel=%s date=%s: %s", target.channel, digest.date, error
                )
            else:
                log.exception("live update channel=%s date=%s failed", target.channel, digest.date)
            DELIVERIES.labels(target.channel, target.platform, "update_failed").inc()
            return "failed"
        self.ledger.finish(claim, len(sent))
        self._remember(target, digest, rendered, prints)
        log.info(
            "live update channel=%s date=%s: %d edited, %d new",
            target.channel,
            digest.date,
            len(changed),
            len(sent) - len(claim.already_sent),
        )
        DELIVERIES.labels(target.channel, target.platform, "updated").inc()
        return "updated"

    def _remember(
        self, target: DeliveryTarget, digest: Digest, rendered: Rendered, prints: list[str]
    ) -> None:
        """What a channel now shows: its papers in order, each message's fingerprint."""
        contents = DeliveryContents(rendered.keys, tuple(prints))
        self.ledger.save_contents(target.channel, digest.date, contents)
        self.ledger.record_posted(target.channel, digest.date, rendered.keys)

    def _render(self, target: DeliveryTarget, digest: Digest) -> Rendered:
        """The channel's post of `digest`, in the paper order of what was already posted.

        The options get the papers the channel was sent on earlier days (only earlier days, so
        a resumed delivery renders the very messages it started with) and the stored order.
        """
        update: dict[str, object] = {}
        if target.options.seen_before != "show":
            update["seen"] = self.ledger.posted_before(target.channel, digest.date)
        contents = self.ledger.contents(target.channel, digest.date)
        if contents is not None:
            update["order"] = contents.paper_keys
        options = target.options.model_copy(update=update)
        keys = tuple(paper_key(paper) for paper in select_papers(digest, options))
        return Rendered(format_digest(digest, options), keys, contents)

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
