"""One paper's card, and the answers to /paper, /top, /search and notices."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from bot.formatter import LABELS, FormatOptions, format_notice, format_paper, format_top
from tests.fakes.digests import make_paper

EN = FormatOptions()


def test_paper_card_has_linked_title_votes_authors_sections_image_and_links() -> None:
    paper = make_paper(2, 40, "Video diffusion", video_url="https://cdn.example.org/2.mp4")
    message = format_paper(paper, EN)
    assert message.role == "answer"
    card = message.cards[0]
    assert (card.title, card.url) == ("Video diffusion", "https://arxiv.org/abs/2501.00002")
    assert [(f.name, f.value) for f in card.facts] == [
        ("Votes", "▲ 40"),
        ("Authors", "Author 0, Author 1"),
    ]
    assert [(s.label, s.text) for s in card.sections] == [
        ("What's New", "A short summary we wrote."),
        (None, "A second bullet."),
    ]
    assert card.image is not None
    assert card.image.url == "https://cdn.example.org/2.png"
    assert [(link.label, link.url) for link in card.links] == [
        ("arXiv", "https://arxiv.org/abs/2501.00002"),
        ("PDF", "https://arxiv.org/pdf/2501.00002"),
        ("Hugging Face", "https://huggingface.co/papers/2501.00002"),
        ("Video", "https://cdn.example.org/2.mp4"),
    ]
    assert message.text == "Video diffusion (▲ 40)"


def test_a_paper_without_an_arxiv_id_links_to_its_own_page_only() -> None:
    card = format_paper(make_paper(7, 3, with_id=False), EN).cards[0]
    assert card.url == "https://example.org/p/7"
    assert [(link.label, link.url) for link in card.links] == [("Paper", "https://example.org/p/7")]
    linkless = make_paper(8, 3, with_id=False).model_copy(update={"url": ""})
    card = format_paper(linkless, EN).cards[0]
    assert card.url is None
    assert card.links == []


@pytest.mark.parametrize(
    ("authors", "options", "expected"),
    [
        (40, EN, "Author 0, Author 1, Author 2, Author 3 +36 more"),
        (4, EN, "Author 0, Author 1, Author 2, Author 3"),
        (5, FormatOptions(max_authors=1), "Author 0 +4 more"),
        (40, FormatOptions(language="ko"), "Author 0, Author 1, Author 2, Author 3 외 36명"),
        (0, EN, "—"),
    ],
)
def test_long_author_lists_are_shortened(
    authors: int, options: FormatOptions, expected: str
) -> None:
    card = format_paper(make_paper(9, 1, authors=authors), options).cards[0]
    assert card.facts[1].value == expected


def test_missing_votes_show_a_dash_and_no_count_in_the_text() -> None:
    message = format_paper(make_paper(3, None), EN)
    assert message.cards[0].facts[0].value == "—"
    assert message.text == "Paper 3"


def test_paper_answer_lists_the_days_it_was_in_a_digest() -> None:
    days = [dt.date(2025, 1, 10), dt.date(2025, 1, 9)]
    message = format_paper(make_paper(1, 5), EN, appearances=days)
    assert message.cards[0].footer == "In digests: 2025-01-09, 2025-01-10"
    assert message.text == "Paper 1 (▲ 5) — In digests: 2025-01-09, 2025-01-10"
    assert format_paper(make_paper(1, 5), EN).cards[0].footer is None


def test_many_appearances_show_the_latest_and_count_the_rest() -> None:
    days = [dt.date(2025, 1, d) for d in range(1, 9)]
    footer = format_paper(make_paper(1, 5), EN, appearances=days).cards[0].footer
    assert footer == (
        "In digests: 2025-01-04, 2025-01-05, 2025-01-06, 2025-01-07, 2025-01-08 (+3 earlier)"
    )
    korean = format_paper(make_paper(1, 5), FormatOptions(language="ko"), appearances=days)
    assert korean.cards[0].footer is not None
    assert korean.cards[0].footer.startswith("실린 날짜: ")


def test_top_is_one_card_of_ranked_linked_titles_with_votes_and_ids() -> None:
    message = format_top([make_paper(2, 40), make_paper(1, None)], title="Top 2", options=EN)
    assert message.role == "answer"
    (card,) = message.cards
    assert card.title == "Top 2"
    # The bare arXiv id, in the card and in the plain text, is what /paper takes.
    assert [(i.text, i.url, i.note) for i in card.items] == [
        ("Paper 2", "https://arxiv.org/abs/2501.00002", "▲ 40 · 2501.00002"),
        ("Paper 1", "https://arxiv.org/abs/2501.00001", "— · 2501.00001"),
    ]
    assert message.text == "Top 2\n1. Paper 2 (▲ 40) · 2501.00002\n2. Paper 1 · 2501.00001"


def test_a_listed_paper_without_an_arxiv_id_shows_no_id() -> None:
    message = format_top([make_paper(3, 7, with_id=False)], title="Top 1", options=EN)
    assert message.cards[0].items[0].note == "▲ 7"
    assert message.text == "Top 1\n1. Paper 3 (▲ 7)"


def test_top_with_nothing_says_so() -> None:
    message = format_top([], title="Search: quantum", options=EN)
    assert message.cards[0].intro == "Nothing matched."
    assert message.cards[0].items == []
    assert message.text == "Search: quantum: Nothing matched."
    korean = format_top([], title="Top", options=FormatOptions(language="ko"))
    assert korean.cards[0].intro == "일치하는 논문이 없습니다."


def test_notice_is_plain_text() -> None:
    message = format_notice("Use /paper 2501.04682")
    assert (message.role, message.text, message.cards) == ("notice", "Use /paper 2501.04682", [])


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_label_with_the_same_placeholders() -> None:
    english = {key: str(text) for key, text in LABELS["en"].items()}
    for language, labels in LABELS.items():
        words = {key: str(text) for key, text in labels.items()}
        assert words.keys() == english.keys(), language
        for key, text in words.items():
            assert text.strip(), (language, key)
            assert _placeholders(text) == _placeholders(english[key]), (language, key)
