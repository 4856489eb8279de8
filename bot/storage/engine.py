"""Engines for SQLite (the default, a file in the data dir) and PostgreSQL (change the URL)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError, DatabaseUnavailable

DATA_DIR_ENV = "DIGEST_BOT_DATA_DIR"


def default_data_dir() -> Path:
    """`$DIGEST_BOT_DATA_DIR`, else the XDG data dir (`~/.local/share/digest-bot`)."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "digest-bot"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_database_engine(
    url: str, *, read_only: bool = False, connect_timeout: int | None = None
) -> Engine:
    """An engine for `url`; SQLite files get their folder created and safe concurrency settings.

    `read_only`: a command that only reads opens a SQLite file it may not write (a read-only
    data dir or file) read-only instead of failing. Database outages, a full disk and a
    read-only database raise `DatabaseError` with one line saying what to fix.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise ConfigError(
            [
                f"database_url: '{_redacted(url)}' is not a database URL; use e.g. "
                "sqlite:///data/digest.db or postgresql+psycopg://user@host/db"
            ]
        ) from None
    # JSON columns as UTF-8: ASCII escapes take six bytes for each Hangul character, not three.
    options: dict[str, Any] = {"json_serializer": json_text}
    sqlite = parsed.get_backend_name() == "sqlite"
    opened_read_only = False
    if sqlite:
        if parsed.database and parsed.database != ":memory:" and "mode=" not in url:
            path = Path(parsed.database).expanduser()
            opened_read_only = read_only and _unwritable(path)
            if opened_read_only:
                parsed = _read_only_sqlite(parsed, path)
            else:
                _make_folder(path.parent)
        options["connect_args"] = {"timeout": 30}
    else:
        options["pool_pre_ping"] = True
        if connect_timeout is not None and parsed.get_backend_name() == "postgresql":
            options["connect_args"] = {"connect_timeout": connect_timeout}
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ModuleNotFoundError) as error:
        raise ConfigError(
            [
                f"database_url: cannot use '{_redacted(url)}' ({error.__class__.__name__}: "
                f"{error}); for PostgreSQL install the extra: pip install "
                "'daily-papers-digest-bot[postgres]'"
            ]
        ) from None
    if sqlite and not opened_read_only:
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _explain_error)
    return engine


def check_database(url: str, *, timeout: int = 5) -> str | None:
    """What would stop the bot using `url` (None: nothing), found within about `timeout` s.

    A SQLite file is checked on disk, without creating it or its folder; a server is connected to.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        parsed = None
    if parsed is not None and parsed.get_backend_name() == "sqlite":
        return _sqlite_problem(parsed)
    engine = None
    try:
        engine = create_database_engine(url, connect_timeout=timeout)
        with engine.connect():
            return None
    except (ConfigError, DatabaseUnavailable) as error:
        return str(error)
    finally:
        if engine is not None:
            engine.dispose()


def _sqlite_problem(parsed: URL) -> str | None:
    if not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database).expanduser()
    if path.exists():
        if _unwritable(path):
            return (
                f"the database {path} is read-only: make its folder and file writable by this "
                "user (read commands such as `top` still work)"
            )
        return None
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not (folder.is_dir() and os.access(folder, os.W_OK)):
        return (
            f"data_dir: cannot create {path.parent} ({folder} is not a folder this user may "
            "write); point --data-dir / DIGEST_BOT_DATA_DIR elsewhere"
        )
    return None


def _unwritable(path: Path) -> bool:
    """An existing SQLite file this process may read but not write (or not in its folder)."""
    folder = path.parent
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(folder, os.W_OK))


def _read_only_sqlite(parsed: URL, path: Path) -> URL:
    # A WAL reader needs the -wal and -shm files beside the database, and creates them if it
    # can. In a folder it may not write and without them, nothing was left unwritten to the
    # database file, and `immutable` reads the file as it is.
    query = {"mode": "ro", "uri": "true"}
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        query["immutable"] = "1"
    return parsed.set(database=f"file:{path.resolve()}").update_query_dict(query)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            [
                f"data_dir: cannot create the folder {folder} ({error.strerror}); create it, "
                "or point --data-dir / DIGEST_BOT_DATA_DIR at a folder this user may write"
            ]
        ) from None


# SQLite's messages for a database it cannot open or write, and what the user should do.
_SQLITE_FIXES = (
    ("readonly database", "is read-only: make its folder and file writable by this user"),
    ("read-only", "is read-only: make its folder and file writable by this user"),
    ("disk is full", "cannot be written, the disk is full: free some space"),
    ("disk i/o error", "cannot be written (disk I/O error): check that the disk has free space"),
    (
        "unable to open database file",
        "cannot be opened: check that its folder exists and is writable by this user",
    ),
)


def _explain_error(context: ExceptionContext) -> None:
    """Replace an outage, a full disk or a read-only file by one line saying what to fix.

    Only failures a user fixes outside the bot are replaced; everything else (a lock timeout,
    a constraint) goes on as SQLAlchemy raised it, so callers that retry keep seeing it.
    """
    if context.is_pre_ping or context.engine is None:
        return  # the pool reconnects on its own
    url = context.engine.url
    where = url.render_as_string(hide_password=True)
    detail = _one_line(str(context.original_exception), url)
    if context.engine.dialect.name == "sqlite":
        unavailable = _sqlite_unavailable(detail, url)
        if unavailable is not None:
            raise unavailable from None
        return
    sqlstate = str(getattr(context.original_exception, "sqlstate", "") or "")
    if context.connection is None:  # failed to connect at all
        raise DatabaseUnavailable(
            f"cannot connect to the database {where} ({detail}); check the host, port, user "
            "and password in database_url, and that the server is running"
        ) from None
    if sqlstate.startswith("53"):  # PostgreSQL's "insufficient resources": disk full and kin
        raise DatabaseUnavailable(
            f"the database server {where} is out of resources ({detail}); free disk space on it"
        ) from None


def _sqlite_unavailable(message: str, url: URL) -> DatabaseUnavailable | None:
    lowered = message.lower()
    for needle, fix in _SQLITE_FIXES:
        if needle in lowered:
            where = str(url.database).removeprefix("file:")
            return DatabaseUnavailable(
                f"the database {where} {fix}, or point --data-dir / database_url at another place"
            )
    return None


def _one_line(message: str, url: URL) -> str:
    """A driver's message as one line, never with the password even if a driver echoed it."""
    text = " ".join(part.strip() for part in message.splitlines() if part.strip())
    text = text.split(" (Background on this error", 1)[0]
    if url.password:
        text = text.replace(str(url.password), "***")
    return text[:300]


def json_text(value: Any) -> str:
    """JSON as the JSON columns store it."""
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the scheduler write the ledger while a command reads the archive; foreign keys
    # are off by default in SQLite.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


@contextmanager
def bulk_write(connection: Connection) -> Iterator[None]:
    """No WAL checkpoint at the commit of one large write on SQLite (an import).

    Copying a whole import from the WAL into the database file, and syncing it, was a fifth of
    an import's time. The next write of any connection (the delivery ledger's, the next import's)
    checkpoints it instead; readers see the committed import either way.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield
    except sqlite3.OperationalError as error:
        # The search index writes through the driver, where SQLAlchemy's handle_error is not.
        unavailable = _sqlite_unavailable(str(error), connection.engine.url)
        if unavailable is None:
            raise
        raise unavailable from None
    finally:
        raw.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:).*@", r"\1***@", url)  # up to the last @: over-mask
