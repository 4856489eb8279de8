"""The digest data model: what every source produces and everything downstream reads."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.arxiv import parse_arxiv_id

# The archive stores a day's votes in an INTEGER column, 32-bit on PostgreSQL (SQLite's 64-bit
# limit is higher); a count past it, or below zero, is a broken digest, not a popular paper.
MAX_VOTES = 2**31 - 1


def votes_in_range(votes: int) -> bool:
    """Whether `votes` is a vote count the archive can hold (0 to `MAX_VOTES`)."""
    return 0 <= votes <= MAX_VOTES


def out_of_range_votes(value: object) -> str:
    """The warning for a vote count outside 0 to `MAX_VOTES`; the count is kept as unknown."""
    if isinstance(value, int) and value.bit_length() > 1000:
        # str() of a huge int is slow, and refused past 4300 digits.
        shown = f"(a number of about {int(value.bit_length() * 0.30103)} digits)"
    else:
        text = str(value)
        shown = text if len(text) <= 24 else f"{text[:20]}… ({len(text)} digits)"
    return f"vote count {shown} is out of range (0 to {MAX_VOTES}); kept as unknown"


class Section(BaseModel):
    """One summary bullet; `label` is e.g. "What's New", or None for a free-form bullet."""

    model_config = ConfigDict(frozen=True)

    label: str | None = None
    text: str


class ParseWarning(BaseModel):
    """Something the parser could not read fully; the paper is kept with what could be read."""

    model_config = ConfigDict(frozen=True)

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class Paper(BaseModel):
    """One paper of a daily digest."""

    arxiv_id: str | None = Field(description="Normalised id without version; None if unknown.")
    arxiv_version: int | None = None
    title: str
    url: str
    votes: int | None = None
    authors: list[str] = Field(default_factory=list)
    thumbnail_url: str | None = None
    video_url: str | None = None
    sections: list[Section] = Field(default_factory=list)

    @field_validator("arxiv_id")
    @classmethod
    def _normalise_id(cls, value: str | None) -> str | None:
        return None if value is None else parse_arxiv_id(value).id

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else self.url

    @property
    def pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def hf_url(self) -> str | None:
        return f"https://huggingface.co/papers/{self.arxiv_id}" if self.arxiv_id else None


def paper_key(paper: Paper) -> str:
    """A paper's identity across days: its arXiv id (any version), else its link.

    The archive keys its rows by it, and the delivery ledger remembers what it posted by it.
    """
    return paper.arxiv_id or f"url:{paper.url}"


class Digest(BaseModel):
    """One day's list of papers, in the order the digest gives them."""

    date: dt.date
    papers: list[Paper] = Field(default_factory=list)
    source: str = ""
    warnings: list[ParseWarning] = Field(default_factory=list, exclude=True)

    def ranked(self) -> list[Paper]:
        """Papers by votes, most first; papers without a vote count last, in digest order."""
        return sorted(self.papers, key=lambda p: -1 if p.votes is None else p.votes, reverse=True)
