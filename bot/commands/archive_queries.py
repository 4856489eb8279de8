"""The archive's commands: `/paper`, `/top`, `/digest` and `/search`, and how a typed day is read.

They read the archive alone, so they answer the same for everybody (adapters may cache them).
"""

from __future__ import annotations

import datetime as dt
import re

from bot.archive import Archive
from bot.arxiv import parse_arxiv_id
from bot.commands.context import CommandContext
from bot.errors import DigestNotFound, PaperNotFound, UserError
from bot.formatter import format_notice, format_paper, format_top
from bot.messages import Message

TOP_DEFAULT = 5
TOP_MAX = 25
SEARCH_LIMIT = 10


def parse_day(text: str, today: dt.date) -> dt.date:
    """YYYY-MM-DD, `today` or `yesterday` as a date; the one reading of a day a person types."""
    word = text.strip().lower()
    if word in {"today", "yesterday"}:
        return today - dt.timedelta(days=1 if word == "yesterday" else 0)
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise UserError(
            f"'{text}' is not a date. Use YYYY-MM-DD (e.g. 2025-01-09), 'today' or 'yesterday'."
        ) from None


def resolve_day(ctx: CommandContext, text: str | None) -> dt.date:
    """A day the archive has: given as YYYY-MM-DD, `today` or `yesterday`; none means the latest."""
    word = (text or "").strip().lower()
    if not word:
        latest = ctx.archive.latest_date()
        if latest is None:
            raise DigestNotFound(
                "The archive is empty: import digests first (`digest-bot import` loads the "
                "bundled sample; `digest-bot import DIR|URL` your own)."
            )
        return latest
    day = parse_day(text or "", ctx.today)
    if ctx.archive.get_digest(day) is None:
        raise DigestNotFound(f"No digest for {day.isoformat()}. {_archive_span(ctx.archive)}")
    return day


def _archive_span(archive: Archive) -> str:
    dates = archive.dates()
    if not dates:
        return "The archive is empty."
    return f"The archive has {len(dates)} digests, from {dates[0]} to {dates[-1]}."


def paper_command(ctx: CommandContext, text: str) -> Message:
    """`/paper <arXiv id or URL>`: one paper's card, with the digests it appeared in."""
    if not text.strip():
        raise UserError("Which paper? Give an arXiv id or link, e.g. /paper 2501.04682")
    reference = parse_arxiv_id(text.split()[0])
    record = ctx.archive.get_paper(reference.id)
    if record is None:
        raise PaperNotFound(
            f"{reference.id} is not in any digest of the archive. "
            f"It may still be on arXiv: {reference.abs_url}"
        )
    return format_paper(record.paper, ctx.options, appearances=record.appearances)


_TOP_WORD = re.compile(r"^[+-]?\d+$")
# `/top week` and `/top month`: how many days, ending on the archive's latest digest (inclusive).
TOP_PERIODS: dict[str, int] = {"week": 7, "month": 30}


def top_command(ctx: CommandContext, text: str) -> Message:
    """`/top [n] [week | month | YYYY-MM-DD | today | yesterday]`: the most-voted papers.

    A day ranks that day's digest; `week` and `month` rank every paper listed in the 7 or 30 days
    ending on the latest digest, each once, by its highest votes in that range.
    """
    count, day_words = TOP_DEFAULT, []
    for word in text.split():
        if _TOP_WORD.match(word):
            count = int(word)
        else:
            day_words.append(word)
    if not 1 <= count <= TOP_MAX:
        raise UserError(f"n must be between 1 and {TOP_MAX} (got {count}), e.g. /top 10")
    periods = [word.lower() for word in day_words if word.lower() in TOP_PERIODS]
    if periods and len(day_words) > 1:
        raise UserError("Give week, month or one date, not several, e.g. /top 5 week")
    if len(day_words) > 1:
        raise UserError("Give at most one date, e.g. /top 5 2025-01-09")
    if periods:
        return _top_of_period(ctx, periods[0], count)
    day = resolve_day(ctx, day_words[0] if day_words else None)
    papers = [ranked.paper for ranked in ctx.archive.top(day, count)]
    return format_top(papers, title=f"Top {len(papers)} — {day.isoformat()}", options=ctx.options)


def _top_of_period(ctx: CommandContext, period: str, count: int) -> Message:
    """`/top week|month`: the days ending on the latest digest, each paper once by best votes."""
    last = resolve_day(ctx, None)  # the latest digest; an empty archive says how to fill it
    first = last - dt.timedelta(days=TOP_PERIODS[period] - 1)
    papers = [ranked.paper for ranked in ctx.archive.top_between(first, last, count)]
    if not papers:
        raise DigestNotFound(
            f"No papers listed from {first.isoformat()} to {last.isoformat()}. "
            f"{_archive_span(ctx.archive)}"
        )
    title = f"Top {len(papers)} — {period} {first.isoformat()} … {last.isoformat()}"
    return format_top(papers, title=title, options=ctx.options)


def digest_command(ctx: CommandContext, text: str) -> Message:
    """`/digest [date]`: the day's header (count and top papers)."""
    from bot.formatter import format_digest  # the header is the first message of the full post

    day = resolve_day(ctx, text or None)
    digest = ctx.archive.get_digest(day)
    if digest is None:  # removed between the two reads
        raise DigestNotFound(f"No digest for {day.isoformat()}.")
    thread = format_digest(digest, ctx.options.model_copy(update={"mode": "thread"}))
    return thread.messages[0].model_copy(update={"role": "answer"})


def search_command(ctx: CommandContext, text: str) -> Message:
    """`/search <words>`: best matches over titles, authors and summaries."""
    words = text.strip()
    if not words:
        raise UserError("Search for what? e.g. /search diffusion video")
    papers = [ranked.paper for ranked in ctx.archive.search(words, limit=SEARCH_LIMIT)]
    if not papers:
        return format_notice(f"No paper in the archive matches '{words[:100]}'.")
    return format_top(papers, title=f"Search: {words[:100]}", options=ctx.options)
