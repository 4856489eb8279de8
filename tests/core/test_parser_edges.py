"""What a hand-edited digest gets wrong: odd whitespace in headings, numbers out of range, a
heading dated for another day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.models import MAX_VOTES
from bot.parser import parse_digest, parse_file

HEAD = "## Daily Papers (2025-01-09)\n\n### [A](https://arxiv.org/abs/2501.00001)\nVote: 3\n"


@pytest.mark.parametrize(
    "heading",
    [
        "  ### [B](https://arxiv.org/abs/2501.00002)",
        "   ### [B](https://arxiv.org/abs/2501.00002)",
        "\t### [B](https://arxiv.org/abs/2501.00002)",
        "###\t[B](https://arxiv.org/abs/2501.00002)",
        "###\u00a0[B](https://arxiv.org/abs/2501.00002)",
        "###   [B](https://arxiv.org/abs/2501.00002)",
    ],
)
def test_a_heading_with_odd_whitespace_is_a_paper_not_part_of_the_one_above(
    heading: str,
) -> None:
    digest = parse_digest(f"{HEAD}{heading}\nVote: 5\n", "x.md")
    assert [(p.title, p.arxiv_id, p.votes) for p in digest.papers] == [
        ("A", "2501.00001", 3),
        ("B", "2501.00002", 5),
    ]
    assert digest.papers[0].sections == []  # nothing of B folded into A
    assert digest.warnings == []


def test_a_heading_without_its_space_is_read_and_warned_about() -> None:
    digest = parse_digest(f"{HEAD}###[B](https://arxiv.org/abs/2501.00002)\n", "x.md")
    assert [p.title for p in digest.papers] == ["A", "B"]
    assert [str(w) for w in digest.warnings] == [
        "x.md:5: a space is missing after '###'; read as a paper heading"
    ]


@pytest.mark.parametrize(
    "day_heading", ["  ## Daily Papers (2025-01-09)", "##\tDaily Papers (2025-01-09)"]
)
def test_an_indented_day_heading_still_dates_the_digest(day_heading: str) -> None:
    digest = parse_digest(f"{day_heading}\n### [A](https://arxiv.org/abs/2501.00001)\n", "x")
    assert digest.date == dt.date(2025, 1, 9)
    assert digest.warnings == []


def test_a_bullet_indented_by_one_space_is_its_own_section() -> None:
    text = f"{HEAD}- ***What's New***: one\n - ***Technical Details***: two\n"
    sections = parse_digest(text).papers[0].sections
    assert [(s.label, s.text) for s in sections] == [
        ("What's New", "one"),
        ("Technical Details", "two"),
    ]


def test_a_line_separator_inside_a_title_does_not_split_the_heading() -> None:
    text = "## Daily Papers (2025-01-09)\n### [Two\u2028Lines](https://arxiv.org/abs/2501.00001)\n"
    digest = parse_digest(text)
    assert digest.papers[0].arxiv_id == "2501.00001"
    assert digest.warnings == []


@pytest.mark.parametrize(
    ("vote", "shown"),
    [
        ("99999999999999999999", "99999999999999999999"),
        (str(MAX_VOTES + 1), str(MAX_VOTES + 1)),
        ("-5", "-5"),
        ("9" * 5000, "(a 5000-digit number)"),
    ],
)
def test_an_out_of_range_vote_count_is_a_warning_on_that_paper(vote: str, shown: str) -> None:
    digest = parse_digest(f"{HEAD}### [B](https://arxiv.org/abs/2501.00002)\nVote: {vote}\n", "x")
    assert [p.votes for p in digest.papers] == [3, None]
    assert len(digest.warnings) == 1
    warning = digest.warnings[0]
    assert warning.line == 6
    if len(vote) < 4300:  # Python's own int(str) limit: those read as not a number
        assert warning.message == (
            f"vote count {shown} is out of range (0 to {MAX_VOTES}); kept as unknown"
        )
    else:
        assert "is not a number; kept as unknown" in warning.message


def test_the_largest_vote_count_the_archive_holds_is_kept() -> None:
    digest = parse_digest(f"{HEAD}### [B](https://arxiv.org/abs/2501.00002)\nVote: {MAX_VOTES}\n")
    assert digest.papers[1].votes == MAX_VOTES
    assert digest.warnings == []


def test_the_file_names_date_wins_over_the_heading(tmp_path: Path) -> None:
    path = tmp_path / "2025-01-13.md"
    path.write_text("## Daily Papers (2025-01-10)\n### [A](https://arxiv.org/abs/2501.00001)\n")
    digest = parse_file(path)
    assert digest.date == dt.date(2025, 1, 13)
    assert [str(w) for w in digest.warnings] == [
        f"{path}:1: heading says 2025-01-10 but the file name (or URL) says 2025-01-13; "
        "read as 2025-01-13, 2025-01-10 is left as it is"
    ]


def test_without_a_dated_file_name_the_heading_dates_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "pasted.md"
    path.write_text("## Daily Papers (2025-01-10)\n### [A](https://arxiv.org/abs/2501.00001)\n")
    assert parse_file(path).date == dt.date(2025, 1, 10)
