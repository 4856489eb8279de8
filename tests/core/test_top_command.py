"""`/top` over a week or a month, on SQLite and PostgreSQL: `Archive.top_between` and the command.

The archive below ends on LATEST. Some papers are listed on several days with different votes, and
some days sit exactly on the edges of the 7-day week and the 30-day month that end on LATEST.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from bot.archive import Archive
from bot.commands import COMMANDS, CommandContext, CommandResult, run_command
from bot.models import Digest, Paper, Section

LATEST = dt.date(2025, 3, 10)
TODAY = dt.date(2025, 3, 11)


def ago(days: int) -> dt.date:
    return LATEST - dt.timedelta(days=days)


def paper(number: int, votes: int | None) -> Paper:
    arxiv_id = f"2503.{number:05d}"
    return Paper(
        arxiv_id=arxiv_id,
        title=f"Made-up paper {number}",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        votes=votes,
        authors=["Grace Hopper", "Edsger Dijkstra"],
        sections=[Section(label="What's New", text=f"A summary we wrote for paper {number}.")],
    )


def digest(day: dt.date, *papers: Paper) -> Digest:
    return Digest(date=day, papers=list(papers), source=f"{day.isoformat()}.md")


# Paper 1 is listed three times (votes 12, 40, 25): it must appear once, with 40.
# Papers 8 and 9 tie at 30 on the same first day: the lower key first, though 9 is listed first.
# Paper 3 also has 30 but is first listed later (LATEST): it comes after 8 and 9.
DIGESTS = [
    digest(LATEST, paper(3, 30), paper(1, 12), paper(5, None)),
    digest(ago(3), paper(9, 30), paper(1, 40), paper(8, 30)),
    digest(ago(6), paper(4, 5), paper(1, 25)),  # the week's first day
    digest(ago(7), paper(6, 60)),  # the day before the week
    digest(ago(8), paper(7, 100)),  # 8 days before the latest: the month only
    digest(ago(29), paper(10, 3)),  # the month's first day
    digest(ago(30), paper(11, 500)),  # the day before the month
]

WEEK = ["2503.00001", "2503.00008", "2503.00009", "2503.00003", "2503.00004", "2503.00005"]
MONTH = [
    "2503.00007",
    "2503.00006",
    "2503.00001",
    "2503.00008",
    "2503.00009",
    "2503.00003",
    "2503.00004",
    "2503.00010",
    "2503.00005",
]


@pytest.fixture
def empty(database_engine: Engine) -> Archive:
    return Archive(database_engine)


@pytest.fixture
def archive(empty: Archive) -> Archive:
    empty.import_digests(DIGESTS)
    return empty


def run(archive: Archive, text: str) -> CommandResult:
    return run_command(CommandContext(archive, TODAY), "top", text)


def listed(result: CommandResult) -> list[str]:
    """The numbered lines of a `/top` answer, without the title."""
    assert result.ok, result.message.text
    return result.message.text.splitlines()[1:]


# ----- the archive ----------------------------------------------------------------------------


def test_top_between_ranks_each_paper_once_by_its_best_votes_in_the_range(
    archive: Archive,
) -> None:
    week = archive.top_between(ago(6), LATEST, 25)

    assert [r.paper.arxiv_id for r in week] == WEEK
    assert [r.paper.votes for r in week] == [40, 30, 30, 30, 5, None]  # no count: last
    assert [r.rank for r in week] == [1, 2, 3, 4, 5, 6]
    assert [r.day for r in week] == [ago(6), ago(3), ago(3), LATEST, ago(6), LATEST]  # first listed
    assert week[0].paper.title == "Made-up paper 1"


def test_top_between_keeps_the_edges_and_nothing_beyond(archive: Archive) -> None:
    month = archive.top_between(ago(29), LATEST, 25)
    assert [r.paper.arxiv_id for r in month] == MONTH

    # Inclusive on both ends: a one-day range is that day's digest.
    assert [r.paper.arxiv_id for r in archive.top_between(ago(8), ago(8), 25)] == ["2503.00007"]
    # Votes outside the range do not count: from ago(6) to ago(6) paper 1 has its 25.
    only = archive.top_between(ago(6), ago(6), 25)
    assert [(r.paper.arxiv_id, r.paper.votes) for r in only] == [
        ("2503.00001", 25),
        ("2503.00004", 5),
    ]
    assert archive.top_between(ago(60), ago(31), 25) == []


def test_top_between_stops_at_n(archive: Archive) -> None:
    assert [r.paper.arxiv_id for r in archive.top_between(ago(29), LATEST, 3)] == MONTH[:3]


def test_top_between_on_an_empty_archive(empty: Archive) -> None:
    assert empty.top_between(ago(6), LATEST, 5) == []


# ----- /top week and /top month ---------------------------------------------------------------


def test_week_lists_each_paper_once_with_its_highest_votes(archive: Archive) -> None:
    result = run(archive, "week")

    assert result.message.text.splitlines()[0] == "Top 5 — week 2025-03-04 … 2025-03-10"
    lines = listed(result)
    assert len(lines) == 5  # the default n
    assert lines[0] == "1. Made-up paper 1 (▲ 40) · 2503.00001"
    assert sum("Made-up paper 1 " in line for line in lines) == 1
    assert [line.split(" (")[0] for line in lines[1:]] == [
        "2. Made-up paper 8",
        "3. Made-up paper 9",
        "4. Made-up paper 3",
        "5. Made-up paper 4",
    ]


def test_a_paper_eight_days_before_the_latest_is_in_the_month_not_the_week(
    archive: Archive,
) -> None:
    week = "\n".join(listed(run(archive, "25 week")))
    month = run(archive, "25 month")

    assert "Made-up paper 7 " not in week
    assert "Made-up paper 6 " not in week  # 7 days before: just outside too
    assert "Made-up paper 4 " in week  # 6 days before: the week's first day
    assert month.message.text.splitlines()[0] == "Top 9 — month 2025-02-09 … 2025-03-10"
    assert listed(month)[0] == "1. Made-up paper 7 (▲ 100) · 2503.00007"
    assert "Made-up paper 10 " in month.message.text  # 29 days before: the month's first day
    assert "Made-up paper 11 " not in month.message.text  # 30 days before: outside


@pytest.mark.parametrize("text", ["2 month", "month 2", "MONTH 2", " 2   Month "])
def test_n_limits_the_answer_in_any_order_and_case(archive: Archive, text: str) -> None:
    result = run(archive, text)

    assert result.message.text.splitlines()[0] == "Top 2 — month 2025-02-09 … 2025-03-10"
    assert listed(result) == [
        "1. Made-up paper 7 (▲ 100) · 2503.00007",
        "2. Made-up paper 6 (▲ 60) · 2503.00006",
    ]


def test_the_day_answer_is_unchanged(archive: Archive) -> None:
    result = run(archive, "2 2025-03-07")

    assert result.message.text.splitlines()[0] == "Top 2 — 2025-03-07"
    assert listed(result) == [
        "1. Made-up paper 1 (▲ 40) · 2503.00001",
        "2. Made-up paper 9 (▲ 30) · 2503.00009",
    ]
    assert run(archive, "").message.text.splitlines()[0] == "Top 3 — 2025-03-10"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fortnight", "'fortnight' is not a date. Use YYYY-MM-DD"),
        ("week month", "Give week, month or one date, not several, e.g. /top 5 week"),
        ("week 2025-03-10", "Give week, month or one date, not several"),
        ("2025-03-07 2025-03-10", "Give at most one date, e.g. /top 5 2025-01-09"),
        ("0 week", "n must be between 1 and 25 (got 0)"),
        ("26 month", "n must be between 1 and 25 (got 26)"),
        ("2025-03-09", "No digest for 2025-03-09. The archive has 7 digests"),
    ],
)
def test_bad_words_still_get_the_usage_error(archive: Archive, text: str, expected: str) -> None:
    result = run(archive, text)

    assert not result.ok
    assert result.message.role == "notice"
    assert expected in result.message.text


@pytest.mark.parametrize("text", ["week", "month", "3 month", ""])
def test_an_empty_archive_says_how_to_fill_it(empty: Archive, text: str) -> None:
    result = run(empty, text)

    assert not result.ok
    assert result.message.text.startswith("The archive is empty: import digests first")


def test_a_range_without_papers_says_what_the_archive_has(empty: Archive) -> None:
    empty.import_digests([digest(ago(40), paper(1, 9)), digest(LATEST)])  # the latest day is empty

    result = run(empty, "week")

    assert not result.ok
    assert result.message.text == (
        "No papers listed from 2025-03-04 to 2025-03-10. "
        "The archive has 2 digests, from 2025-01-29 to 2025-03-10."
    )
    month = run(empty, "month")
    assert not month.ok
    assert month.message.text.startswith("No papers listed from 2025-02-09 to 2025-03-10.")


def test_help_names_week_and_month() -> None:
    assert "week|month" in COMMANDS["top"].usage
    assert "[YYYY-MM-DD|yesterday]" in COMMANDS["top"].usage
