"""`digest-bot parse FILE...`: read digest files and show what the bot understood of them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.models import Digest
from bot.parser import parse_file
from bot.terminal import printable


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "parse", help="parse digest Markdown files", description="Parse digest Markdown files."
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=run)


def digest_json(digest: Digest) -> dict[str, Any]:
    """The `parse --json` shape: date, papers and the parser's warnings."""
    return {
        "date": digest.date.isoformat(),
        "source": digest.source,
        "papers": [
            paper.model_dump(mode="json", exclude={"arxiv_version"}) for paper in digest.papers
        ],
        "warnings": [str(warning) for warning in digest.warnings],
    }


def run(args: argparse.Namespace) -> int:
    digests = [parse_file(path) for path in args.files]
    if args.json:
        payload: Any = [digest_json(d) for d in digests]
        if len(digests) == 1:
            payload = payload[0]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    console = Console()
    for digest in digests:
        table = Table(title=Text(f"Daily Papers {digest.date} — {len(digest.papers)} papers"))
        table.add_column("#", justify="right")
        table.add_column("arXiv")
        table.add_column("Votes", justify="right")
        table.add_column("Title", overflow="fold")
        table.add_column("Authors", justify="right")
        table.add_column("Sections", justify="right")
        for rank, paper in enumerate(digest.papers, start=1):
            # Digest text as Text, never as console markup: a title may hold "[/red]".
            table.add_row(
                str(rank),
                Text(printable(paper.arxiv_id or "–")),
                "–" if paper.votes is None else str(paper.votes),
                Text(printable(paper.title)),
                str(len(paper.authors)),
                str(len(paper.sections)),
            )
        console.print(table)
        for warning in digest.warnings:
            line = Text.assemble(("warning:", "yellow"), " ", printable(str(warning)))
            console.print(line, highlight=False)
    return 0
