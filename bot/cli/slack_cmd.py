"""`digest-bot slack manifest`: the Slack app manifest to paste when creating the app."""

from __future__ import annotations

import argparse

from bot.errors import UserError
from bot.extras import import_extra


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    slack = subparsers.add_parser("slack", help="Slack app set-up")
    commands = slack.add_subparsers(dest="slack_command", metavar="COMMAND", required=True)
    manifest = commands.add_parser(
        "manifest",
        help="print the Slack app manifest",
        description="Print the app manifest: paste it at https://api.slack.com/apps → Create New "
        "App → From a manifest. It declares the slash commands, the Share button and the scopes. "
        "Without --http-url the app uses Socket Mode (no public URL; needs SLACK_APP_TOKEN).",
    )
    manifest.add_argument(
        "--http-url",
        metavar="URL",
        help="HTTP mode: the public https:// address of this bot's [http] server",
    )
    manifest.set_defaults(handler=run_manifest)


def run_manifest(args: argparse.Namespace) -> int:
    import_extra("adapters.slack.manifest", "slack", "slack manifest")
    from adapters.slack.manifest import render_manifest

    try:
        print(render_manifest(args.http_url), end="")
    except ValueError as error:
        raise UserError(str(error)) from None
    return 0
