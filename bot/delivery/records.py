"""Reading the ledger: each delivery's state and progress, as `/digest-status` and catch-up see it.

The `deliveries` table names a delivery by `delivery_name(channel, kind)`; records give the
channel and the kind apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from bot.delivery.kinds import DeliveryKind, parse_delivery_name
from bot.delivery.publisher import SentMessage
from bot.storage.tables import delivered_messages, deliveries


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
    kind: DeliveryKind = "daily"


def read_records(
    engine: Engine, where: ColumnElement[bool], *, latest: bool = False
) -> list[DeliveryRecord]:
    """The deliveries matching `where`, by day (with `latest`, only the last one)."""
    order = deliveries.c.day.desc() if latest else deliveries.c.day
    statement = select(deliveries).where(where).order_by(order)
    if latest:
        statement = statement.limit(1)
    with engine.connect() as connection:
        rows = connection.execute(statement).mappings().all()
        ids = [row["id"] for row in rows]
        counted = connection.execute(
            select(delivered_messages.c.delivery_id, func.count())
            .where(delivered_messages.c.delivery_id.in_(ids))
            .group_by(delivered_messages.c.delivery_id)
        )
        counts: dict[int, int] = {delivery_id: n for delivery_id, n in counted}
    records = []
    for row in rows:
        channel, kind = parse_delivery_name(row["channel"])
        records.append(
            DeliveryRecord(
                channel=channel,
                day=row["day"],
                state=row["state"],
                messages=counts.get(row["id"], 0),
                attempts=row["attempts"],
                error=row["error"],
                updated_at=row["updated_at"],
                finished_at=row["finished_at"],
                created_at=row["created_at"],
                kind=kind,
            )
        )
    return records


def sent_messages(connection: Connection, delivery_id: int) -> list[SentMessage]:
    """The messages a delivery has sent so far, in their order."""
    rows = connection.execute(
        select(delivered_messages)
        .where(delivered_messages.c.delivery_id == delivery_id)
        .order_by(delivered_messages.c.idx)
    ).mappings()
    return [SentMessage(r["idx"], r["message_id"], r["thread_id"]) for r in rows]
