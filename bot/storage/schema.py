"""Creating the schema and checking its version, so an old bot never writes a newer database."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import OperationalError

from bot.errors import DigestBotError
from bot.storage.tables import metadata, schema_version

SCHEMA_VERSION = 1

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS paper_fts USING fts5("
    "key UNINDEXED, title, authors, summary, tokenize = 'unicode61 remove_diacritics 2')"
)


# FTS5 leaf pages of ~16 KB rather than ~4 KB: a fifth less work to index an import's summaries
# (measured on the shared corpus), and searches still read a few pages. A setting of the index
# itself, kept in its config table; indexes made before it keep working with the default.
_FTS_PAGE_SIZE = 16000


class SchemaVersionError(DigestBotError):
    """The database was written by a newer version of the bot."""


# Any fixed number: two processes starting on a fresh PostgreSQL database take turns creating it.
_SCHEMA_LOCK_KEY = 0x64696765  # "dige"


def ensure_schema(engine: Engine) -> None:
    """Create missing tables and record the schema version; refuse a database from the future."""
    for attempt in range(3):
        try:
            current = _create(engine)
            break
        except OperationalError as error:
            # SQLite has no schema lock: a process that lost the race to create a table sees
            # "already exists" and, on the next pass, finds everything in place.
            if "already exists" not in str(error) or attempt == 2:
                raise
    if current > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"The database has schema version {current}, but this bot only knows version "
            f"{SCHEMA_VERSION}. Upgrade the bot (pip install -U daily-papers-digest-bot) or "
            "point database_url at another database."
        )


def _configure_fts(connection: Connection) -> None:
    found = connection.execute(text("SELECT v FROM paper_fts_config WHERE k = 'pgsz'")).first()
    if found is None:  # checked first, so that starting the bot on a set-up database writes nothing
        connection.execute(
            text("INSERT INTO paper_fts(paper_fts, rank) VALUES ('pgsz', :size)"),
            {"size": _FTS_PAGE_SIZE},
        )


def _create(engine: Engine) -> int:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY}
            )
        metadata.create_all(connection)
        if engine.dialect.name == "sqlite":
            connection.execute(text(_SQLITE_FTS))
            _configure_fts(connection)
        found = connection.execute(select(schema_version.c.version)).scalars().all()
        if not found:
            connection.execute(insert(schema_version).values(version=SCHEMA_VERSION))
            return SCHEMA_VERSION
        return int(max(found))
