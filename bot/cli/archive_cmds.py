"""`digest-bot import | paper | top | search`: fill the archive and ask it questions."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.archive import Archive, ImportReport
from bot.arxiv import parse_arxiv_id
from bot.cli.common import (
    add_archive_options,
    open_archive,
    paper_json,
    parse_date,
    print_json,
    print_message,
)
from bot.commands import TOP_DEFAULT, TOP_MAX, CommandContext, resolve_day
from bot.commands.archive_queries import paper_command
from bot.errors import UserError
from bot.formatter import format_notice, format_top
from bot.ingest import SAMPLE_ARCHIVE_DIR, days_between, import_from_source
from bot.sources import DirectorySource, HuggingFaceSource, source_from_spec
from bot.terminal import printable

SEARCH_MAX = 50


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = subparsers.add_parser(
        "import",
        help="import digests from a folder, a URL template or the Hugging Face API",
        description="Import digests into the archive; re-importing updates and duplicates nothing. "
        "A file or day that cannot be read is named on its own line and the others are imported; "
        "the exit status is then 1 (0: everything imported; 2: nothing done, one line says why). "
        "A second import waits for one already running on the same archive.",
    )
    importer.add_argument(
        "location",
        nargs="?",
        metavar="DIR|URL",
        help="a folder of YYYY-MM-DD.md files, a URL template with {yyyy}/{mm}/{dd}, or "
        "'huggingface' (default: the bundled sample archive)",
    )
    importer.add_argument(
        "--since",
        type=parse_date,
        help="first day to fetch: YYYY-MM-DD, 'today' or 'yesterday' (needed for a URL; "
        "huggingface: yesterday and today, UTC)",
    )
    importer.add_argument(
        "--until", type=parse_date, help="last day to fetch, same forms (default: today)"
    )
    importer.set_defaults(handler=run_import)

    paper = subparsers.add_parser("paper", help="show one paper from the archive")
    paper.add_argument("reference", metavar="ID", help="arXiv id, arxiv.org or huggingface.co link")
    paper.set_defaults(handler=run_paper)

    top = subparsers.add_parser("top", help="the most-voted papers of a day")
    top.add_argument("-n", type=int, default=TOP_DEFAULT, help=f"how many, 1-{TOP_MAX}")
    top.add_argument("--date", help="YYYY-MM-DD, 'today' or 'yesterday' (default: latest digest)")
    top.set_defaults(handler=run_top)

    search = subparsers.add_parser("search", help="search titles, authors and summaries")
    search.add_argument("words", nargs="+")
    search.add_argument("-n", "--limit", type=int, default=10, help=f"at most 1-{SEARCH_MAX}")
    search.set_defaults(handler=run_search)

    for sub in (importer, paper, top, search):
        add_archive_options(sub)
        sub.add_argument("--json", action="store_true", help="print JSON for scripts")


def run_import(args: argparse.Namespace) -> int:
    archive = open_archive(args)
    source = source_from_spec(args.location or str(SAMPLE_ARCHIVE_DIR))
    days = None
    if not isinstance(source, DirectorySource) or args.since:
        if args.since is None and isinstance(source, HuggingFaceSource):
            days = source.recent_days(dt.datetime.now(dt.UTC))
        elif args.since is None:
            raise UserError(f"importing from {source.description} needs --since YYYY-MM-DD")
        else:
            days = days_between(args.since, args.until or dt.date.today())
    with _progress(quiet=args.json) as progress:
        report = asyncio.run(import_from_source(archive, source, days, progress, _say_waiting))
    if args.json:
        print_json(_report_json(report))
    else:
        _print_report(report)
    return 1 if report.failed else 0


def _context(archive: Archive) -> CommandContext:
    return CommandContext(archive=archive, today=dt.date.today())


def run_paper(args: argparse.Namespace) -> int:
    archive = open_archive(args, read_only=True)
    message = paper_command(_context(archive), args.reference)  # raises the user's error
    if not args.json:
        print_message(message)
        return 0
    record = archive.get_paper(parse_arxiv_id(args.reference).id)
    assert record is not None  # paper_command found it a moment ago
    print_json(
        {**paper_json(record.paper), "appearances": [d.isoformat() for d in record.appearances]}
    )
    return 0


def run_top(args: argparse.Namespace) -> int:
    if not 1 <= args.n <= TOP_MAX:
        raise UserError(f"-n must be between 1 and {TOP_MAX} (got {args.n})")
    archive = open_archive(args, read_only=True)
    ctx = _context(archive)
    day = resolve_day(ctx, args.date)
    ranked = archive.top(day, args.n)
    if args.json:
        papers = [{"rank": r.rank, **paper_json(r.paper)} for r in ranked]
        print_json({"date": day.isoformat(), "papers": papers})
    else:
        title = f"Top {len(ranked)} — {day.isoformat()}"
        print_message(format_top([r.paper for r in ranked], title=title, options=ctx.options))
    return 0


def run_search(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= SEARCH_MAX:
        raise UserError(f"--limit must be between 1 and {SEARCH_MAX} (got {args.limit})")
    archive = open_archive(args, read_only=True)
    words = " ".join(args.words)
    hits = archive.search(words, limit=args.limit)
    if args.json:
        papers = [{"date": h.day.isoformat(), **paper_json(h.paper)} for h in hits]
        print_json({"query": words, "papers": papers})
    elif not hits:
        print_message(format_notice(f"No paper in the archive matches '{words}'."))
    else:
        options = _context(archive).options
        print_message(
            format_top([h.paper for h in hits], title=f"Search: {words}", options=options)
        )
    return 0


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when piped or asked for JSON."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("Importing", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _say_waiting() -> None:
    print(
        "digest-bot: another import is writing this archive; waiting for it to finish…",
        file=sys.stderr,
        flush=True,
    )


def _report_json(report: ImportReport) -> dict[str, object]:
    return {
        "files": report.files,
        "papers": report.papers,
        "added": [d.isoformat() for d in report.added_days],
        "updated": [d.isoformat() for d in report.updated_days],
        "unchanged": [d.isoformat() for d in report.unchanged_days],
        "failed": report.failed,
        "warnings": report.warnings,
    }


def _print_report(report: ImportReport) -> None:
    print(
        f"Imported {report.papers} papers from {report.files} digests: "
        f"{len(report.added_days)} new, {len(report.updated_days)} updated, "
        f"{len(report.unchanged_days)} unchanged."
    )
    # Both quote digest text and file names, written by others: no escape sequence gets through.
    for warning in report.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    for failure in report.failed:
        print(f"failed: {printable(failure)}", file=sys.stderr)
