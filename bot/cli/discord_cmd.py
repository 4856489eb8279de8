"""`digest-bot discord invite`: the link that adds the bot to a Discord server."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.errors import UserError
from bot.extras import import_extra


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    discord = subparsers.add_parser("discord", help="Discord bot set-up")
    commands = discord.add_subparsers(dest="discord_command", metavar="COMMAND", required=True)
    invite = commands.add_parser(
        "invite",
        help="print the link that adds the bot to a server",
        description="Print the OAuth2 link a server admin opens to add the bot, with the scopes "
        "bot and applications.commands and only the permissions it uses (view channel, send "
        "messages, embed links, create public threads, send messages in threads). Without "
        "--application-id the id is asked from Discord with DISCORD_BOT_TOKEN.",
    )
    invite.add_argument(
        "--application-id",
        metavar="ID",
        help="the application id (Developer Portal → your application → General Information)",
    )
    invite.add_argument(
        "--config",
        type=Path,
        help="TOML config, for [discord] api_base_url (default: $DIGEST_BOT_CONFIG or "
        "./digest-bot.toml)",
    )
    invite.set_defaults(handler=run_invite)


def run_invite(args: argparse.Namespace) -> int:
    import_extra("adapters.discord.invite", "discord", "discord invite")
    from adapters.discord.invite import invite_url  # composition root: the SDK loads lazily

    application_id = args.application_id
    if application_id is None:
        application_id = asyncio.run(_application_id(args.config))
    elif not str(application_id).isdigit():
        raise UserError(f"--application-id: '{application_id}' is not an id (digits only)")
    print(invite_url(application_id))
    return 0


async def _application_id(config: Path | None) -> int:
    import discord

    from adapters.discord.adapter import DEFAULT_API_BASE, use_api_base
    from adapters.discord.invite import fetch_application_id
    from config import load_settings

    settings = load_settings(config)
    token = settings.discord_bot_token
    if token is None:
        raise UserError(
            "give --application-id, or set DISCORD_BOT_TOKEN to look the application up"
        )
    base = settings.discord.api_base_url.rstrip("/")
    previous = use_api_base(base) if base != DEFAULT_API_BASE else None
    try:
        return await fetch_application_id(token.get_secret_value())
    except discord.LoginFailure:
        raise UserError(
            "DISCORD_BOT_TOKEN: Discord refused the token; copy it again from the Developer "
            "Portal (your application → Bot → Reset Token)"
        ) from None
    except (discord.HTTPException, OSError) as error:
        raise UserError(
            f"cannot ask Discord for the application id ({type(error).__name__}); "
            "give --application-id"
        ) from None
    finally:
        if previous is not None:
            use_api_base(previous)
