"""The delivery ledger: which digest went to which channel, message by message.

A delivery is claimed before anything is posted. The unique row per (channel and kind, day) plus a
compare-and-set on its lease means two bot processes sharing a database never both post the same
digest; each message is recorded the moment it is sent, so a restart resumes instead of repeating.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.delivery.kinds import DeliveryKind, delivery_name
from bot.delivery.publisher import SentMessage
from bot.delivery.records import DeliveryRecord, read_records, sent_messages
from bot.delivery.shown import DeliveryContents, ShownPapers
from bot.storage import ensure_schema
from bot.storage.tables import delivered_messages, deliveries

__all__ = ["Claim", "DeliveryContents", "DeliveryLedger", "DeliveryRecord", "owner_name"]

CLAIMED, DONE, FAILED, ABANDONED = "claimed", "done", "failed", "abandoned"
DEFAULT_LEASE = dt.timedelta(minutes=10)


def owner_name() -> str:
    """Who holds a claim: this machine and process, so a restart can tell its crashed self."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    """Whether `owner` (from `owner_name`) names a process of this machine that is gone."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    return False


@dataclass(frozen=True)
class Claim:
    """The right to post one delivery, with what earlier attempts already sent."""

    delivery_id: int
    channel: str
    day: dt.date
    already_sent: list[SentMessage]
    attempt: int = 1  # above 1, an earlier attempt may have sent a message it never recorded
    kind: DeliveryKind = "daily"


class DeliveryLedger(ShownPapers):
    """Claims, progress and outcome of every (channel, kind, day) delivery, in the database.

    What each channel was shown (`ShownPapers`) is kept beside them, in the same database.
    """

    def __init__(
        self,
        engine: Engine,
        owner: str,
        *,
        clock: Clock = utc_now,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> None:
        super().__init__(engine, clock)
        self.owner = owner
        self.lease = lease
        ensure_schema(engine)

    def claim(self, channel: str, day: dt.date, *, kind: DeliveryKind = "daily") -> Claim | None:
        """Claim a delivery; None when it is done, abandoned, or another live process holds it."""
        now = self.clock()
        name = delivery_name(channel, kind)
        row = {
            "channel": name,
            "day": day,
            "state": CLAIMED,
            "owner": self.owner,
            "lease_until": now + self.lease,
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.engine.begin() as connection:
                delivery_id = connection.execute(
                    insert(deliveries).values(row).returning(deliveries.c.id)
                ).scalar_one()
            return Claim(delivery_id, channel, day, [], kind=kind)
        except IntegrityError:
            pass  # the row exists: take it over only if nobody live holds it
        dead = self._dead_local_owner(name, day)
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(deliveries)
                .where(
                    and_(
                        deliveries.c.channel == name,
                        deliveries.c.day == day,
                        or_(
                            deliveries.c.state == FAILED,
                            and_(
                                deliveries.c.state == CLAIMED,
                                or_(
                                    deliveries.c.lease_until < now,
                                    deliveries.c.owner == self.owner,
                                    deliveries.c.owner == dead,
                                ),
                            ),
                        ),
                    )
                )
                .values(
                    state=CLAIMED,
                    owner=self.owner,
                    lease_until=now + self.lease,
                    attempts=deliveries.c.attempts + 1,
                    updated_at=now,
                    error=None,
                )
                .returning(deliveries.c.id, deliveries.c.attempts)
            ).one_or_none()
            if taken is None:
                return None
            taken_id, attempt = taken
            already = sent_messages(connection, taken_id)
        return Claim(taken_id, channel, day, already, attempt, kind)

    def _dead_local_owner(self, name: str, day: dt.date) -> str | None:
        """The holder of the claim if it is a process of this machine that no longer runs.

        A bot restarted after a crash takes its own unfinished delivery over at once instead of
        waiting for the lease; owners on other machines are only ever trusted to their lease.
        """
        with self.engine.connect() as connection:
            owner = connection.execute(
                select(deliveries.c.owner).where(
                    deliveries.c.channel == name,
                    deliveries.c.day == day,
                    deliveries.c.state == CLAIMED,
                )
            ).scalar_one_or_none()
        return owner if owner and owner != self.owner and owner_is_dead(owner) else None

    def record_sent(self, claim: Claim, message: SentMessage) -> None:
        """Record one sent message and extend the lease: progress proves the owner is alive."""
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(
                insert(delivered_messages).values(
                    delivery_id=claim.delivery_id,
                    idx=message.index,
                    message_id=message.message_id,
                    thread_id=message.thread_id,
                    sent_at=now,
                )
            )
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id == claim.delivery_id)
                .values(lease_until=now + self.lease, updated_at=now)
            )

    def claim_update(self, channel: str, day: dt.date) -> Claim | None:
        """Take a done daily delivery back for a live update (late papers, new votes); None if it
        is not done or another process is updating it. `finish` hands it back."""
        now = self.clock()
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.channel == delivery_name(channel, "daily"),
                    deliveries.c.day == day,
                    deliveries.c.state == DONE,
                )
                .values(
                    state=CLAIMED, owner=self.owner, lease_until=now + self.lease, updated_at=now
                )
                .returning(deliveries.c.id)
            ).scalar_one_or_none()
            if taken is None:
                return None
            sent = sent_messages(connection, taken)
        return Claim(taken, channel, day, sent)

    def done_since(self, since: dt.datetime) -> list[DeliveryRecord]:
        """Done deliveries first claimed at or after `since`: a live digest's update window."""
        return self._records(and_(deliveries.c.state == DONE, deliveries.c.created_at >= since))

    def finish(self, claim: Claim, total_messages: int) -> None:
        self._close(claim, DONE, None, total_messages)

    def fail(self, claim: Claim, error: str, *, permanent: bool) -> None:
        """A failed delivery is retried by the next claim; an abandoned one never is."""
        self._close(claim, ABANDONED if permanent else FAILED, error[:2000], None)

    def _close(self, claim: Claim, state: str, error: str | None, total: int | None) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(
                update(deliveries)
                .where(deliveries.c.id == claim.delivery_id)
                .values(
                    state=state,
                    error=error,
                    total_messages=total,
                    lease_until=None,
                    updated_at=now,
                    # A live update finishes again: the first posting time stays.
                    finished_at=func.coalesce(deliveries.c.finished_at, now)
                    if state in (DONE, ABANDONED)
                    else None,
                )
            )

    def get(
        self, channel: str, day: dt.date, *, kind: DeliveryKind = "daily"
    ) -> DeliveryRecord | None:
        name = delivery_name(channel, kind)
        records = self._records(and_(deliveries.c.channel == name, deliveries.c.day == day))
        return records[0] if records else None

    def last_delivery(
        self, channel: str, *, done: bool = True, kind: DeliveryKind = "daily"
    ) -> DeliveryRecord | None:
        """The channel's latest finished delivery; with `done=False`, its latest of any state."""
        where = deliveries.c.channel == delivery_name(channel, kind)
        records = self._records(
            and_(where, deliveries.c.state == DONE) if done else where, latest=True
        )
        return records[0] if records else None

    def unfinished(self) -> list[DeliveryRecord]:
        """Deliveries that were interrupted or failed and may be resumed."""
        return self._records(deliveries.c.state.in_([CLAIMED, FAILED]))

    def _records(self, where: ColumnElement[bool], *, latest: bool = False) -> list[DeliveryRecord]:
        return read_records(self.engine, where, latest=latest)
