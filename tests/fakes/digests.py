"""Small digests for the formatter tests; all text is our own."""

from __future__ import annotations

import datetime as dt

from bot.models import Digest, Paper, Section

DAY = dt.date(2025, 1, 9)


def make_paper(
    n: int,
    votes: int | None,
    title: str = "",
    *,
    authors: int = 2,
    summary: str = "A short summary we wrote.",
    with_id: bool = True,
    video_url: str | None = None,
) -> Paper:
    arxiv_id = f"2501.{n:05d}" if with_id else None
    return Paper(
        arxiv_id=arxiv_id,
        title=title or f"Paper {n}",
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else f"https://example.org/p/{n}",
        votes=votes,
        authors=[f"Author {i}" for i in range(authors)],
        thumbnail_url=f"https://cdn.example.org/{n}.png",
        video_url=video_url,
        sections=[
            Section(label="What's New", text=summary),
            Section(label=None, text="A second bullet."),
        ],
    )


def make_digest(*papers: Paper) -> Digest:
    return Digest(date=DAY, papers=list(papers))


# Digest order on purpose differs from vote order; paper 3 has no vote count.
FOUR = make_digest(
    make_paper(1, 5),
    make_paper(2, 40, "Video diffusion at scale"),
    make_paper(3, None),
    make_paper(4, 12, summary="Message passing on graphs."),
)
