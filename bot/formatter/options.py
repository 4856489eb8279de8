"""Per-channel display options: thread or single post, which papers, in which language."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.messages import PostMode

Language = Literal["en", "ko"]


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

    @field_validator("include_keywords", "exclude_keywords")
    @classmethod
    def _drop_blank_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        # A stray space in a config list must not match (or exclude) every paper.
        return tuple(word.strip() for word in words if word.strip())
