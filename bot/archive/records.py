"""What the archive answers with, and the mapping between a `Paper` and its database row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import models
from bot.models import Paper, Section


@dataclass(frozen=True)
class PaperRecord:
    """A paper as the archive knows it: its latest listing and every day it was listed."""

    paper: Paper
    appearances: list[dt.date]


@dataclass(frozen=True)
class RankedPaper:
    """A paper as listed on one day (`votes` of that day; `rank` in that day's digest, from 1)."""

    paper: Paper
    day: dt.date
    rank: int


@dataclass
class ImportReport:
    """What an import changed; `warnings` are the parser's, with file and line."""

    files: int = 0
    papers: int = 0
    added_days: list[dt.date] = field(default_factory=list)
    updated_days: list[dt.date] = field(default_factory=list)
    unchanged_days: list[dt.date] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def paper_key(paper: Paper) -> str:
    """The archive's identity of a paper: its arXiv id, else its link (see `bot.models`)."""
    return models.paper_key(paper)


def paper_row(paper: Paper, *, with_search_text: bool = True) -> dict[str, Any]:
    """The `papers` row; `search_text` stays empty where an FTS5 index holds the words instead."""
    search_text = ""
    if with_search_text:
        summary = " ".join(section.text for section in paper.sections)
        search_text = f"{paper.title}\n{', '.join(paper.authors)}\n{summary}"
    return {
        "key": paper_key(paper),
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "url": paper.url,
        "authors": list(paper.authors),
        "thumbnail_url": paper.thumbnail_url,
        "video_url": paper.video_url,
        "sections": [{"label": s.label, "text": s.text} for s in paper.sections],
        "search_text": search_text,
    }


def paper_from_row(row: Mapping[Any, Any], votes: int | None) -> Paper:
    """Rebuild a `Paper` from trusted database values (validated when they were imported)."""
    return Paper.model_construct(
        arxiv_id=row["arxiv_id"],
        arxiv_version=None,
        title=row["title"],
        url=row["url"],
        votes=votes,
        authors=list(row["authors"]),
        thumbnail_url=row["thumbnail_url"],
        video_url=row["video_url"],
        sections=[Section.model_construct(**s) for s in row["sections"]],
    )
