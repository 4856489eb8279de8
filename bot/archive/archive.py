"""The archive: every imported digest, answering the questions slash commands ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, select

from bot.archive.files import Progress, import_files
from bot.archive.importing import DigestInput, digest_hash, write_digests
from bot.archive.records import ImportReport, PaperRecord, RankedPaper, paper_from_row
from bot.archive.search import search_keys
from bot.models import Digest
from bot.storage import bulk_write, create_database_engine, ensure_schema, sqlite_url
from bot.storage.locking import Notice, write_transaction
from bot.storage.tables import digest_entries, digests, papers

ARCHIVE_FILE = "digest-bot.sqlite3"


class Archive:
    """Digests and papers in a SQL database (SQLite by default, PostgreSQL by URL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Bumped by every import through this object, so cached answers know they are stale.
        self.generation = 0
        ensure_schema(engine)

    @classmethod
    def from_url(cls, url: str) -> Archive:
        return cls(create_database_engine(url))

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> Archive:
        return cls.from_url(sqlite_url(data_dir / ARCHIVE_FILE))

    # -- writing -------------------------------------------------------------------------------

    def import_digests(
        self, digests_: Iterable[Digest], on_wait: Notice | None = None
    ) -> ImportReport:
        """Import digests from any source; unchanged ones are skipped."""
        inputs = [DigestInput(d, digest_hash(d)) for d in digests_]
        with (
            self.engine.connect() as connection,
            bulk_write(connection),
            write_transaction(connection, on_wait),
        ):
            report = write_digests(connection, inputs)
        self.generation += 1
        return report

    def import_files(
        self,
        files: Sequence[tuple[dt.date, Path]],
        progress: Progress | None = None,
        on_wait: Notice | None = None,
    ) -> ImportReport:
        """Parse and import digest files; a file that cannot be read is reported, not fatal."""
        report = import_files(self.engine, files, progress, on_wait)
        self.generation += 1
        return report

    # -- reading -------------------------------------------------------------------------------

    def day_sources(self) -> dict[dt.date, str]:
        """Each imported day and where its digest came from (a file path, a URL)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(digests.c.day, digests.c.source).order_by(digests.c.day)
            )
            return {day: source for day, source in rows}

    def dates(self) -> list[dt.date]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(digests.c.day).order_by(digests.c.day)).scalars())

    def latest_date(self) -> dt.date | None:
        with self.engine.connect() as connection:
            return connection.execute(select(func.max(digests.c.day))).scalar()

    def get_digest(self, day: dt.date) -> Digest | None:
        with self.engine.connect() as connection:
            source = connection.execute(
                select(digests.c.source).where(digests.c.day == day)
            ).scalar()
            if source is None:
                return None
            rows = connection.execute(
                _listing().where(digest_entries.c.day == day).order_by(digest_entries.c.rank)
            ).mappings()
            listed = [paper_from_row(row, row["votes"]) for row in rows]
        return Digest.model_construct(date=day, papers=listed, source=source, warnings=[])

    def get_paper(self, arxiv_id: str) -> PaperRecord | None:
        """A paper by normalised arXiv id (or archive key), with the days it was listed."""
        with self.engine.connect() as connection:
            rows = (
                connection.execute(
                    _listing()
                    .where(digest_entries.c.paper_key == arxiv_id)
                    .order_by(digest_entries.c.day)
                )
                .mappings()
                .all()
            )
        if not rows:
            return None
        latest = rows[-1]
        return PaperRecord(paper_from_row(latest, latest["votes"]), [r["day"] for r in rows])

    def top(self, day: dt.date, count: int) -> list[RankedPaper]:
        """The day's most-voted papers; papers without a count come last, in digest order."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                _listing()
                .where(digest_entries.c.day == day)
                .order_by(digest_entries.c.votes.desc().nulls_last(), digest_entries.c.rank)
                .limit(count)
            ).mappings()
            return [RankedPaper(paper_from_row(r, r["votes"]), day, r["rank"]) for r in rows]

    def top_between(self, first: dt.date, last: dt.date, count: int) -> list[RankedPaper]:
        """The most-voted papers listed from `first` to `last` (inclusive), each paper once.

        One GROUP BY over the listings: a paper's votes are its highest in the range; ties go to
        the paper listed first, then to the lower key; papers without a count come last. A
        result's `day` is the paper's first listing in the range and `rank` its place here.
        """
        best = func.max(digest_entries.c.votes).label("best")
        first_day = func.min(digest_entries.c.day).label("first_day")
        grouped = (
            select(digest_entries.c.paper_key, best, first_day)
            .where(and_(digest_entries.c.day >= first, digest_entries.c.day <= last))
            .group_by(digest_entries.c.paper_key)
            .subquery()
        )
        statement = (
            select(papers, grouped.c.best, grouped.c.first_day)
            .join(grouped, grouped.c.paper_key == papers.c.key)
            .order_by(grouped.c.best.desc().nulls_last(), grouped.c.first_day, papers.c.key)
            .limit(count)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(statement).mappings().all()
        return [
            RankedPaper(paper_from_row(r, r["best"]), r["first_day"], rank)
            for rank, r in enumerate(rows, start=1)
        ]

    def search(self, query: str, limit: int = 10) -> list[RankedPaper]:
        """Papers matching every word of `query` in title, authors or summary, best first."""
        with self.engine.connect() as connection:
            keys = search_keys(connection, query, limit)
            if not keys:
                return []
            rows = connection.execute(
                _listing()
                .where(digest_entries.c.paper_key.in_(keys))
                .order_by(digest_entries.c.day)
            ).mappings()
            latest: dict[str, Any] = {row["key"]: row for row in rows}  # last listing wins
        return [
            RankedPaper(
                paper_from_row(latest[k], latest[k]["votes"]), latest[k]["day"], latest[k]["rank"]
            )
            for k in keys
            if k in latest
        ]


def _listing() -> Any:
    """Digest entries joined with their papers: one row per (day, paper)."""
    return select(papers, digest_entries.c.day, digest_entries.c.rank, digest_entries.c.votes).join(
        digest_entries, digest_entries.c.paper_key == papers.c.key
    )
