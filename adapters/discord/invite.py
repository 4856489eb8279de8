"""The link that adds the bot to a server, asking for exactly the permissions it uses."""

from __future__ import annotations

import asyncio

import discord
from discord.http import HTTPClient

SCOPES = ("bot", "applications.commands")  # post as the bot; register slash commands
# Post the digest and its embeds, start a thread from the header and post the papers in it.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    create_public_threads=True,
    send_messages_in_threads=True,
)


def invite_url(application_id: int | str) -> str:
    """The OAuth2 URL a server admin opens to add the bot with its commands."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


async def fetch_application_id(token: str) -> int:
    """The id of the application the bot token belongs to (GET /oauth2/applications/@me).

    Raises `discord.LoginFailure` when Discord refuses the token.
    """
    http = HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        application = await http.application_info()
    finally:
        await http.close()
    return int(application["id"])
