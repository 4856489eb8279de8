"""Turning papers and digests into neutral messages (`bot.messages`): what members read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.formatter.labels import label
from bot.formatter.options import FormatOptions, select_papers
from bot.messages import Card, Fact, Image, Link, ListItem, Message, Post, TextSection
from bot.models import Digest, Paper

HF_DAY_URL = "https://huggingface.co/papers?date={date}"


def votes_text(paper: Paper) -> str:
    return "—" if paper.votes is None else f"▲ {paper.votes}"


def authors_text(paper: Paper, options: FormatOptions) -> str:
    """The first few authors, then "+N more", so a 40-author paper stays one line."""
    shown = paper.authors[: options.max_authors]
    text = ", ".join(shown) or "—"
    hidden = len(paper.authors) - len(shown)
    if hidden > 0:
        text += " " + label(options.language, "more_authors", n=hidden)
    return text


def paper_links(paper: Paper, options: FormatOptions) -> list[Link]:
    lang = options.language
    links = [Link(label=label(lang, "arxiv"), url=paper.abs_url)]
    if paper.pdf_url:
        links.append(Link(label=label(lang, "pdf"), url=paper.pdf_url))
    if paper.hf_url:
        links.append(Link(label=label(lang, "hugging_face"), url=paper.hf_url))
    if paper.video_url:
        links.append(Link(label=label(lang, "video"), url=paper.video_url))
    return links


def paper_card(paper: Paper, options: FormatOptions, *, compact: bool = False) -> Card:
    """One paper: linked title, votes and authors, thumbnail, summary bullets, links."""
    lang = options.language
    sections = [TextSection(label=s.label, text=s.text) for s in paper.sections]
    return Card(
        title=paper.title,
        url=paper.abs_url,
        facts=[
            Fact(name=label(lang, "votes"), value=votes_text(paper)),
            Fact(name=label(lang, "authors"), value=authors_text(paper, options)),
        ],
        sections=sections[:1] if compact else sections,
        image=None
        if compact or not paper.thumbnail_url
        else Image(url=paper.thumbnail_url, alt=paper.title),
        links=[] if compact else paper_links(paper, options),
    )


def ranked_items(papers: Sequence[Paper]) -> list[ListItem]:
    return [ListItem(text=p.title, url=p.abs_url, note=votes_text(p)) for p in papers]


def header_card(digest: Digest, papers: Sequence[Paper], options: FormatOptions) -> Card:
    lang = options.language
    day = digest.date.isoformat()
    if not papers:
        intro = label(lang, "no_papers")
    elif len(papers) == len(digest.papers):
        intro = label(lang, "papers", n=len(papers))
    else:
        intro = label(lang, "papers_of", n=len(papers), total=len(digest.papers))
    top = sorted(papers, key=lambda p: -1 if p.votes is None else p.votes, reverse=True)
    hf_url = HF_DAY_URL.format(date=day)
    return Card(
        title=label(lang, "daily_title", date=day),
        url=hf_url,
        intro=intro,
        items=ranked_items(top[: options.header_top]),
        links=[Link(label=label(lang, "open_on_hf"), url=hf_url)],
    )


def fallback_text(digest: Digest, papers: Sequence[Paper], options: FormatOptions) -> str:
    """The notification line: date, count and the most-voted title."""
    lang = options.language
    text = f"{label(lang, 'daily_title', date=digest.date.isoformat())}: "
    text += label(lang, "papers", n=len(papers))
    if papers:
        best = max(papers, key=lambda p: -1 if p.votes is None else p.votes)
        text += f" — {label(lang, 'fallback_top')}: {best.title} ({votes_text(best)})"
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
        Message(role="paper", text=f"{p.title} ({votes_text(p)})", cards=[paper_card(p, options)])
        for p in papers
    ]
    return Post(
        mode="thread", messages=[Message(role="header", text=text, cards=[header]), *replies]
    )


def format_paper(
    paper: Paper, options: FormatOptions, *, appearances: Sequence[dt.date] = ()
) -> Message:
    """`/paper`: the paper's card, with the days it was in a digest."""
    card = paper_card(paper, options)
    if appearances:
        days = ", ".join(day.isoformat() for day in appearances[-5:])
        card = card.model_copy(
            update={"footer": f"{label(options.language, 'in_digests')}: {days}"}
        )
    return Message(role="answer", text=f"{paper.title} ({votes_text(paper)})", cards=[card])


def format_top(papers: Sequence[Paper], *, title: str, options: FormatOptions) -> Message:
    """`/top` and `/search`: a ranked list of linked titles with their votes."""
    intro = None if papers else label(options.language, "nothing_matched")
    card = Card(title=title, intro=intro, items=ranked_items(papers))
    lines = [f"{n}. {p.title} ({votes_text(p)})" for n, p in enumerate(papers, start=1)]
    return Message(role="answer", text="\n".join([title, *lines]), cards=[card])


def format_notice(text: str) -> Message:
    """A short answer: usage help, a user's mistake, "nothing found"."""
    return Message(role="notice", text=text)
