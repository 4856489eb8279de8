"""`digest-bot run | post | check-config`: the running bot and its configuration."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from pathlib import Path

from rich.console import Console

from bot.cli.common import parse_date
from bot.errors import DigestNotFound


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the bot (no config: the console on the bundled sample archive)",
        description="Start the scheduler and every configured adapter. Without a config file it "
        "shows the latest sample digest and answers /paper, /top, /digest, /search typed here.",
    )
    run.set_defaults(handler=run_bot)

    post = subparsers.add_parser("post", help="deliver a digest now, through the ledger")
    post.add_argument("--date", type=parse_date, help="the digest's day (default: the latest)")
    post.add_argument("--channel", help="only this configured channel")
    post.add_argument("--dry-run", action="store_true", help="show the posts; send nothing")
    post.set_defaults(handler=post_now)

    check = subparsers.add_parser("check-config", help="validate the config and environment")
    check.set_defaults(handler=check_config)

    for sub in (run, post, check):
        sub.add_argument(
            "--config",
            type=Path,
            help="TOML config (default: $DIGEST_BOT_CONFIG or ./digest-bot.toml)",
        )


def run_bot(args: argparse.Namespace) -> int:
    from bot.app.main import BotApp
    from config import load_settings

    if not args.verbose:
        logging.getLogger().setLevel(logging.INFO)
    app = BotApp(load_settings(args.config), Console())
    return asyncio.run(app.run(sys.stdin))


def post_now(args: argparse.Namespace) -> int:
    from adapters.console.render import print_post
    from bot.app.main import BotApp
    from bot.formatter import format_digest
    from config import load_settings

    settings = load_settings(args.config)
    console = Console()
    app = BotApp(settings, console)
    channels = [settings.channel(args.channel)] if args.channel else settings.channels
    if not channels:
        console.print("No channels configured: showing the post as a console channel would get it.")

    async def deliver() -> int:
        await app.refresh_archive()
        day: dt.date | None = args.date or app.archive.latest_date()
        if day is None:
            raise DigestNotFound("The archive is empty and the source has no digest to post.")
        digest = await app.runner.digest_for(day)
        if digest is None:
            raise DigestNotFound(f"No digest for {day.isoformat()} in the archive or the source.")
        if args.dry_run or not channels:
            every = [c.format_options() for c in channels] or [app.command_context().options]
            for options in every:
                print_post(format_digest(digest, options), console)
            return 0
        async with app.connected():
            # All channels at once: each is paced on its own, so a fan-out takes as long as
            # one channel's thread, not the sum of them.
            outcomes = await asyncio.gather(
                *(app.engine.deliver(app.runner.target(c), digest) for c in channels)
            )
        for channel, outcome in zip(channels, outcomes, strict=True):
            console.print(f"{channel.name}: {outcome}")
        return 1 if {"failed", "abandoned"} & set(outcomes) else 0

    return asyncio.run(deliver())


def check_config(args: argparse.Namespace) -> int:
    from config import config_path, load_settings

    settings = load_settings(args.config)  # raises ConfigError listing every problem
    path = config_path(args.config)
    where = str(path) if path else "no config file (defaults)"
    print(f"OK: {where}; {len(settings.channels)} channels; source {settings.source}")
    return 0
