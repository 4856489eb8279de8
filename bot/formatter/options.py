"""Per-channel display options, and which papers of a digest they keep."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.messages import PostMode
from bot.models import Digest, Paper

Language = Literal["en", "ko"]


class FormatOptions(BaseModel):
    """How a channel wants its digest: thread or single post, how many papers, which ones."""

    model_config = ConfigDict(frozen=True)

    mode: PostMode = "thread"
    top_n: int | None = Field(default=None, ge=1)
    min_votes: int = Field(default=0, ge=0)
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    language: Language = "en"
    header_top: int = Field(default=3, ge=0, le=10)
    max_authors: int = Field(default=4, ge=1)


def _haystack(paper: Paper) -> str:
    parts = [paper.title, *paper.authors, *(section.text for section in paper.sections)]
    return "\n".join(parts).casefold()


def select_papers(digest: Digest, options: FormatOptions) -> list[Paper]:
    """The papers a channel gets: filtered, most-voted first (ties in digest order), capped."""
    include = [word.casefold() for word in options.include_keywords if word.strip()]
    exclude = [word.casefold() for word in options.exclude_keywords if word.strip()]
    kept = []
    for paper in digest.ranked():
        if (paper.votes or 0) < options.min_votes:
            continue
        if include or exclude:
            text = _haystack(paper)
            if include and not any(word in text for word in include):
                continue
            if any(word in text for word in exclude):
                continue
        kept.append(paper)
    return kept if options.top_n is None else kept[: options.top_n]
