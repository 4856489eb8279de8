"""`digest-bot render FILE|DATE --platform slack|discord|console`: preview the exact posts."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from bot.cli.common import add_archive_options, open_archive, print_json
from bot.errors import DigestNotFound, UserError
from bot.extras import import_extra
from bot.formatter import FormatOptions, format_digest
from bot.models import Digest
from bot.parser import parse_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    render = subparsers.add_parser(
        "render",
        help="show the posts a digest becomes on a platform",
        description="Render a digest file (or an archived day) as it would be posted. With --json, "
        "print the exact API payloads in posting order: Slack chat.postMessage arguments (paste "
        "the blocks into Block Kit Builder) or Discord message-create bodies.",
    )
    render.add_argument(
        "digest", metavar="FILE|DATE", help="a digest .md file or YYYY-MM-DD from the archive"
    )
    render.add_argument("--platform", choices=["slack", "discord", "console"], default="console")
    render.add_argument("--mode", choices=["thread", "single"], default="thread")
    render.add_argument("--language", choices=["en", "ko"], default="en")
    render.add_argument("--json", action="store_true", help="print the API payloads")
    add_archive_options(render)
    render.set_defaults(handler=run)


def _digest(args: argparse.Namespace) -> Digest:
    path = Path(args.digest)
    if path.suffix == ".md" or path.exists():
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        return parse_file(path)
    try:
        day = dt.date.fromisoformat(args.digest)
    except ValueError:
        raise UserError(
            f"'{args.digest}' is neither a digest file nor a date (YYYY-MM-DD)"
        ) from None
    digest = open_archive(args, read_only=True).get_digest(day)
    if digest is None:
        raise DigestNotFound(f"No digest for {day.isoformat()} in the archive; import it first.")
    return digest


def run(args: argparse.Namespace) -> int:
    post = format_digest(_digest(args), FormatOptions(mode=args.mode, language=args.language))
    payloads: list[Any]
    if args.platform == "slack":
        import_extra("adapters.slack.render", "slack", "render --platform slack")
        from adapters.slack.render import render_post as render_slack

        payloads = render_slack(post)
    elif args.platform == "discord":
        import_extra("adapters.discord.render", "discord", "render --platform discord")
        from adapters.discord.render import render_post as render_discord

        payloads = [payload.to_json() for payload in render_discord(post)]
    else:
        from rich.console import Console

        from adapters.console.render import print_post

        if args.json:
            raise UserError("--json is for slack and discord payloads; the console has none")
        print_post(post, Console())
        return 0
    if args.json:
        print_json(payloads)
    else:
        from rich.console import Console

        Console().print_json(data=payloads)
    return 0
