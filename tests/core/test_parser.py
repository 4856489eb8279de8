"""The digest parser on our own fixtures: every format variant the real digests use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.errors import DigestParseError
from bot.models import Digest
from bot.parser import date_from_path, parse_digest, parse_file


@pytest.fixture
def variants(fixtures_dir: Path) -> Digest:
    return parse_file(fixtures_dir / "digests" / "variants.md")


def test_every_heading_becomes_a_paper_across_appended_sections(variants: Digest) -> None:
    assert variants.date == dt.date(2024, 3, 5)
    assert [p.arxiv_id for p in variants.papers] == [
        "2403.01234",
        "2403.05678",
        "2403.09999",
        "2403.04444",
    ]
    assert variants.warnings == []


def test_title_keeps_nested_brackets_and_special_characters(variants: Digest) -> None:
    first = variants.papers[0]
    assert first.title == "Nested [brackets] in a title & more > less *starred*"
    assert first.url == "https://arxiv.org/abs/2403.01234v2"
    assert first.arxiv_version == 2


def test_votes_integer_missing_dash_and_thousands(variants: Digest) -> None:
    assert [p.votes for p in variants.papers] == [17, None, None, 1024]


def test_authors_as_python_list_or_comma_separated(variants: Digest) -> None:
    assert variants.papers[0].authors == ["Ada Lovelace", "Conan O'Brien", "Grace Hopper"]
    assert variants.papers[1].authors == ["Alan Turing", "Kurt Gödel"]
    assert variants.papers[2].authors == ["Solo Author"]


def test_labelled_bullets_normalise_bold_styles_and_apostrophes(variants: Digest) -> None:
    sections = variants.papers[0].sections
    assert [s.label for s in sections] == [
        "What's New",
        "Technical Details",
        "Performance Highlights",
    ]
    assert sections[0].text == "The authors propose a method that fits on one line."
    assert sections[2].text == "It beats the baseline by 3 points."
    # Lines that wrap a bullet stay with it instead of becoming summary text of their own.
    assert sections[1].text.splitlines() == [
        "Training runs in two stages.",
        "1) the first stage warms up the encoder;",
        "2) the second stage tunes the decoder.",
    ]
    assert variants.papers[3].sections[0].label == "Conclusion"


def test_unlabelled_bullets_keep_text_and_nested_points(variants: Digest) -> None:
    sections = variants.papers[1].sections
    assert [s.label for s in sections] == [None, None]
    assert sections[0].text == (
        "A free-form bullet written without a label.\n"
        "- (1) a nested point that belongs to the bullet above"
    )


def test_thumbnails_resolve_and_videos_fill_video_url(variants: Digest) -> None:
    first, video, dash, late = variants.papers
    assert first.thumbnail_url == "https://huggingface.co/avatars/0123456789abcdef.svg"
    assert video.thumbnail_url is None
    assert video.video_url == "https://cdn.example.org/uploads/clip.mp4"
    assert all("<video" not in s.text for s in video.sections)
    assert late.thumbnail_url == "https://cdn.example.org/thumbs/2403.04444.png"
    assert late.video_url == "https://cdn.example.org/uploads/late.mp4"
    assert dash.sections == []


def test_unreadable_parts_are_kept_with_a_warning_naming_the_line() -> None:
    text = (
        "## Daily Papers (2024-03-06)\n\n"
        "### [No link at all]\n\n"
        "Vote: many\n\n"
        "### [Not on arXiv](https://example.org/paper)\n"
        "- ***What's New***: still kept\n"
    )
    digest = parse_digest(text, "day.md")
    assert [p.title for p in digest.papers] == ["No link at all", "Not on arXiv"]
    assert digest.papers[0].url == ""
    assert digest.papers[0].votes is None
    assert digest.papers[1].arxiv_id is None
    assert digest.papers[1].sections[0].text == "still kept"
    assert [(w.line, w.source) for w in digest.warnings] == [
        (3, "day.md"),
        (3, "day.md"),
        (5, "day.md"),
        (7, "day.md"),
    ]
    assert "vote count 'many'" in digest.warnings[2].message


def test_date_comes_from_file_name_when_heading_is_missing(tmp_path: Path) -> None:
    nested = tmp_path / "2024" / "02" / "29.md"
    nested.parent.mkdir(parents=True)
    nested.write_text("### [Leap day](https://arxiv.org/abs/2402.18000)\n", encoding="utf-8")
    assert parse_file(nested).date == dt.date(2024, 2, 29)
    assert date_from_path(Path("2025-01-09.md")) == dt.date(2025, 1, 9)
    assert date_from_path(Path("notes.md")) is None
    assert date_from_path(Path("2025-02-30.md")) is None


def test_file_name_date_wins_over_a_disagreeing_heading() -> None:
    digest = parse_digest("## Daily Papers (2024-01-02)\n", "x.md", day=dt.date(2024, 1, 3))
    assert digest.date == dt.date(2024, 1, 3)
    assert str(digest.warnings[0]) == (
        "x.md:1: heading says 2024-01-02 but the file name (or URL) says 2024-01-03; "
        "read as 2024-01-03, 2024-01-02 is left as it is"
    )


def test_empty_day_is_a_digest_without_papers() -> None:
    digest = parse_digest("## Daily Papers (2024-01-06)\n\n")
    assert digest.papers == []
    assert digest.date == dt.date(2024, 1, 6)


@pytest.mark.parametrize(
    "text",
    ["", "# My notes\n\nNothing to see.\n", "Vote: 3\nAuthors: A\n", "\x00\x00"],
)
def test_text_without_a_digest_raises_an_actionable_error(text: str) -> None:
    with pytest.raises(DigestParseError, match=r"notes\.md: no digest found: expected a '## Daily"):
        parse_digest(text, "notes.md")


def test_papers_without_any_date_raise_an_actionable_error() -> None:
    with pytest.raises(DigestParseError, match="no date: add a '## Daily Papers"):
        parse_digest("### [T](https://arxiv.org/abs/2401.00001)\n", "paste")


def test_invalid_utf8_is_replaced_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-05.md"
    path.write_bytes(
        b"## Daily Papers (2024-01-05)\n### [Caf\xe9](https://arxiv.org/abs/2401.00005)\n"
    )
    digest = parse_file(path)
    assert digest.papers[0].title == "Caf\ufffd"
    assert str(digest.warnings[0]) == (
        f"{path}:2: bytes that are not UTF-8 were replaced by '\ufffd' on line 2 (save it as UTF-8)"
    )


def test_unreadable_file_is_a_parse_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(DigestParseError, match=r"missing.md: cannot read the file \(No such file"):
        parse_file(tmp_path / "missing.md")
