"""Creating the schema and checking its version, so an old bot never writes a newer database."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, text

from bot.errors import DigestBotError
from bot.storage.tables import metadata, schema_version

SCHEMA_VERSION = 1

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS paper_fts USING fts5("
    "key UNINDEXED, title, authors, summary, tokenize = 'unicode61 remove_diacritics 2')"
)


class SchemaVersionError(DigestBotError):
    """The database was written by a newer version of the bot."""


def ensure_schema(engine: Engine) -> None:
    """Create missing tables and record the schema version; refuse a database from the future."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text(_SQLITE_FTS))
        found = connection.execute(select(schema_version.c.version)).scalars().all()
        if not found:
            connection.execute(insert(schema_version).values(version=SCHEMA_VERSION))
            return
        current = max(found)
    if current > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"The database has schema version {current}, but this bot only knows version "
            f"{SCHEMA_VERSION}. Upgrade the bot (pip install -U daily-papers-digest-bot) or "
            "point database_url at another database."
        )
