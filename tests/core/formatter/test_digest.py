"""A day's post as members see it: the header, the paper cards, both modes, both languages."""

from __future__ import annotations

from bot.formatter import FormatOptions, format_digest
from bot.models import Digest
from tests.fakes.digests import DAY, FOUR, make_digest, make_paper

RANKED_TITLES = ["Video diffusion at scale", "Paper 4", "Paper 1", "Paper 3"]


def test_thread_is_a_header_then_one_reply_per_paper_most_voted_first() -> None:
    post = format_digest(FOUR, FormatOptions())
    assert post.mode == "thread"
    header, *replies = post.messages
    assert header.role == "header"
    assert len(header.cards) == 1
    card = header.cards[0]
    assert card.title == "🤗 Daily Papers — 2025-01-09"
    assert card.intro == "4 papers"
    assert card.url == "https://huggingface.co/papers?date=2025-01-09"
    assert [link.url for link in card.links] == [card.url]
    assert [(i.text, i.note) for i in card.items] == [
        ("Video diffusion at scale", "▲ 40"),
        ("Paper 4", "▲ 12"),
        ("Paper 1", "▲ 5"),
    ]
    assert card.items[0].url == "https://arxiv.org/abs/2501.00002"
    assert [r.role for r in replies] == ["paper"] * 4
    assert [r.cards[0].title for r in replies] == RANKED_TITLES


def test_header_lists_as_many_top_papers_as_asked() -> None:
    assert len(format_digest(FOUR, FormatOptions(header_top=1)).messages[0].cards[0].items) == 1
    assert format_digest(FOUR, FormatOptions(header_top=0)).messages[0].cards[0].items == []


def test_fallback_texts_name_the_day_the_count_and_the_top_paper() -> None:
    header, *replies = format_digest(FOUR, FormatOptions()).messages
    assert header.text == (
        "🤗 Daily Papers — 2025-01-09: 4 papers — top: Video diffusion at scale (▲ 40)"
    )
    assert [r.text for r in replies] == [
        "Video diffusion at scale (▲ 40)",
        "Paper 4 (▲ 12)",
        "Paper 1 (▲ 5)",
        "Paper 3",  # no vote count: nothing made up
    ]


def test_a_filtered_header_says_how_many_of_how_many() -> None:
    post = format_digest(FOUR, FormatOptions(top_n=2))
    assert post.messages[0].cards[0].intro == "2 of 4 papers"
    assert "2 of 4 papers" in post.messages[0].text
    assert len(post.messages) == 3
    korean = format_digest(FOUR, FormatOptions(top_n=2, language="ko"))
    assert korean.messages[0].cards[0].intro == "논문 4편 중 2편"


def test_nothing_left_after_filtering_is_said_and_no_paper_is_posted() -> None:
    post = format_digest(FOUR, FormatOptions(min_votes=1000))
    assert len(post.messages) == 1
    header = post.messages[0]
    assert header.cards[0].intro == "No papers in this digest match this channel's filters."
    assert header.cards[0].items == []
    assert header.text.endswith("No papers in this digest match this channel's filters.")
    single = format_digest(FOUR, FormatOptions(mode="single", min_votes=1000))
    assert len(single.messages[0].cards) == 1


def test_an_empty_digest_says_it_has_no_papers() -> None:
    empty = Digest(date=DAY)
    for options in (FormatOptions(mode="thread"), FormatOptions(mode="single")):
        post = format_digest(empty, options)
        assert len(post.messages) == 1
        assert post.messages[0].cards[0].intro == "This digest has no papers."
        assert post.messages[0].text == "🤗 Daily Papers — 2025-01-09: This digest has no papers."


def test_single_mode_is_one_message_with_the_header_and_a_compact_card_per_paper() -> None:
    post = format_digest(FOUR, FormatOptions(mode="single"))
    assert post.mode == "single"
    assert len(post.messages) == 1
    message = post.messages[0]
    assert message.role == "header"
    assert message.text.startswith("🤗 Daily Papers — 2025-01-09: 4 papers")
    header, *cards = message.cards
    assert header.intro == "4 papers"
    assert [c.title for c in cards] == RANKED_TITLES
    first = cards[0]
    assert first.url == "https://arxiv.org/abs/2501.00002"
    assert [f.name for f in first.facts] == ["Votes", "Authors"]
    assert [s.text for s in first.sections] == ["A short summary we wrote."]
    assert first.image is None
    assert first.links == []


def test_korean_labels() -> None:
    header, reply, *_ = format_digest(FOUR, FormatOptions(language="ko")).messages
    assert header.cards[0].title == "🤗 오늘의 논문 — 2025-01-09"
    assert header.cards[0].intro == "논문 4편"
    assert header.text.startswith("🤗 오늘의 논문 — 2025-01-09: 논문 4편")
    assert [f.name for f in reply.cards[0].facts] == ["추천", "저자"]
    assert header.cards[0].links[0].label == "Hugging Face에서 전체 목록 보기"


def test_digest_text_reaches_the_messages_unchanged_for_renderers_to_escape() -> None:
    title = "<!channel> *Bold* [x](https://evil.example) & @everyone"
    summary = "Uses `code`, <b>tags</b> and [bold]markup[/bold]."
    post = format_digest(make_digest(make_paper(1, 3, title, summary=summary)), FormatOptions())
    card = post.messages[1].cards[0]
    assert card.title == title
    assert card.sections[0].text == summary
    assert title in post.messages[0].text
