"""The terminal rendering: readable, linked, and digest text is never taken as rich markup."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from adapters.console.render import print_post, render_console, render_post_console
from bot.formatter import FormatOptions, format_digest, format_notice, format_paper, format_top
from bot.messages import Message, Post
from bot.models import Digest, Paper, Section

LONG_TITLE = "Thinking [bold]about[/bold] thinking: a long title that cannot fit on one line"

DIGEST = Digest(
    date=dt.date(2025, 1, 9),
    papers=[
        Paper(
            arxiv_id="2501.04682",
            title=LONG_TITLE,
            url="https://arxiv.org/abs/2501.04682",
            votes=43,
            authors=["Ada Lovelace", "Alan Turing"],
            thumbnail_url="https://cdn.example.org/a.png",
            sections=[
                Section(label="What's New", text="[red]not red[/red] & <b>literal</b> :rocket:"),
                Section(label=None, text="A bullet without a label."),
            ],
        ),
        Paper(
            arxiv_id="2501.04519",
            title="Small models reason too",
            url="https://arxiv.org/abs/2501.04519",
            votes=102,
            authors=[f"Author {n}" for n in range(9)],
        ),
    ],
)


def console_on(out: io.StringIO, *, width: int = 80, terminal: bool = False) -> Console:
    if terminal:
        return Console(file=out, width=width, force_terminal=True, color_system="standard")
    # No colours even when the environment asks for them (FORCE_COLOR), so text compares plainly.
    return Console(file=out, width=width, force_terminal=False, color_system=None)


def printed(post: Post, *, width: int = 80, terminal: bool = False) -> str:
    out = io.StringIO()
    print_post(post, console_on(out, width=width, terminal=terminal))
    return out.getvalue()


def shown(message: Message) -> str:
    out = io.StringIO()
    console_on(out).print(render_console(message))
    return out.getvalue()


def flattened(text: str) -> str:
    """The words of a rendering without the panel borders and line wrapping."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def test_thread_shows_the_header_then_each_paper_as_an_indented_reply() -> None:
    text = printed(format_digest(DIGEST, FormatOptions()))
    words = flattened(text)
    assert "🤗 Daily Papers — 2025-01-09" in words
    assert "2 papers" in words
    assert words.count("↳ reply in thread") == 2
    assert words.index("Small models reason too") < words.index("2501.04682 Votes ▲ 43")
    assert "Votes ▲ 102" in words
    assert "Authors Author 0, Author 1, Author 2, Author 3 +5 more" in words
    assert "arXiv · PDF · Hugging Face" in words
    reply_lines = [line for line in text.splitlines() if "Ada Lovelace" in line]
    assert reply_lines
    assert all(line.startswith("    │") for line in reply_lines)


def test_long_titles_wrap_inside_the_panel_instead_of_being_cut() -> None:
    text = printed(format_digest(DIGEST, FormatOptions()), width=60)
    assert LONG_TITLE in flattened(text)
    assert all(len(line) <= 60 for line in text.splitlines())


def test_digest_text_is_shown_literally() -> None:
    words = flattened(printed(format_digest(DIGEST, FormatOptions())))
    assert "[bold]about[/bold]" in words
    assert "What's New: [red]not red[/red] & <b>literal</b> :rocket:" in words
    assert "• A bullet without a label." in words


def test_titles_and_links_are_terminal_hyperlinks() -> None:
    text = printed(format_digest(DIGEST, FormatOptions()), terminal=True)
    assert "\x1b]8;" in text  # OSC 8: the terminal hyperlink sequence
    assert "https://arxiv.org/pdf/2501.04682" in text  # only reachable through the PDF link
    assert "https://huggingface.co/papers/2501.04519" in text


def test_single_mode_is_one_message_without_reply_marks() -> None:
    post = format_digest(DIGEST, FormatOptions(mode="single", language="ko"))
    assert len(render_post_console(post)) == 1
    words = flattened(printed(post))
    assert "↳" not in words
    assert "🤗 오늘의 논문 — 2025-01-09" in words
    assert "추천 ▲ 102" in words
    assert "A bullet without a label." not in words  # compact: the first bullet only


def test_an_answer_card_lists_ranked_papers_with_votes() -> None:
    message = format_top(DIGEST.ranked(), title="Top 2 — 2025-01-09", options=FormatOptions())
    words = flattened(shown(message))
    assert "Top 2 — 2025-01-09" in words
    assert "1. Small models reason too ▲ 102" in words
    assert "2. Thinking [bold]about[/bold]" in words


def test_a_wrapped_title_keeps_its_votes_and_arxiv_id_whole_on_one_line() -> None:
    message = format_top(DIGEST.papers[:1], title="Top 1", options=FormatOptions())
    for width in range(40, 121):  # wherever the title happens to wrap
        out = io.StringIO()
        console_on(out, width=width).print(render_console(message))
        lines = out.getvalue().splitlines()
        assert any("▲ 43 · 2501.04682" in line for line in lines), width  # for /paper


def test_a_paper_answer_shows_its_digest_days() -> None:
    message = format_paper(DIGEST.papers[0], FormatOptions(), appearances=[dt.date(2025, 1, 9)])
    assert "In digests: 2025-01-09" in shown(message)


def test_notice_is_plain_text() -> None:
    assert shown(format_notice("Use /paper [2501.04682] :rocket:")) == (
        "Use /paper [2501.04682] :rocket:\n"
    )
