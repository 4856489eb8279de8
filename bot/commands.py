"""What the slash commands do, once for every platform.

An adapter passes the command name and the user's words to `run_command` and renders the `Message`
it gets back. Bad input becomes a short helpful answer; an unexpected failure becomes a generic
answer with a reference id while the traceback goes to the log (never the error text into chat).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Mapping

from bot.admin_commands import config_command, status_command
from bot.alert_commands import alert_command
from bot.archive import Archive
from bot.arxiv import parse_arxiv_id
from bot.command_context import Caller, CommandContext, CommandResult
from bot.command_spec import CommandSpec, OptionSpec, SubcommandSpec, command_text
from bot.errors import DigestNotFound, PaperNotFound, UserError
from bot.formatter import format_notice, format_paper, format_top
from bot.messages import Message
from bot.metrics import COMMAND_SECONDS
from bot.metrics import COMMANDS as COMMANDS_RUN

__all__ = [
    "COMMANDS",
    "Caller",
    "CommandContext",
    "CommandRegistry",
    "CommandResult",
    "CommandSpec",
    "OptionSpec",
    "SubcommandSpec",
    "command_text",
    "run_command",
    "run_text_command",
]

log = logging.getLogger(__name__)

TOP_DEFAULT = 5
TOP_MAX = 25
SEARCH_LIMIT = 10

# Command name → its declaration. Adapters take a registry as a parameter (this one by default),
# so a test can hand them one with a command of its own.
CommandRegistry = Mapping[str, CommandSpec]


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


# Where a day is asked for: the platforms that suggest values offer the archive's dates.
_DAY = "YYYY-MM-DD, today or yesterday (default: latest)"

COMMANDS: CommandRegistry = {
    spec.name: spec
    for spec in (
        CommandSpec(
            "paper",
            "/paper <arXiv id or link>",
            "Show one paper from the digest archive",
            paper_command,
            options=(OptionSpec("id", "arXiv id or link, e.g. 2501.04682", required=True),),
        ),
        CommandSpec(
            "top",
            "/top [n] [YYYY-MM-DD|yesterday] or /top [n] [week|month]",
            "Most-voted papers of a day, a week or a month",
            top_command,
            options=(
                OptionSpec(
                    "n", f"how many papers (default {TOP_DEFAULT})", "int", min=1, max=TOP_MAX
                ),
                OptionSpec("date", "YYYY-MM-DD (default: latest)", "date", suggest="archive-dates"),
                OptionSpec(
                    "period",
                    "day (default), or week / month: the 7 or 30 days up to the latest digest",
                    "choice",
                    choices=("day", *TOP_PERIODS),
                    default="day",
                ),
            ),
        ),
        CommandSpec(
            "digest",
            "/digest [YYYY-MM-DD|yesterday]",
            "A day's overview: count and top papers",
            digest_command,
            options=(OptionSpec("date", _DAY, "date", suggest="archive-dates"),),
        ),
        CommandSpec(
            "search",
            "/search <words>",
            "Search titles, authors and summaries",
            search_command,
            options=(OptionSpec("words", "what to look for, e.g. diffusion video", required=True),),
            platform_names={"slack": "papers-search"},  # Slack reserves /search
        ),
        CommandSpec(
            "digest-status",
            "/digest-status [channel]",
            "This channel's last delivery, next run and source health (admins)",
            status_command,
            options=(OptionSpec("channel", "a configured channel name (default: this channel)"),),
            personal=True,
            admin=True,
        ),
        CommandSpec(
            "digest-config",
            "/digest-config [channel] [time HH:MM] [tz Area/City] [top N] … | reset",
            "Show or change this channel's digest settings (admins)",
            config_command,
            options=(
                OptionSpec(
                    "settings",
                    "e.g. time 09:00 tz Asia/Seoul top 10 min-votes 5 | reset (empty: show them)",
                ),
            ),
            personal=True,
            admin=True,
        ),
        CommandSpec(
            "paper-alert",
            "/paper-alert add <words> | list | remove <number|words>",
            "A direct message when a digest has papers with your words",
            alert_command,
            subcommands=(
                SubcommandSpec(
                    "add",
                    "Add an alert: a direct message when a digest has papers with these words",
                    (
                        OptionSpec(
                            "words", "the words to look for, e.g. diffusion video", required=True
                        ),
                    ),
                ),
                SubcommandSpec("list", "List your alerts"),
                SubcommandSpec(
                    "remove",
                    "Remove one of your alerts",
                    (OptionSpec("words", "its number in the list, or its words", required=True),),
                ),
            ),
            personal=True,
        ),
    )
}


def help_message(name: str | None = None, commands: CommandRegistry = COMMANDS) -> Message:
    """Usage of one command, or of all of them."""
    spec = commands.get(name or "")
    specs = [spec] if spec is not None else list(commands.values())
    lines = [f"{spec.usage} — {spec.description}" for spec in specs]
    return format_notice("\n".join(lines))


def unknown_command(name: str, commands: CommandRegistry = COMMANDS) -> Message:
    """A command we do not have: say so in one line, with the names, not the whole help."""
    names = ", ".join(f"/{spec}" for spec in commands)
    return format_notice(f"Unknown command /{name[:40]}. Commands: {names}. /help shows how.")


def run_command(
    ctx: CommandContext, name: str, text: str = "", commands: CommandRegistry = COMMANDS
) -> CommandResult:
    """Run one command of `commands` by name with the user's words; never raises."""
    name = name.strip().lstrip("/").lower()
    label = name if name in commands else "help"
    with COMMAND_SECONDS.labels(label).time():
        result = _run_command(ctx, name, text, commands)
    COMMANDS_RUN.labels(label, "yes" if result.ok else "no").inc()
    return result


def _run_command(
    ctx: CommandContext, name: str, text: str, commands: CommandRegistry
) -> CommandResult:
    spec = commands.get(name)
    if spec is None:
        if name not in {"", "help"}:
            return CommandResult(unknown_command(name, commands), ok=False)
        return CommandResult(help_message(text.strip().lstrip("/") or None, commands), ok=True)
    if text.strip().lower() == "help":
        return CommandResult(help_message(name, commands), ok=True)
    try:
        return CommandResult(spec.run(ctx, text), ok=True)
    except UserError as error:
        return CommandResult(format_notice(str(error)), ok=False)
    except Exception:
        reference = secrets.token_hex(4)
        log.exception("command /%s failed (ref %s)", name, reference)
        notice = f"Sorry, something went wrong on our side (ref {reference})."
        return CommandResult(format_notice(notice), ok=False)


def run_text_command(
    ctx: CommandContext, line: str, commands: CommandRegistry = COMMANDS
) -> CommandResult:
    """Run a typed line such as `/top 3 yesterday` (the console and plain-text platforms)."""
    name, _, rest = line.strip().partition(" ")
    return run_command(ctx, name or "help", rest, commands)
