"""Engines for SQLite (the default, a file in the data dir) and PostgreSQL (change the URL)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError

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


def create_database_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder created and safe concurrency settings."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            [
                f"database_url: '{_redacted(url)}' is not a database URL; use e.g. "
                "sqlite:///data/digest.db or postgresql+psycopg://user@host/db"
            ]
        ) from None
    # JSON columns as UTF-8: ASCII escapes take six bytes for each Hangul character, not three.
    options: dict[str, Any] = {"json_serializer": json_text}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 30}
    else:
        options["pool_pre_ping"] = True
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
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


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
    finally:
        raw.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url
