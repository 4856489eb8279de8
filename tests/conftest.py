"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

if TYPE_CHECKING:
    from bot.archive import Archive

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_dir() -> Path:
    """The real-digest corpus: `$DIGEST_BOT_CORPUS`, else `../shared/corpus/daily_papers_ko`."""
    configured = os.environ.get("DIGEST_BOT_CORPUS")
    if configured:
        return Path(configured)
    return PROJECT_ROOT.parent / "shared" / "corpus" / "daily_papers_ko"


def corpus_files() -> list[Path]:
    """Every real digest, or a skip with the reason when the corpus is not beside the project."""
    folder = corpus_dir()
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not files:
        pytest.skip(f"real digest corpus not found at {folder} (set DIGEST_BOT_CORPUS)")
    return files


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


PG_URL_ENV = "DIGEST_BOT_TEST_PG_URL"


def _reset_postgres(url: str) -> Engine:
    from bot.storage import create_database_engine
    from bot.storage.tables import metadata

    engine = create_database_engine(url)
    metadata.drop_all(engine)
    return engine


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database: SQLite in tmp_path, and PostgreSQL when CI provides one."""
    from bot.storage import create_database_engine, sqlite_url

    if request.param == "sqlite":
        engine = create_database_engine(sqlite_url(tmp_path / "test.sqlite3"))
    else:
        url = os.environ.get(PG_URL_ENV)
        if not url:
            pytest.skip(f"no PostgreSQL for this run (set {PG_URL_ENV}; .ci/run does)")
        engine = _reset_postgres(url)
    yield engine
    engine.dispose()


@pytest.fixture
def sample_archive(tmp_path: Path) -> Archive:
    """A SQLite archive holding the bundled sample digests (2025-01-08 to 2025-01-10)."""
    from bot.archive import Archive
    from bot.ingest import SAMPLE_ARCHIVE_DIR
    from bot.parser import parse_file

    archive = Archive.from_url(f"sqlite:///{tmp_path / 'sample.sqlite3'}")
    archive.import_digests(parse_file(p) for p in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md")))
    return archive
