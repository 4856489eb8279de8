"""One paper as a card, and the answers to commands (`/paper`, `/top`, `/search`, notices)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.formatter.labels import labels
from bot.formatter.options import FormatOptions
from bot.formatter.selection import is_seen
from bot.messages import Card, Fact, Image, Link, ListItem, Message, TextSection
from bot.models import Paper

# `/paper` lists the most recent days a paper was in a digest; older ones are only counted.
APPEARANCES_SHOWN = 5


def votes_text(paper: Paper) -> str:
    return "—" if paper.votes is None else f"▲ {paper.votes}"


def title_line(paper: Paper) -> str:
    """A paper in one line of plain text: its title, and its votes when known."""
    return paper.title if paper.votes is None else f"{paper.title} ({votes_text(paper)})"


def paper_url(paper: Paper) -> str | None:
    """Where the title links: the arXiv abstract, else the digest's own link, if any."""
    return paper.abs_url or None


def authors_text(paper: Paper, options: FormatOptions) -> str:
    """The first few authors, then "+N more", so a 40-author paper stays one line."""
    shown = paper.authors[: options.max_authors]
    text = ", ".join(shown) or "—"
    hidden = len(paper.authors) - len(shown)
    if hidden > 0:
        text += " " + labels(options.language)["more_authors"].format(n=hidden)
    return text


def paper_links(paper: Paper, options: FormatOptions) -> list[Link]:
    """arXiv, PDF and Hugging Face for a paper with an id; its own link otherwise; then video."""
    words = labels(options.language)
    links: list[Link] = []
    if paper.arxiv_id:
        links.append(Link(label=words["arxiv"], url=paper.abs_url))
    elif paper.url:
        links.append(Link(label=words["paper_page"], url=paper.url))
    if paper.pdf_url:
        links.append(Link(label=words["pdf"], url=paper.pdf_url))
    if paper.hf_url:
        links.append(Link(label=words["hugging_face"], url=paper.hf_url))
    if paper.video_url:
        links.append(Link(label=words["video"], url=paper.video_url))
    return links


def paper_card(paper: Paper, options: FormatOptions, *, compact: bool = False) -> Card:
    """One paper: linked title, votes and authors, thumbnail, summary bullets, links.

    The compact card (single-post mode) keeps the title, the facts and the first bullet only.
    A paper the channel was sent on an earlier day gets a "Seen before" fact (`seen_before`).
    """
    words = labels(options.language)
    sections = [TextSection(label=s.label, text=s.text) for s in paper.sections]
    facts = [
        Fact(name=words["votes"], value=votes_text(paper)),
        Fact(name=words["authors"], value=authors_text(paper, options)),
    ]
    if is_seen(paper, options):
        facts.append(Fact(name=words["seen_before"], value=words["seen_before_detail"]))
    return Card(
        title=paper.title,
        url=paper_url(paper),
        facts=facts,
        sections=sections[:1] if compact else sections,
        image=None
        if compact or not paper.thumbnail_url
        else Image(url=paper.thumbnail_url, alt=paper.title),
        links=[] if compact else paper_links(paper, options),
    )


def ranked_items(papers: Sequence[Paper], options: FormatOptions | None = None) -> list[ListItem]:
    """Linked titles with their votes; with `options`, papers seen before say so in the note."""
    return [ListItem(text=p.title, url=paper_url(p), note=_item_note(p, options)) for p in papers]


def _item_note(paper: Paper, options: FormatOptions | None) -> str:
    if options is None or not is_seen(paper, options):
        return votes_text(paper)
    return f"{votes_text(paper)} · {labels(options.language)['seen_before']}"


def appearances_text(appearances: Sequence[dt.date], options: FormatOptions) -> str:
    words = labels(options.language)
    days = sorted(set(appearances))
    shown = ", ".join(day.isoformat() for day in days[-APPEARANCES_SHOWN:])
    hidden = len(days) - APPEARANCES_SHOWN
    if hidden > 0:
        shown += f" ({words['more_days'].format(n=hidden)})"
    return f"{words['in_digests']}: {shown}"


def format_paper(
    paper: Paper, options: FormatOptions, *, appearances: Sequence[dt.date] = ()
) -> Message:
    """`/paper`: the paper's card, with the days it was in a digest."""
    card = paper_card(paper, options)
    text = title_line(paper)
    if appearances:
        footer = appearances_text(appearances, options)
        card = card.model_copy(update={"footer": footer})
        text += f" — {footer}"
    return Message(role="answer", text=text, cards=[card])


def _with_id(text: str, paper: Paper) -> str:
    # The bare id, so that what a list shows can be typed after /paper on every platform.
    return f"{text} · {paper.arxiv_id}" if paper.arxiv_id else text


def format_top(papers: Sequence[Paper], *, title: str, options: FormatOptions) -> Message:
    """`/top` and `/search`: a ranked list of linked titles with their votes and arXiv ids."""
    if not papers:
        nothing = labels(options.language)["nothing_matched"]
        return Message(
            role="answer", text=f"{title}: {nothing}", cards=[Card(title=title, intro=nothing)]
        )
    items = [
        item.model_copy(update={"note": _with_id(item.note or "", paper)})
        for item, paper in zip(ranked_items(papers), papers, strict=True)
    ]
    card = Card(title=title, items=items)
    lines = [f"{n}. {_with_id(title_line(p), p)}" for n, p in enumerate(papers, start=1)]
    return Message(role="answer", text="\n".join([title, *lines]), cards=[card])


def format_notice(text: str) -> Message:
    """A short answer: usage help, a user's mistake, "nothing found". Plain text, no card."""
    return Message(role="notice", text=text)
