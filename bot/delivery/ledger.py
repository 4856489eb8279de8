"""The delivery ledger: which digest went to which channel, message by message.

A delivery is claimed before anything is posted. The unique (channel, day) row plus a
compare-and-set on its lease means two bot processes sharing a database never both post the same
digest; each message is recorded the moment it is sent, so a restart resumes instead of repeating.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.delivery.publisher import SentMessage
from bot.storage import ensure_schema
from bot.storage.tables import delivered_messages, deliveries, delivery_contents, posted_papers

Clock = Callable[[], dt.datetime]

CLAIMED, DONE, FAILED, ABANDONED = "claimed", "done", "failed", "abandoned"
DEFAULT_LEASE = dt.timedelta(minutes=10)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


@dataclass(frozen=True)
class DeliveryRecord:
    channel: str
    day: dt.date
    state: str
    messages: int
    attempts: int
    error: str | None
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class DeliveryContents:
    """A delivery's papers in posting order, and a fingerprint per platform message sent."""

    paper_keys: tuple[str, ...]
    fingerprints: tuple[str, ...]


class DeliveryLedger:
    """Claims, progress and outcome of every (channel, day) delivery, in the bot's database."""

    def __init__(
        self,
        engine: Engine,
        owner: str,
        *,
        clock: Clock = utc_now,
        lease: dt.timedelta = DEFAULT_LEASE,
    ) -> None:
        self.engine = engine
        self.owner = owner
        self.clock = clock
        self.lease = lease
        ensure_schema(engine)

    def claim(self, channel: str, day: dt.date) -> Claim | None:
        """Claim a delivery; None when it is done, abandoned, or another live process holds it."""
        now = self.clock()
        row = {
            "channel": channel,
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
            return Claim(delivery_id, channel, day, [])
        except IntegrityError:
            pass  # the row exists: take it over only if nobody live holds it
        dead = self._dead_local_owner(channel, day)
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(deliveries)
                .where(
                    and_(
                        deliveries.c.channel == channel,
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
            already = _sent_messages(connection, taken_id)
        return Claim(taken_id, channel, day, already, attempt)

    def _dead_local_owner(self, channel: str, day: dt.date) -> str | None:
        """The holder of the claim if it is a process of this machine that no longer runs.

        A bot restarted after a crash takes its own unfinished delivery over at once instead of
        waiting for the lease; owners on other machines are only ever trusted to their lease.
        """
        with self.engine.connect() as connection:
            owner = connection.execute(
                select(deliveries.c.owner).where(
                    deliveries.c.channel == channel,
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
        """Take a done delivery back for a live update (late papers, new votes); None if it is
        not done or another process is updating it. `finish` hands it back."""
        now = self.clock()
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.channel == channel,
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
            sent = _sent_messages(connection, taken)
        return Claim(taken, channel, day, sent)

    def contents(self, channel: str, day: dt.date) -> DeliveryContents | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(delivery_contents.c.paper_keys, delivery_contents.c.fingerprints).where(
                    delivery_contents.c.channel == channel, delivery_contents.c.day == day
                )
            ).first()
        if row is None:
            return None
        return DeliveryContents(tuple(row.paper_keys), tuple(row.fingerprints))

    def save_contents(self, channel: str, day: dt.date, contents: DeliveryContents) -> None:
        values = {
            "paper_keys": list(contents.paper_keys),
            "fingerprints": list(contents.fingerprints),
            "updated_at": self.clock(),
        }
        where = and_(delivery_contents.c.channel == channel, delivery_contents.c.day == day)
        with self.engine.begin() as connection:
            if not connection.execute(
                update(delivery_contents).where(where).values(values)
            ).rowcount:
                connection.execute(
                    insert(delivery_contents).values(channel=channel, day=day, **values)
                )

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

    def posted_before(self, channel: str, day: dt.date) -> frozenset[str]:
        """Keys of the papers first posted to `channel` on a day before `day`.

        Only earlier days count, so a delivery resumed (or re-rendered) on its own day sees the
        same set as its first attempt did.
        """
        with self.engine.connect() as connection:
            keys = connection.execute(
                select(posted_papers.c.paper_key).where(
                    posted_papers.c.channel == channel, posted_papers.c.day < day
                )
            ).scalars()
            return frozenset(keys)

    def record_posted(self, channel: str, day: dt.date, keys: Iterable[str]) -> None:
        """Remember that `keys` were posted to `channel` on `day`; a key keeps its earliest day.

        Idempotent, and safe when two processes record the same keys at once.
        """
        rows = [{"channel": channel, "paper_key": key, "day": day} for key in sorted(set(keys))]
        if not rows:
            return
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            statement: Any = sqlite.insert(posted_papers)
        elif dialect == "postgresql":
            statement = postgresql.insert(posted_papers)
        else:  # pragma: no cover - create_database_engine only makes SQLite and PostgreSQL
            raise NotImplementedError(
                f"database '{dialect}' is not supported; use SQLite or PostgreSQL"
            )
        # A day already recorded stays unless this one is earlier (a late catch-up delivery).
        upsert = statement.on_conflict_do_update(
            index_elements=["channel", "paper_key"],
            set_={"day": statement.excluded.day},
            where=statement.excluded.day < posted_papers.c.day,
        )
        with self.engine.begin() as connection:
            connection.execute(upsert, rows)

    def get(self, channel: str, day: dt.date) -> DeliveryRecord | None:
        records = self._records(and_(deliveries.c.channel == channel, deliveries.c.day == day))
        return records[0] if records else None

    def last_delivery(self, channel: str, *, done: bool = True) -> DeliveryRecord | None:
        """The channel's latest finished delivery; with `done=False`, its latest of any state."""
        where = deliveries.c.channel == channel
        records = self._records(
            and_(where, deliveries.c.state == DONE) if done else where, latest=True
        )
        return records[0] if records else None

    def unfinished(self) -> list[DeliveryRecord]:
        """Deliveries that were interrupted or failed and may be resumed."""
        return self._records(deliveries.c.state.in_([CLAIMED, FAILED]))

    def _records(self, where: ColumnElement[bool], *, latest: bool = False) -> list[DeliveryRecord]:
        order = deliveries.c.day.desc() if latest else deliveries.c.day
        statement = select(deliveries).where(where).order_by(order)
        if latest:
            statement = statement.limit(1)
        with self.engine.connect() as connection:
            rows = connection.execute(statement).mappings().all()
            ids = [row["id"] for row in rows]
            counted = connection.execute(
                select(delivered_messages.c.delivery_id, func.count())
                .where(delivered_messages.c.delivery_id.in_(ids))
                .group_by(delivered_messages.c.delivery_id)
            )
            counts: dict[int, int] = {delivery_id: n for delivery_id, n in counted}
        return [
            DeliveryRecord(
                channel=row["channel"],
                day=row["day"],
                state=row["state"],
                messages=counts.get(row["id"], 0),
                attempts=row["attempts"],
                error=row["error"],
                updated_at=row["updated_at"],
                finished_at=row["finished_at"],
                created_at=row["created_at"],
            )
            for row in rows
        ]


def _sent_messages(connection: Connection, delivery_id: int) -> list[SentMessage]:
    rows = connection.execute(
        select(delivered_messages)
        .where(delivered_messages.c.delivery_id == delivery_id)
        .order_by(delivered_messages.c.idx)
    ).mappings()
    return [SentMessage(r["idx"], r["message_id"], r["thread_id"]) for r in rows]
