"""Which papers of a digest a channel gets, and in which order."""

from __future__ import annotations

from collections.abc import Sequence

from bot.formatter.options import FormatOptions
from bot.models import Digest, Paper, paper_key


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


def is_seen(paper: Paper, options: FormatOptions) -> bool:
    """Whether the channel was sent this paper on an earlier day and wants that said."""
    return options.seen_before == "mark" and paper_key(paper) in options.seen


def select_papers(digest: Digest, options: FormatOptions) -> list[Paper]:
    """The papers a channel gets: filtered, most-voted first (ties in digest order), capped.

    With `seen_before = "omit"` the papers already posted on an earlier day are left out before
    the cap, so the channel still gets `top_n` new ones.
    """
    include = [word.casefold() for word in options.include_keywords]
    exclude = [word.casefold() for word in options.exclude_keywords]
    omitted = options.seen if options.seen_before == "omit" else frozenset()
    kept = [
        paper
        for paper in rank_papers(digest.papers)
        if vote_count(paper) >= options.min_votes
        and _wanted(paper, include, exclude)
        and paper_key(paper) not in omitted
    ]
    if options.order:
        return _in_posted_order(digest, kept, options)
    return kept if options.top_n is None else kept[: options.top_n]


def _in_posted_order(digest: Digest, kept: list[Paper], options: FormatOptions) -> list[Paper]:
    """Papers posted earlier first, in their order (still listed, even if they no longer pass
    a filter); then new ones by votes, while `top_n` leaves room."""
    listed = {paper_key(paper): paper for paper in digest.papers}
    posted = [listed[key] for key in dict.fromkeys(options.order) if key in listed]
    known = set(options.order)
    fresh = [paper for paper in kept if paper_key(paper) not in known]
    if options.top_n is not None:
        fresh = fresh[: max(0, options.top_n - len(posted))]
    return posted + fresh
