"""The archive on SQLite and PostgreSQL: idempotent imports and the lookups commands rely on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.archive import Archive
from bot.parser import parse_digest
from bot.storage.schema import SCHEMA_VERSION, SchemaVersionError
from bot.storage.tables import digest_entries, papers, schema_version
from tests.fakes.digest_files import count, digest_text, write

DAY1 = dt.date(2025, 1, 8)
DAY2 = dt.date(2025, 1, 9)


@pytest.fixture
def archive(database_engine: Engine) -> Archive:
    return Archive(database_engine)


def test_import_then_lookups(archive: Archive, tmp_path: Path) -> None:
    files = [
        write(tmp_path, DAY1, digest_text(DAY1, ("2501.00001", "Sparse Maps", "7", "maps"))),
        write(
            tmp_path,
            DAY2,
            digest_text(
                DAY2,
                ("2501.04519", "rStar-Math", "102", "small models reason about math"),
                ("2501.04682", "Meta Chain-of-Thought", "43", "thinking about thinking"),
                ("2501.00001", "Sparse Maps", "-", "maps again"),
            ),
        ),
    ]
    report = archive.import_files(files)
    assert (report.files, report.papers, report.added_days) == (2, 4, [DAY1, DAY2])

    assert archive.dates() == [DAY1, DAY2]
    assert archive.latest_date() == DAY2
    record = archive.get_paper("2501.00001")
    assert record is not None
    assert record.appearances == [DAY1, DAY2]
    assert record.paper.votes is None  # the latest listing had "Vote: -"
    assert archive.get_paper("2501.99999") is None

    top = archive.top(DAY2, 5)
    assert [r.paper.arxiv_id for r in top] == ["2501.04519", "2501.04682", "2501.00001"]
    assert [r.rank for r in top] == [1, 2, 3]
    assert [r.paper.arxiv_id for r in archive.top(DAY2, 1)] == ["2501.04519"]

    digest = archive.get_digest(DAY2)
    assert digest is not None
    assert [p.title for p in digest.papers] == [
        "rStar-Math",
        "Meta Chain-of-Thought",
        "Sparse Maps",
    ]
    assert digest.papers[0].sections[0].label == "What's New"
    assert archive.get_digest(dt.date(2024, 1, 1)) is None


def test_reimport_is_idempotent_and_follows_changes(archive: Archive, tmp_path: Path) -> None:
    first = digest_text(
        DAY1, ("2501.00001", "Kept", "5", "kept paper"), ("2501.00002", "Dropped", "3", "gone")
    )
    files = [write(tmp_path, DAY1, first)]
    archive.import_files(files)
    again = archive.import_files(files)
    assert again.unchanged_days == [DAY1]
    assert count(archive, papers) == 2
    assert count(archive, digest_entries) == 2

    changed = digest_text(
        DAY1, ("2501.00001", "Kept, renamed", "9", "kept paper"), ("2501.00003", "New", "1", "new")
    )
    report = archive.import_files([write(tmp_path, DAY1, changed)])
    assert report.updated_days == [DAY1]
    assert count(archive, papers) == 2  # the dropped paper left with its only listing
    assert archive.get_paper("2501.00002") is None
    kept = archive.get_paper("2501.00001")
    assert kept is not None
    assert (kept.paper.title, kept.paper.votes) == ("Kept, renamed", 9)
    assert archive.search("gone") == []
    assert [r.paper.arxiv_id for r in archive.search("renamed")] == ["2501.00001"]


def test_a_paper_listed_twice_in_one_file_is_stored_once(archive: Archive) -> None:
    digest = parse_digest(
        digest_text(DAY1, ("2501.00001", "Twice", "5", "a"), ("2501.00001v2", "Twice", "6", "b")),
        "dup.md",
    )
    report = archive.import_digests([digest])
    assert any("listed twice" in warning for warning in report.warnings)
    assert count(archive, digest_entries) == 1
    record = archive.get_paper("2501.00001")
    assert record is not None
    assert record.paper.votes == 5


def test_search_matches_title_authors_and_summary(archive: Archive) -> None:
    archive.import_digests(
        [
            parse_digest(
                digest_text(
                    DAY1,
                    ("2501.00001", "Video Diffusion at Scale", "5", "frames"),
                    ("2501.00002", "Graph Transformers", "8", "diffusion of messages on graphs"),
                    ("2501.00003", "Unrelated", "1", "nothing here"),
                ),
                "s.md",
            )
        ]
    )
    found = {r.paper.arxiv_id for r in archive.search("diffusion")}
    assert found == {"2501.00001", "2501.00002"}
    assert [r.paper.arxiv_id for r in archive.search("video diffusion")] == ["2501.00001"]
    assert {r.paper.arxiv_id for r in archive.search("turing")} == {
        "2501.00001",
        "2501.00002",
        "2501.00003",
    }
    # Operators and quotes are words to us, never FTS syntax errors.
    assert archive.search('"NEAR( OR * -') == []
    assert archive.search("   ") == []


def test_top_between_ranks_each_paper_once_by_its_best_votes(archive: Archive) -> None:
    archive.import_digests(
        [
            parse_digest(
                digest_text(DAY1, ("2501.00001", "A", "10", "a"), ("2501.00002", "B", "4", "b")),
                "1.md",
            ),
            parse_digest(
                digest_text(DAY2, ("2501.00001", "A", "30", "a"), ("2501.00003", "C", "20", "c")),
                "2.md",
            ),
        ]
    )
    week = archive.top_between(DAY1, DAY2, 10)
    assert [(r.paper.arxiv_id, r.paper.votes) for r in week] == [
        ("2501.00001", 30),
        ("2501.00003", 20),
        ("2501.00002", 4),
    ]
    assert [r.paper.arxiv_id for r in archive.top_between(DAY1, DAY1, 10)] == [
        "2501.00001",
        "2501.00002",
    ]


def test_schema_version_is_recorded_and_a_newer_database_is_refused(
    database_engine: Engine,
) -> None:
    Archive(database_engine)
    with database_engine.begin() as connection:
        assert connection.execute(select(schema_version.c.version)).scalar_one() == SCHEMA_VERSION
        connection.execute(schema_version.update().values(version=SCHEMA_VERSION + 1))
    with pytest.raises(SchemaVersionError, match="Upgrade the bot"):
        Archive(database_engine)


def test_unreadable_file_is_reported_and_the_rest_imported(
    archive: Archive, tmp_path: Path
) -> None:
    good = write(tmp_path, DAY1, digest_text(DAY1, ("2501.00001", "A", "1", "a")))
    bad = write(tmp_path, DAY2, "just a shopping list\n- eggs\n")
    report = archive.import_files([good, bad])
    assert archive.dates() == [DAY1]
    assert len(report.failed) == 1
    assert str(bad[1]) in report.failed[0]


def test_text_is_stored_once_and_unescaped(archive: Archive) -> None:
    summary = "확산 모델을 위한 새로운 평가 방법"  # Korean, as most real digests are
    archive.import_digests([parse_digest(digest_text(DAY1, ("2501.00001", "K", "3", summary)))])

    with archive.engine.connect() as connection:
        sections, search_text = connection.execute(
            select(func.cast(papers.c.sections, papers.c.search_text.type), papers.c.search_text)
        ).one()
    assert summary in sections  # stored as UTF-8, not as ASCII escapes
    if archive.engine.dialect.name == "sqlite":
        assert search_text == ""  # the FTS5 index holds the words; no second copy
    else:
        assert summary in search_text  # what PostgreSQL searches
    assert [r.paper.arxiv_id for r in archive.search("평가")] == ["2501.00001"]
