"""One writer at a time for imports: SQLite's write lock taken when the transaction begins.

SQLite's default transaction takes the write lock at its first write. An import reads the
search index's last row number before that, so two imports started together on one file both
numbered their rows from the same place and the second died on a duplicate row number. Taking
the lock first (`BEGIN IMMEDIATE`) makes the second import wait, then read the first one's rows.
PostgreSQL imports take an advisory lock instead (see `bot.archive.importing`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from bot.errors import ArchiveBusy

Notice = Callable[[], None]

# How long an import waits for another process's import; the waiting one has said so by then.
WAIT_SECONDS = 600.0


@contextmanager
def write_transaction(
    connection: Connection, on_wait: Notice | None = None, *, wait_seconds: float = WAIT_SECONDS
) -> Iterator[None]:
    """`connection.begin()`, holding SQLite's write lock from the start; `on_wait` if it waits."""
    with connection.begin():
        if connection.dialect.name == "sqlite":
            _begin_immediate(connection, on_wait, wait_seconds)
        yield


def _begin_immediate(connection: Connection, on_wait: Notice | None, wait_seconds: float) -> None:
    # Through SQLAlchemy, so that any other error (a read-only file, a full disk) arrives
    # wrapped as everywhere else and gets the same one-line message.
    previous = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    try:
        connection.exec_driver_sql("PRAGMA busy_timeout = 0")  # first: is anyone writing?
        if _try_begin(connection):
            return
        if on_wait is not None:
            on_wait()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        if not _try_begin(connection):
            raise ArchiveBusy(
                f"another process (an import, or the bot refreshing its folder source) has been "
                f"writing the archive for over {wait_seconds:.0f} s; run this again once it is done"
            )
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous or 0)}")


def _try_begin(connection: Connection) -> bool:
    # The sqlite3 module then sees a transaction open and issues no BEGIN of its own; SQLAlchemy
    # commits or rolls it back through the driver as usual.
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as error:
        if isinstance(error.orig, sqlite3.OperationalError) and _busy(error.orig):
            return False
        raise
    return True


def _busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)
