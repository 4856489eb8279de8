"""Papers a channel was sent on an earlier day: marked, left out, or shown like any other."""

from __future__ import annotations

import pydantic
import pytest

from bot.formatter import FormatOptions, format_digest, format_top, select_papers
from bot.messages import Card
from bot.models import paper_key
from tests.fakes.digests import FOUR, make_digest, make_paper

# Paper 2 (▲ 40, first by votes) and paper 1 (▲ 5) were posted to the channel before.
SEEN = frozenset({"2501.00002", "2501.00001"})


def ids(options: FormatOptions) -> list[str | None]:
    return [p.arxiv_id for p in select_papers(FOUR, options)]


def cards_by_title(options: FormatOptions) -> dict[str, Card]:
    _, *replies = format_digest(FOUR, options).messages
    return {reply.cards[0].title: reply.cards[0] for reply in replies}


def test_the_default_marks_and_an_empty_set_changes_nothing() -> None:
    options = FormatOptions()
    assert (options.seen_before, options.seen) == ("mark", frozenset())
    assert format_digest(FOUR, FormatOptions(seen_before="mark")) == format_digest(FOUR, options)
    for plain in (FormatOptions(mode="thread"), FormatOptions(mode="single")):
        omitting = plain.model_copy(update={"seen_before": "omit"})
        assert format_digest(FOUR, omitting) == format_digest(FOUR, plain)


def test_mark_keeps_every_paper_and_adds_a_seen_before_fact_to_seen_ones() -> None:
    options = FormatOptions(seen=SEEN)
    assert ids(options) == ids(FormatOptions())
    cards = cards_by_title(options)
    assert [(f.name, f.value) for f in cards["Video diffusion at scale"].facts] == [
        ("Votes", "▲ 40"),
        ("Authors", "Author 0, Author 1"),
        ("Seen before", "posted here on an earlier day"),
    ]
    assert [f.name for f in cards["Paper 1"].facts][-1] == "Seen before"
    assert [f.name for f in cards["Paper 4"].facts] == ["Votes", "Authors"]
    assert [f.name for f in cards["Paper 3"].facts] == ["Votes", "Authors"]


def test_mark_notes_seen_papers_in_the_headers_top_list() -> None:
    header = format_digest(FOUR, FormatOptions(seen=SEEN)).messages[0].cards[0]
    assert header.intro == "4 papers"
    assert [(i.text, i.note) for i in header.items] == [
        ("Video diffusion at scale", "▲ 40 · Seen before"),
        ("Paper 4", "▲ 12"),
        ("Paper 1", "▲ 5 · Seen before"),
    ]
    korean = format_digest(FOUR, FormatOptions(seen=SEEN, language="ko")).messages[0].cards[0]
    assert korean.items[0].note == "▲ 40 · 이미 소개됨"


def test_mark_in_single_mode_keeps_the_fact_on_the_compact_card() -> None:
    message = format_digest(FOUR, FormatOptions(mode="single", seen=SEEN)).messages[0]
    header, first, *_ = message.cards
    assert header.items[0].note == "▲ 40 · Seen before"
    assert first.title == "Video diffusion at scale"
    assert first.facts[-1].name == "Seen before"


def test_omit_leaves_seen_papers_out_and_the_header_counts_what_is_left() -> None:
    options = FormatOptions(seen_before="omit", seen=SEEN)
    assert ids(options) == ["2501.00004", "2501.00003"]
    header, *replies = format_digest(FOUR, options).messages
    assert header.cards[0].intro == "2 of 4 papers"
    assert [(i.text, i.note) for i in header.cards[0].items] == [
        ("Paper 4", "▲ 12"),
        ("Paper 3", "—"),
    ]
    assert [r.cards[0].title for r in replies] == ["Paper 4", "Paper 3"]
    assert all("Seen before" not in [f.name for f in r.cards[0].facts] for r in replies)


def test_omit_applies_before_top_n_so_the_channel_still_gets_n_new_papers() -> None:
    assert ids(FormatOptions(top_n=2, seen_before="omit", seen=SEEN)) == [
        "2501.00004",
        "2501.00003",
    ]
    assert ids(FormatOptions(top_n=1, seen_before="omit", seen=SEEN)) == ["2501.00004"]
    # With "mark" the cap counts the seen papers too.
    assert ids(FormatOptions(top_n=2, seen=SEEN)) == ["2501.00002", "2501.00004"]


def test_omitting_every_paper_says_none_match() -> None:
    everything = frozenset(paper_key(p) for p in FOUR.papers)
    post = format_digest(FOUR, FormatOptions(seen_before="omit", seen=everything))
    assert len(post.messages) == 1
    assert post.messages[0].cards[0].intro == (
        "No papers in this digest match this channel's filters."
    )


def test_show_ignores_the_seen_set() -> None:
    options = FormatOptions(seen_before="show", seen=SEEN)
    assert format_digest(FOUR, options) == format_digest(FOUR, FormatOptions())


def test_a_paper_without_an_arxiv_id_is_known_by_its_link() -> None:
    digest = make_digest(make_paper(7, 3, with_id=False), make_paper(8, 2, with_id=False))
    options = FormatOptions(seen_before="omit", seen=frozenset({"url:https://example.org/p/7"}))
    assert [p.url for p in select_papers(digest, options)] == ["https://example.org/p/8"]


def test_commands_never_mark() -> None:
    message = format_top([make_paper(2, 40)], title="Top 1", options=FormatOptions(seen=SEEN))
    assert message.cards[0].items[0].note == "▲ 40 · 2501.00002"  # votes and id, never "seen"


def test_an_unknown_mode_is_rejected() -> None:
    with pytest.raises(pydantic.ValidationError):
        FormatOptions.model_validate({"seen_before": "hide"})
