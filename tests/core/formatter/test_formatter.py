"""What channel members read: headers, paper cards, filters, languages."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.formatter import (
    LABELS,
    FormatOptions,
    format_digest,
    format_paper,
    format_top,
    select_papers,
)
from bot.models import Digest, Paper, Section
from bot.parser import parse_file
from tests.conftest import corpus_files


def paper(
    n: int, votes: int | None, title: str = "", authors: int = 2, text: str = "summary"
) -> Paper:
    return Paper(
        arxiv_id=f"2501.{n:05d}",
        title=title or f"Paper {n}",
        url=f"https://arxiv.org/abs/2501.{n:05d}",
        votes=votes,
        authors=[f"Author {i}" for i in range(authors)],
        thumbnail_url=f"https://cdn.example.org/{n}.png",
        sections=[Section(label="What's New", text=text), Section(label=None, text="more")],
    )


DIGEST = Digest(
    date=dt.date(2025, 1, 9),
    papers=[
        paper(1, 5),
        paper(2, 40, "Video diffusion"),
        paper(3, None),
        paper(4, 12, text="graphs"),
    ],
)


def test_thread_mode_is_a_header_then_one_reply_per_paper_by_votes() -> None:
    post = format_digest(DIGEST, FormatOptions())
    assert post.mode == "thread"
    header, *replies = post.messages
    assert header.role == "header"
    card = header.cards[0]
    assert card.title == "🤗 Daily Papers — 2025-01-09"
    assert card.intro == "4 papers"
    assert card.url == "https://huggingface.co/papers?date=2025-01-09"
    assert [i.text for i in card.items] == ["Video diffusion", "Paper 4", "Paper 1"]
    assert [r.cards[0].title for r in replies] == [
        "Video diffusion",
        "Paper 4",
        "Paper 1",
        "Paper 3",
    ]
    assert "Video diffusion (▲ 40)" in header.text


def test_paper_card_has_votes_authors_sections_image_and_links() -> None:
    card = format_digest(DIGEST, FormatOptions()).messages[1].cards[0]
    assert card.url == "https://arxiv.org/abs/2501.00002"
    assert [(f.name, f.value) for f in card.facts] == [
        ("Votes", "▲ 40"),
        ("Authors", "Author 0, Author 1"),
    ]
    assert [(s.label, s.text) for s in card.sections] == [("What's New", "summary"), (None, "more")]
    assert card.image is not None
    assert card.image.url.endswith("/2.png")
    assert [link.url for link in card.links] == [
        "https://arxiv.org/abs/2501.00002",
        "https://arxiv.org/pdf/2501.00002",
        "https://huggingface.co/papers/2501.00002",
    ]


def test_long_author_lists_are_shortened() -> None:
    message = format_paper(paper(9, 1, authors=40), FormatOptions())
    assert message.cards[0].facts[1].value == "Author 0, Author 1, Author 2, Author 3 +36 more"
    ko = format_paper(paper(9, 1, authors=40), FormatOptions(language="ko"))
    assert ko.cards[0].facts[1].value.endswith("외 36명")
    assert ko.cards[0].facts[0].name == "추천"


def test_missing_votes_show_a_dash() -> None:
    assert format_paper(paper(3, None), FormatOptions()).cards[0].facts[0].value == "—"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (FormatOptions(top_n=2), ["2501.00002", "2501.00004"]),
        (FormatOptions(min_votes=10), ["2501.00002", "2501.00004"]),
        (FormatOptions(include_keywords=("DIFFUSION", "graphs")), ["2501.00002", "2501.00004"]),
        (
            FormatOptions(exclude_keywords=("diffusion",)),
            ["2501.00004", "2501.00001", "2501.00003"],
        ),
    ],
)
def test_channel_filters(options: FormatOptions, expected: list[str]) -> None:
    assert [p.arxiv_id for p in select_papers(DIGEST, options)] == expected


def test_filtered_header_says_how_many_of_how_many_and_empty_says_so() -> None:
    assert (
        format_digest(DIGEST, FormatOptions(top_n=2)).messages[0].cards[0].intro == "2 of 4 papers"
    )
    empty = format_digest(DIGEST, FormatOptions(min_votes=1000))
    assert len(empty.messages) == 1
    assert "No papers" in (empty.messages[0].cards[0].intro or "")


def test_single_mode_is_one_compact_message() -> None:
    post = format_digest(DIGEST, FormatOptions(mode="single"))
    assert post.mode == "single"
    assert len(post.messages) == 1
    _header, *cards = post.messages[0].cards
    assert len(cards) == 4
    assert all(len(c.sections) == 1 and c.image is None for c in cards)


def test_top_lists_ranked_links_and_says_when_empty() -> None:
    message = format_top([paper(2, 40), paper(1, 5)], title="Top 2", options=FormatOptions())
    assert [(i.text, i.note) for i in message.cards[0].items] == [
        ("Paper 2", "▲ 40"),
        ("Paper 1", "▲ 5"),
    ]
    assert format_top([], title="Top", options=FormatOptions()).cards[0].intro == "Nothing matched."


def test_both_languages_have_every_label() -> None:
    assert LABELS["en"].keys() == LABELS["ko"].keys()


@pytest.mark.corpus
def test_every_real_digest_formats_in_both_modes() -> None:
    for path in corpus_files():
        digest = parse_file(path)
        thread = format_digest(digest, FormatOptions())
        assert len(thread.messages) == len(digest.papers) + 1, path
        assert all(m.text for m in thread.messages)
        single = format_digest(digest, FormatOptions(mode="single"))
        assert len(single.messages[0].cards) == len(digest.papers) + 1
