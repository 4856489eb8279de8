"""Writing digests into the archive: idempotent, one transaction, fast enough for years of files.

Re-importing an unchanged digest does nothing; a changed one replaces that day's entries, so a
paper removed from the file disappears from that day and nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, delete, insert, select, text

from bot.archive.records import ImportReport, paper_key, paper_row
from bot.archive.search_index import Document, SearchIndexWriter, paper_document, search_index
from bot.models import Digest, out_of_range_votes, votes_in_range
from bot.storage.engine import json_text
from bot.storage.tables import digest_entries, digests, papers
from bot.storage.upsert import insert_for

T = TypeVar("T")
_CHUNK = 500  # bound parameters per statement stay far below every database's limit


@dataclass(frozen=True)
class Listing:
    """One digest's rows, ready to write; a paper listed twice keeps its first listing."""

    papers: dict[str, dict[str, Any]]  # key → `papers` row
    entries: list[dict[str, Any]]  # `digest_entries` rows, by rank
    warnings: list[str]  # a repeated listing, a vote count the database cannot hold
    # On SQLite, the same rows as the driver takes them (see `_insert_many`).
    stored_papers: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    stored_entries: list[tuple[Any, ...]] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)  # SQLite's search index


@dataclass
class DigestInput:
    """A digest to import and the hash of what it was read from (unchanged hash → skipped)."""

    digest: Digest
    content_hash: str
    _listings: dict[str, Listing] = field(default_factory=dict, repr=False, compare=False)

    def listing(self, dialect: str) -> Listing:
        """This digest's rows, built once: a file import builds them while the index is written."""
        if dialect not in self._listings:
            self._listings[dialect] = _listing(self.digest, dialect)
        return self._listings[dialect]


def _listing(digest: Digest, dialect: str) -> Listing:
    # SQLite searches its FTS5 table; a second copy of every summary there only took space.
    on_sqlite = dialect == "sqlite"
    listing = Listing(papers={}, entries=[], warnings=[])
    for paper in digest.papers:
        key = paper_key(paper)
        if key in listing.papers:  # listed twice in one digest: keep the first, higher-ranked one
            listing.warnings.append(
                f"{digest.source}: {key} is listed twice; keeping the first listing"
            )
            continue
        row = paper_row(paper, with_search_text=not on_sqlite)
        rank = len(listing.entries) + 1
        votes = paper.votes
        if votes is not None and not votes_in_range(votes):
            # The parsers drop such counts with the line; this guards every other source.
            listing.warnings.append(f"{digest.source}: {key}: {out_of_range_votes(votes)}")
            votes = None
        entry = {"day": digest.date, "rank": rank, "paper_key": key, "votes": votes}
        listing.papers[key] = row
        listing.entries.append(entry)
        if on_sqlite:
            listing.documents[key] = paper_document(paper)
            listing.stored_papers[key] = stored_row(papers, row)
            listing.stored_entries.append(stored_row(digest_entries, entry))
    return listing


def digest_hash(digest: Digest) -> str:
    """A content hash for digests that do not come from a file (HTTP, Hugging Face API)."""
    return hashlib.sha256(digest.model_dump_json().encode()).hexdigest()


_IMPORT_LOCK_KEY = 0x696D706F  # "impo"; any fixed number shared by every bot process


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_digests(
    connection: Connection, inputs: Sequence[DigestInput], index: SearchIndexWriter | None = None
) -> ImportReport:
    """Import `inputs` (in any order) within the caller's transaction.

    On SQLite, `index` is the import's search-index writer, perhaps already fed while parsing
    (see `bot.archive.files`); without one, this makes its own.
    """
    if index is None and connection.dialect.name == "sqlite":
        with search_index(connection) as own:
            return write_digests(connection, inputs, own)
    if index is not None:
        index.wait()  # the connection is ours again
    report = ImportReport(files=len(inputs))
    if connection.dialect.name == "postgresql":
        # Two bot processes importing the same new day would both insert it; one waits here
        # until the other commits, then sees that day as already imported.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK_KEY})
    by_day: dict[dt.date, DigestInput] = {}
    for item in sorted(inputs, key=lambda i: i.digest.date):
        by_day[item.digest.date] = item  # the same day twice: the last one given wins
    known: dict[dt.date, str] = {}
    for chunk in _chunks(list(by_day)):
        rows = connection.execute(
            select(digests.c.day, digests.c.content_hash).where(digests.c.day.in_(chunk))
        )
        known.update((day, content_hash) for day, content_hash in rows)
    changed = [item for day, item in by_day.items() if known.get(day) != item.content_hash]
    for day, item in by_day.items():
        report.warnings.extend(str(w) for w in item.digest.warnings)
        if known.get(day) == item.content_hash:
            report.unchanged_days.append(day)
        elif day in known:
            report.updated_days.append(day)
        else:
            report.added_days.append(day)
    report.papers = sum(len(item.digest.papers) for item in by_day.values())
    if not changed:
        if index is not None:
            index.finish({}, [])  # drops whatever was fed for days that turned out unchanged
        return report

    paper_rows: dict[str, dict[str, Any]] = {}
    stored_papers: dict[str, tuple[Any, ...]] = {}
    documents: dict[str, Document] = {}
    entry_rows: list[dict[str, Any]] = []
    stored_entries: list[tuple[Any, ...]] = []
    digest_rows: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC)
    for item in changed:  # ascending dates: a paper's latest listing wins
        listing = item.listing(connection.dialect.name)
        report.warnings += listing.warnings
        paper_rows.update(listing.papers)
        stored_papers.update(listing.stored_papers)
        documents.update(listing.documents)
        entry_rows += listing.entries
        stored_entries += listing.stored_entries
        digest_rows.append(
            {
                "day": item.digest.date,
                "source": item.digest.source,
                "content_hash": item.content_hash,
                "paper_count": len(listing.entries),
                "imported_at": now,
            }
        )

    days = [item.digest.date for item in changed]
    for chunk in _chunks(days):
        connection.execute(delete(digest_entries).where(digest_entries.c.day.in_(chunk)))
        connection.execute(delete(digests).where(digests.c.day.in_(chunk)))
    existing = _existing_keys(connection, list(paper_rows))
    _upsert_papers(connection, list(paper_rows.values()), list(stored_papers.values()))
    connection.execute(insert(digests), digest_rows)
    if entry_rows:
        _insert_many(connection, insert(digest_entries), entry_rows, stored_entries)
    orphans = _delete_orphans(connection)
    if index is not None:
        index.finish(documents, existing + orphans)
    return report


def _existing_keys(connection: Connection, keys: Sequence[str]) -> list[str]:
    found: list[str] = []
    for chunk in _chunks(keys):
        found += connection.execute(select(papers.c.key).where(papers.c.key.in_(chunk))).scalars()
    return found


def _upsert_papers(
    connection: Connection, rows: list[dict[str, Any]], stored: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    statement = insert_for(connection.dialect.name, papers)
    columns = {name: statement.excluded[name] for name in rows[0] if name != "key"}
    upsert = statement.on_conflict_do_update(index_elements=["key"], set_=columns)
    _insert_many(connection, upsert, rows, stored)


def _insert_many(
    connection: Connection,
    statement: Any,
    rows: list[dict[str, Any]],
    stored: list[tuple[Any, ...]],
) -> None:
    """One executemany of `statement` (compiling multi-row VALUES is far slower).

    On SQLite the driver takes `stored`, the rows as `stored_row` made them: SQLAlchemy's own
    per-row parameter work was a fifth of a large import, and the rows are made in advance.
    """
    if connection.dialect.name != "sqlite":
        connection.execute(statement, rows)
        return
    table: Table = statement.table
    names = [column.name for column in table.c]
    compiled = statement.compile(dialect=connection.dialect, column_keys=names)
    if list(compiled.positiontup or ()) != names:  # pragma: no cover - SQLAlchemy's own order
        raise RuntimeError(f"unexpected parameter order for {table.name}: {compiled.positiontup}")
    connection.exec_driver_sql(str(compiled), stored)


def stored_row(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    """`row` as SQLite's driver takes it, in `table`'s column order.

    Lists become JSON text, as the JSON columns store them; dates become ISO text, as
    SQLAlchemy's SQLite `Date` does. Other values are str, int or None and pass as they are.
    """
    return tuple(_stored(row[column.name]) for column in table.c)


def _stored(value: Any) -> Any:
    if isinstance(value, list):
        return json_text(value)
    if isinstance(value, dt.datetime):  # pragma: no cover - no such column is written this way
        raise TypeError("datetime values go through SQLAlchemy")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _delete_orphans(connection: Connection) -> list[str]:
    """Remove papers no digest lists any more; return their keys."""
    listed = select(digest_entries.c.paper_key)
    orphans = list(
        connection.execute(select(papers.c.key).where(papers.c.key.not_in(listed))).scalars()
    )
    for chunk in _chunks(orphans):
        connection.execute(delete(papers).where(papers.c.key.in_(chunk)))
    return orphans


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
