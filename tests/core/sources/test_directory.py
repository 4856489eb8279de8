"""A folder of digest files in either layout: YYYY-MM-DD.md or YYYY/MM/DD.md."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.errors import DigestParseError, SourceError
from bot.sources import DirectorySource, iter_digest_files
from tests.fakes.digest_server import DAY, DIGEST


def digest_for(day: dt.date, title: str = "Our Test Paper") -> str:
    return DIGEST.replace("2025-01-09", day.isoformat()).replace("Our Test Paper", title)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_both_layouts_are_found_in_date_order_and_flat_wins_a_tie(tmp_path: Path) -> None:
    write(tmp_path / "2025-01-09.md", digest_for(DAY, "flat"))
    write(tmp_path / "2025" / "01" / "09.md", digest_for(DAY, "nested"))
    write(tmp_path / "2025" / "01" / "08.md", digest_for(dt.date(2025, 1, 8)))
    write(tmp_path / "2024" / "12" / "31.md", digest_for(dt.date(2024, 12, 31)))
    write(tmp_path / "2025-01-10.md", digest_for(dt.date(2025, 1, 10)))
    files = iter_digest_files(tmp_path)
    assert [(day.isoformat(), path.relative_to(tmp_path).as_posix()) for day, path in files] == [
        ("2024-12-31", "2024/12/31.md"),
        ("2025-01-08", "2025/01/08.md"),
        ("2025-01-09", "2025-01-09.md"),
        ("2025-01-10", "2025-01-10.md"),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "notes-2025-01-09.md",
        "2025-01-09.txt",
        "2025-02-30.md",  # not a day
        "2025-1-9.md",
        "2025/13/01.md",
        "2025/01/9.md",
        "archive/2025/01/09.md",  # one level too deep for the nested layout
        "x/01/09.md",
    ],
)
def test_files_whose_names_are_not_dates_are_ignored(tmp_path: Path, name: str) -> None:
    write(tmp_path / name, DIGEST)
    assert iter_digest_files(tmp_path) == []


def test_a_folder_named_like_a_digest_is_listed_so_the_import_names_it(tmp_path: Path) -> None:
    (tmp_path / "2025-01-09.md").mkdir()
    assert iter_digest_files(tmp_path) == [(DAY, tmp_path / "2025-01-09.md")]


def test_a_file_wins_over_a_folder_named_for_the_same_day(tmp_path: Path) -> None:
    (tmp_path / "2025-01-09.md").mkdir()
    write(tmp_path / "2025" / "01" / "09.md", DIGEST)
    assert iter_digest_files(tmp_path) == [(DAY, tmp_path / "2025" / "01" / "09.md")]


async def test_fetch_reads_either_layout(tmp_path: Path) -> None:
    write(tmp_path / "2025" / "01" / "08.md", digest_for(dt.date(2025, 1, 8), "nested"))
    write(tmp_path / "2025-01-09.md", digest_for(DAY, "flat"))
    source = DirectorySource(tmp_path)
    nested = await source.fetch(dt.date(2025, 1, 8))
    flat = await source.fetch(DAY)
    assert nested is not None
    assert flat is not None
    assert (nested.date, nested.papers[0].title) == (dt.date(2025, 1, 8), "nested")
    assert (flat.date, flat.papers[0].title) == (DAY, "flat")
    assert flat.source == str(tmp_path / "2025-01-09.md")


async def test_fetch_prefers_the_flat_file_like_the_bulk_import(tmp_path: Path) -> None:
    write(tmp_path / "2025" / "01" / "09.md", digest_for(DAY, "nested"))
    write(tmp_path / "2025-01-09.md", digest_for(DAY, "flat"))
    digest = await DirectorySource(tmp_path).fetch(DAY)
    assert digest is not None
    assert digest.papers[0].title == "flat"


async def test_a_day_without_a_file_is_none(tmp_path: Path) -> None:
    write(tmp_path / "2025-01-09.md", DIGEST)
    assert await DirectorySource(tmp_path).fetch(dt.date(2025, 1, 10)) is None


async def test_list_days_is_ascending_and_skips_non_dates(tmp_path: Path) -> None:
    write(tmp_path / "2025-01-10.md", digest_for(dt.date(2025, 1, 10)))
    write(tmp_path / "2024" / "12" / "31.md", digest_for(dt.date(2024, 12, 31)))
    write(tmp_path / "README.md", "about this folder")
    assert await DirectorySource(tmp_path).list_days() == [
        dt.date(2024, 12, 31),
        dt.date(2025, 1, 10),
    ]


async def test_a_file_without_a_digest_is_a_parse_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "2025-01-09.md", "just some notes\n")
    with pytest.raises(DigestParseError, match=re.escape("2025-01-09.md")):
        await DirectorySource(tmp_path).fetch(DAY)


async def test_a_missing_folder_says_which_and_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "digests"
    source = DirectorySource(missing)
    with pytest.raises(SourceError) as fetching:
        await source.fetch(DAY)
    with pytest.raises(SourceError) as listing:
        await source.list_days()
    for info in (fetching, listing):
        assert str(missing) in str(info.value)
        assert "(it does not exist); create it" in str(info.value)
    with pytest.raises(SourceError, match="does not exist"):
        iter_digest_files(missing)


async def test_a_file_given_as_the_folder_is_refused(tmp_path: Path) -> None:
    not_a_folder = write(tmp_path / "digests.md", DIGEST)
    with pytest.raises(SourceError, match="it is a file"):
        await DirectorySource(not_a_folder).fetch(DAY)


def test_the_description_names_the_folder(tmp_path: Path) -> None:
    assert str(tmp_path) in DirectorySource(tmp_path).description
