"""A day's digest as a post: a header, then one card per paper (thread) or one compact message."""

from __future__ import annotations

from collections.abc import Sequence

from bot.formatter.cards import paper_card, ranked_items, title_line
from bot.formatter.labels import labels
from bot.formatter.options import FormatOptions
from bot.formatter.selection import rank_papers, select_papers
from bot.messages import Card, Link, Message, Post
from bot.models import Digest, Paper

HF_DAY_URL = "https://huggingface.co/papers?date={date}"


def count_text(digest: Digest, papers: Sequence[Paper], options: FormatOptions) -> str:
    """How many papers ("12 papers", "5 of 12 papers" after filtering), or why there are none."""
    words = labels(options.language)
    if not digest.papers:
        return words["empty_digest"]
    if not papers:
        return words["no_papers"]
    if len(papers) == len(digest.papers):
        return words["papers"].format(n=len(papers))
    return words["papers_of"].format(n=len(papers), total=len(digest.papers))


def header_card(digest: Digest, papers: Sequence[Paper], options: FormatOptions) -> Card:
    """The day's title, how many papers, the most-voted few, and the day on Hugging Face.

    `papers` are the selected ones, already ranked.
    """
    words = labels(options.language)
    hf_url = HF_DAY_URL.format(date=digest.date.isoformat())
    return Card(
        title=words["daily_title"].format(date=digest.date.isoformat()),
        url=hf_url,
        intro=count_text(digest, papers, options),
        # Ranked again: a live digest keeps its first order, but the header shows today's top.
        items=ranked_items(rank_papers(papers)[: options.header_top], options),
        links=[Link(label=words["open_on_hf"], url=hf_url)],
    )


def fallback_text(digest: Digest, papers: Sequence[Paper], options: FormatOptions) -> str:
    """The notification line: date, count and the most-voted title."""
    words = labels(options.language)
    title = words["daily_title"].format(date=digest.date.isoformat())
    text = f"{title}: {count_text(digest, papers, options)}"
    if papers:
        text += f" — {words['fallback_top']}: {title_line(rank_papers(papers)[0])}"
    return text


def format_digest(digest: Digest, options: FormatOptions) -> Post:
    """The day's post: a header then one card per paper (thread), or one compact message."""
    papers = select_papers(digest, options)
    header = header_card(digest, papers, options)
    text = fallback_text(digest, papers, options)
    if options.mode == "single":
        cards = [header, *(paper_card(p, options, compact=True) for p in papers)]
        return Post(mode="single", messages=[Message(role="header", text=text, cards=cards)])
    replies = [
        Message(role="paper", text=title_line(p), cards=[paper_card(p, options)]) for p in papers
    ]
    return Post(
        mode="thread", messages=[Message(role="header", text=text, cards=[header]), *replies]
    )
