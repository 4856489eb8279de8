"""Writing SQLite's FTS5 search documents during an import, mostly on a worker thread.

Tokenising the summaries is the largest single cost of an import, and SQLite does it without
holding the GIL. So the import hands each batch of freshly parsed papers to `feed`, and a worker
thread indexes them on the import's own connection (inside its transaction) while the caller
parses the next files. `finish` then makes the index hold exactly the documents of the paper
rows written, whatever was fed: a paper listed again later, a day superseded, an old document.

The connection is used by one thread at a time: every method of this class waits for the worker
before it returns control of the connection (see `wait`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from bot.models import Paper, paper_key

Document = tuple[str, str, str, str]  # key, title, authors, summary: the columns of paper_fts
_COLUMNS = "rowid, key, title, authors, summary"
_KEYS_PER_DELETE = 500


def paper_document(paper: Paper) -> Document:
    """What the index holds for one paper: its title, its authors and its whole summary."""
    summary = " ".join(section.text for section in paper.sections)
    return (paper_key(paper), paper.title, ", ".join(paper.authors), summary)


class SearchIndexWriter:
    """The FTS5 side of one import on SQLite; use it as a context manager (see `search_index`)."""

    def __init__(self, connection: Connection) -> None:
        self._dbapi: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]
        # Rows written by this import get rowids from here up, so older documents are told apart.
        found = self._dbapi.execute("SELECT coalesce(max(rowid), 0) FROM paper_fts").fetchone()
        self._first_new = int(found[0]) + 1
        self._next_rowid = self._first_new
        self._fed: dict[str, tuple[int, Document]] = {}
        limit = self._dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        # As few statements as the limit allows: each one is a GIL hand-off for the worker.
        self._rows_per_statement = max(1, limit // 5)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index")
        self._pending: Future[None] | None = None
        self._threaded = self._usable_from_worker()

    def feed(self, documents: Iterable[Document]) -> None:
        """Index these documents in the background; a key fed before in this import is skipped."""
        fresh: dict[str, Document] = {}  # the first listing of each key not fed before
        for doc in documents:
            if doc[0] not in self._fed:
                fresh.setdefault(doc[0], doc)
        rows = self._numbered(list(fresh.values()))
        self._fed.update((row[1], (row[0], row[1:])) for row in rows)
        statements = self._statements(rows)  # built here: the worker should hardly need the GIL
        self.wait()
        if not self._threaded:
            self._execute(statements)
        elif statements:
            self._pending = self._worker.submit(self._execute, statements)

    @property
    def busy(self) -> bool:
        """Whether the worker is still indexing what it was fed last (`feed` would wait)."""
        return self._pending is not None and not self._pending.done()

    def wait(self) -> None:
        """Block until the worker is done with the connection; re-raise what it failed with."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def finish(self, wanted: dict[str, Document], stale: Sequence[str]) -> None:
        """Leave exactly the `wanted` documents, replacing the old ones of the `stale` keys."""
        self.wait()
        dropped = [rowid for key, (rowid, doc) in self._fed.items() if wanted.get(key) != doc]
        missing = [doc for key, doc in wanted.items() if self._fed.get(key, (0, None))[1] != doc]
        self._delete("rowid IN ({marks})", (), dropped)
        self._delete("rowid < ? AND key IN ({marks})", (self._first_new,), stale)
        self._execute(self._statements(self._numbered(missing)))
        self._fed = {}

    def _numbered(self, documents: Sequence[Document]) -> list[tuple[Any, ...]]:
        """`documents` as rows with this import's next rowids."""
        first = self._next_rowid
        self._next_rowid += len(documents)
        return [(first + offset, *doc) for offset, doc in enumerate(documents)]

    def _delete(self, where: str, before: tuple[Any, ...], values: Sequence[Any]) -> None:
        for start in range(0, len(values), _KEYS_PER_DELETE):
            chunk = values[start : start + _KEYS_PER_DELETE]
            condition = where.format(marks=",".join("?" * len(chunk)))
            self._dbapi.execute(f"DELETE FROM paper_fts WHERE {condition}", (*before, *chunk))  # noqa: S608 - placeholders only

    def _usable_from_worker(self) -> bool:
        try:
            self._worker.submit(self._dbapi.execute, "SELECT 1").result()
        except sqlite3.ProgrammingError:  # bound to its thread (check_same_thread, `sqlite://`)
            return False
        return True

    def close(self) -> None:
        self.wait()
        self._worker.shutdown()

    def _statements(self, rows: Sequence[tuple[Any, ...]]) -> list[tuple[str, list[Any]]]:
        # Multi-row VALUES rather than executemany: one GIL-free step per statement, not per row.
        statements = []
        for start in range(0, len(rows), self._rows_per_statement):
            chunk = rows[start : start + self._rows_per_statement]
            values = ",".join(["(?,?,?,?,?)"] * len(chunk))
            sql = f"INSERT INTO paper_fts ({_COLUMNS}) VALUES {values}"  # noqa: S608 - placeholders only
            statements.append((sql, [value for row in chunk for value in row]))
        return statements

    def _execute(self, statements: Sequence[tuple[str, list[Any]]]) -> None:
        for sql, params in statements:
            self._dbapi.execute(sql, params)


@contextmanager
def search_index(connection: Connection) -> Iterator[SearchIndexWriter | None]:
    """The import's FTS5 writer on SQLite; None elsewhere (PostgreSQL searches `papers`)."""
    if connection.dialect.name != "sqlite":
        yield None
        return
    writer = SearchIndexWriter(connection)
    try:
        yield writer
    finally:
        writer.close()  # the worker lets go of the connection before the transaction ends
