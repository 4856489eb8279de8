"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_dir() -> Path:
    """The shared real-digest corpus: `$DIGEST_BOT_CORPUS`, else `../shared/corpus/daily_papers_ko`."""
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
