"""The terminal rendering: readable, and digest text is never taken as rich markup."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from adapters.console.render import print_post, render_console
from bot.formatter import FormatOptions, format_digest, format_notice
from bot.models import Digest, Paper, Section


def rendered(post_digest: Digest, mode: str = "thread") -> str:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False)
    print_post(format_digest(post_digest, FormatOptions(mode=mode)), console)  # type: ignore[arg-type]
    return out.getvalue()


DIGEST = Digest(
    date=dt.date(2025, 1, 9),
    papers=[
        Paper(
            arxiv_id="2501.04682",
            title="Thinking [bold]about[/bold] thinking",
            url="https://arxiv.org/abs/2501.04682",
            votes=43,
            authors=["Ada Lovelace"],
            sections=[Section(label="What's New", text="[red]not red[/red] & <b>literal</b>")],
        )
    ],
)


def test_thread_shows_header_votes_and_reply() -> None:
    text = rendered(DIGEST)
    assert "Daily Papers — 2025-01-09" in text
    assert "▲ 43" in text
    assert "↳ reply in thread" in text
    assert "Ada Lovelace" in text


def test_digest_text_is_shown_literally() -> None:
    text = rendered(DIGEST)
    assert "[bold]about[/bold]" in text
    assert "[red]not red[/red] & <b>literal</b>" in text


def test_notice_is_plain_text() -> None:
    out = io.StringIO()
    Console(file=out, width=80).print(render_console(format_notice("Use /paper [2501.04682]")))
    assert out.getvalue() == "Use /paper [2501.04682]\n"
