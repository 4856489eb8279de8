"""Hypothesis strategies for neutral messages with hostile, huge and odd content."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from bot.formatter import FormatOptions, format_digest
from bot.messages import Post
from bot.models import Digest, Paper, Section

HOSTILE = "&<>*_[]|@`~\\#:()!-"
hostile_text = st.text(
    alphabet=st.sampled_from(HOSTILE) | st.characters(codec="utf-8"), max_size=300
)


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    n = draw(st.integers(0, 99_999))
    big = draw(st.booleans())
    text_size = 5000 if big else 200
    return Paper(
        arxiv_id=f"2501.{n:05d}",
        title=draw(hostile_text.filter(lambda t: t.strip()) | st.just("<!channel> @everyone *x*")),
        url=f"https://arxiv.org/abs/2501.{n:05d}",
        votes=draw(st.none() | st.integers(0, 10_000)),
        authors=draw(st.lists(hostile_text, max_size=400 if big else 5)),
        thumbnail_url=draw(
            st.sampled_from(
                [None, "https://cdn.example.org/t.png", "https://huggingface.co/avatars/x.svg"]
            )
        ),
        sections=[
            Section(
                label=draw(st.none() | hostile_text),
                text=draw(st.text(min_size=1, max_size=text_size)),
            )
            for _ in range(draw(st.integers(0, 4)))
        ],
    )


@st.composite
def posts(draw: st.DrawFn) -> Post:
    digest = Digest(date=dt.date(2025, 1, 9), papers=draw(st.lists(papers(), max_size=60)))
    mode = draw(st.sampled_from(["thread", "single"]))
    return format_digest(digest, FormatOptions(mode=mode))
