"""Direct messages to Discord users: the keyword alerts of `/paper-alert`.

Through the bot's gateway client: `fetch_user` (GET /users/{id}), `create_dm` (POST
/users/@me/channels, answered with the same DM channel every time) and `send`. A user who
allows no DMs from server members makes Discord refuse the message (code 50007).
"""

from __future__ import annotations

import logging

import discord

from adapters.discord.errors import delivery_error
from adapters.discord.render import NO_MENTIONS, render_message
from bot.errors import DeliveryError
from bot.messages import Message

log = logging.getLogger(__name__)

# Discord's answers that mean this user gets no DM from the bot, whatever the retries.
REFUSED: dict[int, str] = {
    10013: "no such user",
    50007: "the user accepts no direct messages from the bot (their privacy settings)",
}


class DiscordDirectMessenger:
    """Sends a neutral `Message` to one Discord user; `client` is set while the bot is connected."""

    platform = "discord"

    def __init__(self, client: discord.Client | None = None) -> None:
        self.client = client

    async def send_direct(self, user_id: str, message: Message) -> None:
        where = f"Discord DM to user {user_id}"
        client = self.client
        if client is None:
            raise DeliveryError(f"{where}: the bot is not connected to Discord")
        if not user_id.isdigit():
            raise DeliveryError(f"{where}: not a Discord user id", permanent=True)
        try:
            user = await client.fetch_user(int(user_id))
            channel = await user.create_dm()
            for payload in render_message(message):
                await channel.send(
                    content=payload.content or None,
                    embeds=payload.embeds,
                    allowed_mentions=NO_MENTIONS,
                )
        except Exception as error:
            if isinstance(error, discord.HTTPException) and error.code in REFUSED:
                raise DeliveryError(f"{where}: {REFUSED[error.code]}", permanent=True) from None
            found = delivery_error(error, where)
            if found is None:  # not Discord's nor the network's doing: a bug, with its traceback
                raise
            raise found from None
        log.debug("discord: alert DM sent to user %s", user_id)
