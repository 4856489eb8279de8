"""What several sub-commands share: opening the archive, printing JSON and messages."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from bot.archive import Archive
from bot.commands import parse_day
from bot.errors import UserError
from bot.messages import Message
from bot.models import Paper
from bot.storage import create_database_engine, default_data_dir, sqlite_url

DATABASE_URL_ENV = "DIGEST_BOT_DATABASE_URL"


def add_archive_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        help=f"SQLAlchemy URL of the archive (default: ${DATABASE_URL_ENV}, else a SQLite file "
        "in the data dir)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="where the SQLite archive lives (default: $DIGEST_BOT_DATA_DIR "
        "or ~/.local/share/digest-bot)",
    )


def database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    data_dir: Path = args.data_dir or default_data_dir()
    return sqlite_url(data_dir / "digest-bot.sqlite3")


def open_archive(args: argparse.Namespace, *, read_only: bool = False) -> Archive:
    """The archive the options name; `read_only` for commands that only read it, so they work
    on a data dir this user may not write."""
    return Archive(create_database_engine(database_url(args), read_only=read_only))


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def paper_json(paper: Paper) -> dict[str, Any]:
    """A paper as `parse --json` and the archive commands print it."""
    return paper.model_dump(mode="json", exclude={"arxiv_version"})


def print_message(message: Message) -> None:
    """Show a command's answer the way the console adapter shows it."""
    from rich.console import Console

    from adapters.console.render import render_console  # composition root: imported lazily

    Console().print(render_console(message))


def parse_date(text: str) -> dt.date:
    """An option's day, read as `top --date` reads it: YYYY-MM-DD, `today` or `yesterday`."""
    try:
        return parse_day(text, dt.date.today())
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
