"""What each channel was shown: a delivery's papers in order, and every paper's first day there.

The delivery engine reads these to render a resumed or updated delivery exactly as it started
(the stored order) and to mark or hide papers a channel was sent on an earlier day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, and_, insert, select, update

from bot.clock import Clock
from bot.storage.tables import delivery_contents, posted_papers
from bot.storage.upsert import insert_for


@dataclass(frozen=True)
class DeliveryContents:
    """A delivery's papers in posting order, and a fingerprint per platform message sent."""

    paper_keys: tuple[str, ...]
    fingerprints: tuple[str, ...]


class ShownPapers:
    """The daily deliveries' contents and the papers posted per channel, in the bot's database."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

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
        statement = insert_for(self.engine.dialect.name, posted_papers)
        # A day already recorded stays unless this one is earlier (a late catch-up delivery).
        upsert = statement.on_conflict_do_update(
            index_elements=["channel", "paper_key"],
            set_={"day": statement.excluded.day},
            where=statement.excluded.day < posted_papers.c.day,
        )
        with self.engine.begin() as connection:
            connection.execute(upsert, rows)
