"""SQLite's search index after imports: exactly one document per paper, from its latest listing.

The import indexes papers on a worker thread while it parses (see `bot.archive.search_index`);
whatever it fed along the way, the index must end up as if built from the stored papers.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.archive import Archive
from bot.archive.importing import DigestInput, write_digests
from bot.archive.search_index import Document, paper_document, search_index
from bot.ingest import SAMPLE_ARCHIVE_DIR
from bot.models import Digest, Paper, Section
from bot.sources import iter_digest_files
from bot.storage import create_database_engine, sqlite_url
from tests.fakes.digest_files import count, digest_text, write

START = dt.date(2025, 1, 1)


def sqlite_archive(folder: Path) -> Archive:
    return Archive(create_database_engine(sqlite_url(folder / "archive.sqlite3")))


def indexed(archive: Archive) -> list[Document]:
    with archive.engine.connect() as connection:
        rows = connection.execute(text("SELECT key, title, authors, summary FROM paper_fts"))
        return sorted(tuple(row) for row in rows)  # type: ignore[misc]


def expected(archive: Archive) -> list[Document]:
    """The documents of the papers as stored: what a fresh index built from them would hold."""
    keys = {ranked.paper.arxiv_id for day in archive.dates() for ranked in archive.top(day, 999)}
    stored = (archive.get_paper(key) for key in keys if key)
    return sorted(paper_document(record.paper) for record in stored if record is not None)


def test_a_paper_listed_on_many_days_is_found_by_its_latest_summary_only(tmp_path: Path) -> None:
    archive = sqlite_archive(tmp_path)
    files = [
        write(
            tmp_path,
            START + dt.timedelta(days=n),
            digest_text(
                START + dt.timedelta(days=n),
                ("2501.00001", "Recurring Paper", "5", f"recurring summary version{n}"),
                (f"2501.{n + 100:05d}", f"Paper of day {n}", "1", f"only on day{n}"),
            ),
        )
        for n in range(60)  # enough files for the parse to hand the worker several batches
    ]
    report = archive.import_files(files)
    assert report.papers == 120
    assert not report.failed
    assert indexed(archive) == expected(archive)
    assert count(archive, text("paper_fts")) == 61
    assert [r.paper.title for r in archive.search("version59")] == ["Recurring Paper"]
    assert archive.search("version3") == []  # an older listing's words are gone
    assert [r.paper.title for r in archive.search("day7")] == ["Paper of day 7"]


def test_a_changed_file_replaces_its_documents_and_a_dropped_paper_leaves_the_index(
    tmp_path: Path,
) -> None:
    archive = sqlite_archive(tmp_path)
    day = START
    archive.import_files(
        [write(tmp_path, day, digest_text(day, ("2501.00001", "Kept", "3", "first words")))]
    )
    archive.import_files(
        [
            write(
                tmp_path,
                day,
                digest_text(
                    day,
                    ("2501.00002", "Added", "4", "fresh words"),
                    ("2501.00003", "Also added", "2", "more words"),
                ),
            )
        ]
    )
    assert indexed(archive) == expected(archive)
    assert [key for key, *_ in indexed(archive)] == ["2501.00002", "2501.00003"]
    assert archive.search("first") == []


def test_days_found_unchanged_inside_the_transaction_leave_nothing_behind(
    tmp_path: Path,
) -> None:
    # Another process may import the same files between our reading of the known days and our
    # transaction; what was fed for them in the meantime must not stay in the index.
    archive = sqlite_archive(tmp_path)
    day, path = write(tmp_path, START, digest_text(START, ("2501.00001", "Only", "1", "words")))
    archive.import_files([(day, path)])
    before = indexed(archive)
    stored = archive.get_digest(day)
    assert stored is not None
    with archive.engine.begin() as connection:
        (content_hash,) = connection.execute(text("SELECT content_hash FROM digests")).one()
    with (
        archive.engine.connect() as connection,
        connection.begin(),
        search_index(connection) as index,
    ):
        assert index is not None
        index.feed(paper_document(p) for p in stored.papers)
        report = write_digests(connection, [DigestInput(stored, content_hash)], index)
    assert report.unchanged_days == [day]
    assert indexed(archive) == before


def test_a_failing_index_write_rolls_the_whole_import_back(tmp_path: Path) -> None:
    archive = sqlite_archive(tmp_path)
    with archive.engine.begin() as connection:
        connection.execute(text("DROP TABLE paper_fts"))
    files = [write(tmp_path, START, digest_text(START, ("2501.00001", "Lost", "1", "words")))]
    with pytest.raises(Exception, match="no such table: paper_fts"):
        archive.import_files(files)
    assert archive.dates() == []


WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "Fränken", "모델", "확산"])
PAPERS = st.tuples(st.integers(1, 6), st.lists(WORDS, min_size=1, max_size=4))
DAYS = st.dictionaries(st.integers(0, 4), st.lists(PAPERS, max_size=5), max_size=4)


def digest_of(offset: int, listings: list[tuple[int, list[str]]]) -> Digest:
    day = START + dt.timedelta(days=offset)
    return Digest(
        date=day,
        source=f"generated/{day}.md",
        papers=[
            Paper(
                arxiv_id=f"2501.{n:05d}",
                title=f"Paper {n}",
                url=f"https://arxiv.org/abs/2501.{n:05d}",
                authors=["Ada Example"],
                sections=[Section(label=None, text=" ".join(words))],
            )
            for n, words in listings
        ],
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), DAYS), min_size=1, max_size=4))
def test_any_sequence_of_imports_leaves_the_index_in_step_with_the_papers(
    imports: list[tuple[bool, dict[int, list[tuple[int, list[str]]]]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        archive = sqlite_archive(Path(folder))
        for as_files, days in imports:
            digests = [digest_of(offset, listings) for offset, listings in days.items()]
            if as_files:
                files = []
                for digest in digests:
                    entries = [
                        (p.arxiv_id or "", p.title, "1", p.sections[0].text) for p in digest.papers
                    ]
                    files.append(
                        write(Path(folder), digest.date, digest_text(digest.date, *entries))
                    )
                archive.import_files(files)
            else:
                archive.import_digests(digests)
            assert indexed(archive) == expected(archive)
        archive.engine.dispose()


def test_the_statement_size_follows_the_drivers_variable_limit(tmp_path: Path) -> None:
    archive = sqlite_archive(tmp_path)
    with archive.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 12)  # two rows per statement
    digest = digest_of(0, [(n, ["alpha"]) for n in range(1, 8)])
    archive.import_digests([digest])
    assert indexed(archive) == expected(archive)
    assert len(archive.search("alpha", limit=20)) == 7


def test_the_import_leaves_its_checkpoint_to_the_next_write(tmp_path: Path) -> None:
    archive = sqlite_archive(tmp_path)
    database = tmp_path / "archive.sqlite3"
    # Over SQLite's 1000-page autocheckpoint threshold, which a normal commit would act on.
    entries = [(f"2501.{n:05d}", "T", "1", "x" * 20_000) for n in range(1, 300)]
    archive.import_files([write(tmp_path, START, digest_text(START, *entries))])
    assert archive.get_paper("2501.00007") is not None  # committed and readable at once
    assert database.stat().st_size < 1_000_000  # still in the WAL
    with archive.engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar_one() == 1000
    with archive.engine.begin() as connection:  # any later write checkpoints it
        connection.execute(text("CREATE TABLE later_write (x INTEGER)"))
    assert database.stat().st_size > 10_000_000


def test_a_connection_bound_to_its_thread_is_indexed_inline() -> None:
    archive = Archive(create_database_engine("sqlite://"))  # in memory: check_same_thread
    files = iter_digest_files(SAMPLE_ARCHIVE_DIR)
    assert archive.import_files(files).papers == 18  # the sample: 5 + 6 + 7
    assert indexed(archive) == expected(archive)
    assert archive.search("diffusion")
