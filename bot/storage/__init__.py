"""The database shared by the archive and the delivery ledger: engine, tables, schema version."""

from bot.storage.engine import (
    bulk_write,
    check_database,
    create_database_engine,
    default_data_dir,
    sqlite_url,
)
from bot.storage.schema import SCHEMA_VERSION, ensure_schema

__all__ = [
    "SCHEMA_VERSION",
    "bulk_write",
    "check_database",
    "create_database_engine",
    "default_data_dir",
    "ensure_schema",
    "sqlite_url",
]
