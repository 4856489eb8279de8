"""`digest-bot run | post | check-config`: the running bot and its configuration."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from bot.cli.common import parse_date
from bot.errors import DigestNotFound

if TYPE_CHECKING:
    from bot.channels import ChannelConfig
    from bot.models import Digest


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
    from bot.app.main import build_app
    from config import load_settings

    settings = load_settings(args.config)
    if not args.verbose and settings.channels:
        # A configured bot is a service: its own INFO lines (deliveries, next runs) are its log.
        # The embedded default is a person at the console: only what went wrong is logged.
        logging.getLogger().setLevel(logging.INFO)
    app = build_app(settings, Console())
    return asyncio.run(app.run(sys.stdin))


def post_now(args: argparse.Namespace) -> int:
    from adapters.console.render import print_post
    from bot.app.main import build_app
    from bot.formatter import format_digest
    from config import load_settings

    settings = load_settings(args.config)
    console = Console()
    app = build_app(settings, console)
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
            if not channels:
                print_post(format_digest(digest, app.command_context().options), console)
            for channel in channels:  # several posts in a row: say which channel each is for
                label = Text(f"channel {channel.name} ({channel.platform})")  # not markup
                console.rule(label, style="none")
                print_post(format_digest(digest, channel.format_options()), console)
            return 0
        # No [http] server: `post` answers nothing, and a running bot may hold the port. No
        # retry either: a platform that cannot connect fails its channels now, with its reason.
        async with app.connected(serve_http=False, retry_every=None):
            # All channels at once: each is paced on its own, so a fan-out takes as long as
            # one channel's thread, not the sum of them.
            outcomes = await asyncio.gather(*(deliver_to(channel, digest) for channel in channels))
        for channel, outcome in zip(channels, outcomes, strict=True):
            console.print(
                f"{channel.name}: {outcome}", markup=False, highlight=False, soft_wrap=True
            )
        return 1 if any(o.startswith(("failed", "abandoned")) for o in outcomes) else 0

    async def deliver_to(channel: ChannelConfig, digest: Digest) -> str:
        down = app.down.get(channel.platform)
        if down is not None and not channel.is_webhook:
            return f"failed: {down}"  # the ledger is untouched: nothing was attempted
        # As a scheduled run delivers: the keyword alerts hear of the day too.
        return await app.runner.deliver_day(channel, digest)

    return asyncio.run(deliver())


def check_config(args: argparse.Namespace) -> int:
    from bot.cli.config_checks import environment_problems
    from bot.errors import ConfigError
    from config import config_path
    from config.settings import check_settings

    # Every problem in one round: the file's, the environment's, and what `run` would meet.
    settings, problems = check_settings(args.config)
    if settings is not None:
        problems += environment_problems(settings)
    if problems or settings is None:
        raise ConfigError(problems)
    path = config_path(args.config)
    where = str(path) if path else "no config file (defaults)"
    from bot.redaction import redact  # the source may be a URL with a password or a token

    print(redact(f"OK: {where}; {len(settings.channels)} channels; source {settings.source}"))
    return 0
