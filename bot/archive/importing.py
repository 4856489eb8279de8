"""Writing digests into the archive: idempotent, one transaction, fast enough for years of files.

Re-importing an unchanged digest does nothing; a changed one replaces that day's entries, so a
paper removed from the file disappears from that day and nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bot.archive.records import ImportReport, paper_key, paper_row
from bot.models import Digest
from bot.storage.tables import digest_entries, digests, papers

T = TypeVar("T")
_FTS_INSERT = text("INSERT INTO paper_fts (key, title, authors, summary) VALUES (:k, :t, :a, :s)")
_CHUNK = 500  # bound parameters per statement stay far below every database's limit


@dataclass(frozen=True)
class DigestInput:
    """A digest to import and the hash of what it was read from (unchanged hash → skipped)."""

    digest: Digest
    content_hash: str


def digest_hash(digest: Digest) -> str:
    """A content hash for digests that do not come from a file (HTTP, Hugging Face API)."""
    return hashlib.sha256(digest.model_dump_json().encode()).hexdigest()


_IMPORT_LOCK_KEY = 0x696D706F  # "impo"; any fixed number shared by every bot process


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_digests(connection: Connection, inputs: Sequence[DigestInput]) -> ImportReport:
    """Import `inputs` (in any order) within the caller's transaction."""
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
        return report

    paper_rows: dict[str, dict[str, Any]] = {}
    entry_rows: list[dict[str, Any]] = []
    digest_rows: list[dict[str, Any]] = []
    now = dt.datetime.now(dt.UTC)
    # SQLite searches its FTS5 table; a second copy of every summary there only took space.
    with_search_text = connection.dialect.name != "sqlite"
    for item in changed:  # ascending dates: a paper's latest listing wins
        seen: set[str] = set()
        for paper in item.digest.papers:
            key = paper_key(paper)
            if key in seen:  # listed twice in one digest: keep the first, higher-ranked one
                report.warnings.append(
                    f"{item.digest.source}: {key} is listed twice; keeping the first listing"
                )
                continue
            seen.add(key)
            paper_rows[key] = paper_row(paper, with_search_text=with_search_text)
            entry_rows.append(
                {"day": item.digest.date, "rank": len(seen), "paper_key": key, "votes": paper.votes}
            )
        digest_rows.append(
            {
                "day": item.digest.date,
                "source": item.digest.source,
                "content_hash": item.content_hash,
                "paper_count": len(seen),
                "imported_at": now,
            }
        )

    days = [item.digest.date for item in changed]
    for chunk in _chunks(days):
        connection.execute(delete(digest_entries).where(digest_entries.c.day.in_(chunk)))
        connection.execute(delete(digests).where(digests.c.day.in_(chunk)))
    existing = _existing_keys(connection, list(paper_rows))
    _upsert_papers(connection, list(paper_rows.values()))
    connection.execute(insert(digests), digest_rows)
    if entry_rows:
        connection.execute(insert(digest_entries), entry_rows)
    orphans = _delete_orphans(connection)
    if connection.dialect.name == "sqlite":
        _refresh_fts(connection, list(paper_rows.values()), existing + orphans)
    return report


def _existing_keys(connection: Connection, keys: Sequence[str]) -> list[str]:
    found: list[str] = []
    for chunk in _chunks(keys):
        found += connection.execute(select(papers.c.key).where(papers.c.key.in_(chunk))).scalars()
    return found


def _upsert_papers(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite.insert(papers)
    elif dialect == "postgresql":
        statement = postgresql.insert(papers)
    else:  # pragma: no cover - other databases are not supported by create_database_engine users
        raise NotImplementedError(
            f"database '{dialect}' is not supported; use SQLite or PostgreSQL"
        )
    columns = {name: statement.excluded[name] for name in rows[0] if name != "key"}
    # One executemany of a compiled statement: compiling multi-row VALUES is far slower.
    connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_=columns), rows)


def _delete_orphans(connection: Connection) -> list[str]:
    """Remove papers no digest lists any more; return their keys."""
    listed = select(digest_entries.c.paper_key)
    orphans = list(
        connection.execute(select(papers.c.key).where(papers.c.key.not_in(listed))).scalars()
    )
    for chunk in _chunks(orphans):
        connection.execute(delete(papers).where(papers.c.key.in_(chunk)))
    return orphans


def _refresh_fts(connection: Connection, rows: list[dict[str, Any]], stale: list[str]) -> None:
    """Replace the search documents of `stale` papers (updated or removed) and add `rows`."""
    for chunk in _chunks(stale):
        marks = ",".join(f":k{i}" for i in range(len(chunk)))
        params = {f"k{i}": key for i, key in enumerate(chunk)}
        statement = f"DELETE FROM paper_fts WHERE key IN ({marks})"  # noqa: S608 - placeholders only
        connection.execute(text(statement), params)
    documents = [
        {
            "k": row["key"],
            "t": row["title"],
            "a": ", ".join(row["authors"]),
            "s": " ".join(section["text"] for section in row["sections"]),
        }
        for row in rows
    ]
    connection.execute(_FTS_INSERT, documents)


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
