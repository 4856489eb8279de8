"""A folder import never loses a day: bad files are named and skipped, a heading cannot move a
file to another day, a wild number is a warning, and a second importer waits its turn."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.archive import Archive
from bot.errors import ArchiveBusy
from bot.ingest import import_from_source
from bot.models import Digest, Paper
from bot.sources import DirectorySource, iter_digest_files
from bot.storage.locking import write_transaction


def digest_text(day: str, *titles: str, vote: str = "4") -> str:
    """A small digest written for these tests, one paper per title (its id from the day)."""
    lines = [f"## Daily Papers ({day})", ""]
    for n, title in enumerate(titles, start=int(day[-2:]) * 10):
        lines += [f"### [{title}](https://arxiv.org/abs/2501.{n:05d})", f"Vote: {vote}", ""]
    return "\n".join(lines)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "digests"
    root.mkdir()
    (root / "2025-01-08.md").write_text(digest_text("2025-01-08", "Eight A", "Eight B"))
    (root / "2025-01-10.md").write_text(digest_text("2025-01-10", "Ten A", "Ten B", "Ten C"))
    return root


def titles(archive: Archive, day: str) -> list[str]:
    digest = archive.get_digest(dt.date.fromisoformat(day))
    return [] if digest is None else [p.title for p in digest.papers]


async def test_unreadable_entries_are_named_and_the_other_files_land(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "2025-01-09.md").mkdir()  # a folder named like a digest
    (folder / "2025-01-11.md").symlink_to(folder / "gone.md")  # a link to nothing
    archive = Archive.in_data_dir(tmp_path / "data")
    report = await import_from_source(archive, DirectorySource(folder))
    assert sorted(report.failed) == [
        f"{folder / '2025-01-09.md'}: cannot read the file (Is a directory)",
        f"{folder / '2025-01-11.md'}: cannot read the file (No such file or directory)",
    ]
    assert archive.dates() == [dt.date(2025, 1, 8), dt.date(2025, 1, 10)]
    assert titles(archive, "2025-01-10") == ["Ten A", "Ten B", "Ten C"]


def test_a_file_that_vanished_after_listing_is_named(folder: Path, tmp_path: Path) -> None:
    archive = Archive.in_data_dir(tmp_path / "data")
    files = iter_digest_files(folder)
    (folder / "2025-01-08.md").unlink()
    report = archive.import_files(files)
    assert report.failed == [
        f"{folder / '2025-01-08.md'}: cannot read the file (No such file or directory)"
    ]
    assert archive.dates() == [dt.date(2025, 1, 10)]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
async def test_a_file_without_read_permission_is_named(folder: Path, tmp_path: Path) -> None:
    (folder / "2025-01-08.md").chmod(0)
    archive = Archive.in_data_dir(tmp_path / "data")
    report = await import_from_source(archive, DirectorySource(folder))
    assert report.failed == [
        f"{folder / '2025-01-08.md'}: cannot read the file (Permission denied)"
    ]
    assert archive.dates() == [dt.date(2025, 1, 10)]


async def test_a_file_whose_heading_names_another_day_never_replaces_that_day(
    folder: Path, tmp_path: Path
) -> None:
    archive = Archive.in_data_dir(tmp_path / "data")
    await import_from_source(archive, DirectorySource(folder))
    thirteenth = digest_text("2025-01-10", "Thirteen A").replace("2501.00100", "2501.00130")
    (folder / "2025-01-13.md").write_text(thirteenth)
    report = await import_from_source(archive, DirectorySource(folder))
    assert titles(archive, "2025-01-10") == ["Ten A", "Ten B", "Ten C"]
    assert titles(archive, "2025-01-13") == ["Thirteen A"]
    assert report.added_days == [dt.date(2025, 1, 13)]
    assert f"{folder / '2025-01-13.md'}:1: heading says 2025-01-10" in report.warnings[0]
    # The bot's own path, one day at a time, reads the file for the day it is named after.
    fetched = await DirectorySource(folder).fetch(dt.date(2025, 1, 13))
    assert fetched is not None
    assert fetched.date == dt.date(2025, 1, 13)


async def test_a_vote_count_out_of_range_is_a_warning_and_the_import_lands(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "2025-01-09.md").write_text(
        digest_text("2025-01-09", "Nine A", vote="99999999999999999999")
    )
    archive = Archive.in_data_dir(tmp_path / "data")
    report = await import_from_source(archive, DirectorySource(folder))
    assert report.failed == []
    assert len(archive.dates()) == 3
    digest = archive.get_digest(dt.date(2025, 1, 9))
    assert digest is not None
    assert digest.papers[0].votes is None
    assert any("vote count 99999999999999999999 is out of range" in w for w in report.warnings)


@pytest.mark.parametrize("votes", [10**30, 2**31, -1])
def test_any_source_giving_a_wild_vote_count_still_lands(tmp_path: Path, votes: int) -> None:
    paper = Paper(arxiv_id="2501.00001", title="Wild", url="https://arxiv.org/abs/2501.00001")
    paper.votes = votes
    digest = Digest(date=dt.date(2025, 1, 9), papers=[paper], source="code")
    archive = Archive.in_data_dir(tmp_path)
    report = archive.import_digests([digest])
    assert report.added_days == [dt.date(2025, 1, 9)]
    assert any("2501.00001: vote count" in w and "out of range" in w for w in report.warnings)
    assert [r.paper.votes for r in archive.top(dt.date(2025, 1, 9), 5)] == [None]


def _hold_write_lock(data_dir: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(data_dir / "digest-bot.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_an_import_waits_for_another_writer_and_says_so(folder: Path, tmp_path: Path) -> None:
    archive = Archive.in_data_dir(tmp_path)
    holder = _hold_write_lock(tmp_path)
    waited: list[str] = []

    def on_wait() -> None:
        waited.append("waiting")
        holder.execute("COMMIT")  # the other import finishes while this one waits

    report = await import_from_source(archive, DirectorySource(folder), on_wait=on_wait)
    assert waited == ["waiting"]
    assert report.added_days == [dt.date(2025, 1, 8), dt.date(2025, 1, 10)]
    holder.close()


def test_a_writer_that_never_finishes_is_one_clear_error(tmp_path: Path) -> None:
    archive = Archive.in_data_dir(tmp_path)
    holder = _hold_write_lock(tmp_path)
    with (
        archive.engine.connect() as connection,
        pytest.raises(ArchiveBusy) as raised,
        write_transaction(connection, wait_seconds=0),
    ):
        connection.execute(text("SELECT 1"))
    assert "another process" in str(raised.value)
    assert "run this again once it is done" in str(raised.value)
    holder.close()
