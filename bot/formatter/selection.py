"""Which papers of a digest a channel gets, and in which order."""

from __future__ import annotations

from collections.abc import Sequence

from bot.formatter.options import FormatOptions
from bot.models import Digest, Paper


def vote_count(paper: Paper) -> int:
    """Votes for ranking and thresholds: a paper without a count ranks as if it had none."""
    return 0 if paper.votes is None else paper.votes


def rank_papers(papers: Sequence[Paper]) -> list[Paper]:
    """Most votes first; equal counts keep their digest order, papers without a count go last."""
    # sorted() is stable, so ties stay in the order the digest lists them.
    return sorted(papers, key=lambda p: (p.votes is None, -vote_count(p)))


def _searchable_text(paper: Paper) -> str:
    parts = [paper.title, *paper.authors, *(section.text for section in paper.sections)]
    return "\n".join(parts).casefold()


def _wanted(paper: Paper, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if not include and not exclude:
        return True
    text = _searchable_text(paper)
    if include and not any(word in text for word in include):
        return False
    return not any(word in text for word in exclude)


def select_papers(digest: Digest, options: FormatOptions) -> list[Paper]:
    """The papers a channel gets: filtered, most-voted first (ties in digest order), capped."""
    include = [word.casefold() for word in options.include_keywords]
    exclude = [word.casefold() for word in options.exclude_keywords]
    kept = [
        paper
        for paper in rank_papers(digest.papers)
        if vote_count(paper) >= options.min_votes and _wanted(paper, include, exclude)
    ]
    return kept if options.top_n is None else kept[: options.top_n]
