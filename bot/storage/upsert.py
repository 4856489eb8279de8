"""An INSERT that can become an upsert, for the two databases the archive runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from bot.errors import ConfigError


def insert_for(dialect: str, table: Table) -> Any:
    """The dialect's INSERT for `table`, which has `on_conflict_do_update` on both."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    # create_database_engine only makes these two; say so plainly if another slipped through.
    raise ConfigError([f"database_url: '{dialect}' is not supported; use SQLite or PostgreSQL"])
