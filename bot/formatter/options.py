"""Per-channel display options: thread or single post, which papers, in which language."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.messages import PostMode

Language = Literal["en", "ko"]
# What a channel does with a paper it was already sent on an earlier day: mark it, leave it out,
# or show it like any other.
SeenBefore = Literal["mark", "omit", "show"]


class FormatOptions(BaseModel):
    """How a channel wants its digest: thread or single post, how many papers, which ones."""

    model_config = ConfigDict(frozen=True)

    mode: PostMode = "thread"
    # Post only the n most-voted papers (None: all of them).
    top_n: int | None = Field(default=None, ge=1)
    # Papers with fewer votes are left out; a paper without a vote count counts as 0.
    min_votes: int = Field(default=0, ge=0)
    # Case-insensitive words matched in the title, the authors and the summary.
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    language: Language = "en"
    header_top: int = Field(default=3, ge=0, le=10)
    max_authors: int = Field(default=4, ge=1)
    seen_before: SeenBefore = "mark"
    # Keys (`bot.models.paper_key`) of the papers posted to this channel on an earlier day.
    seen: frozenset[str] = frozenset()
    # A live digest's papers in the order they were first posted (paper keys): they keep their
    # place, so an update edits messages in place and late papers come after them.
    order: tuple[str, ...] = ()

    @field_validator("include_keywords", "exclude_keywords")
    @classmethod
    def _drop_blank_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        # A stray space in a config list must not match (or exclude) every paper.
        return tuple(word.strip() for word in words if word.strip())
