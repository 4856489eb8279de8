"""Webhook mode: a post sent through a channel's webhook URL, with the channel's own looks.

The channel's config gives the webhook's username and avatar, and in a forum channel the name of
the post (a thread) that the first message opens and the rest go in. A webhook URL is a secret:
errors and logs name the configured channel instead, and never the token or the URL.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
import discord

from adapters.discord.render import NO_MENTIONS, DiscordPayload
from adapters.discord.sending import Sending
from bot.channels import ChannelConfig
from bot.delivery.publisher import SentMessage
from bot.errors import DeliveryError
from bot.redaction import REDACTING_FILTER
from bot.webhooks import webhook_problem


def hide_webhook_tokens() -> None:
    """Mask secrets at the discord.py loggers that print request URLs (idempotent).

    discord.py logs every webhook request's URL at DEBUG, and a webhook's token is as good as
    its URL. The command line's handlers all redact; this covers a handler added after them.
    """
    for name in ("discord.webhook.async_", "discord.http"):
        logger = logging.getLogger(name)
        if REDACTING_FILTER not in logger.filters:
            logger.addFilter(REDACTING_FILTER)


def _in_thread(thread_id: str | None) -> dict[str, Any]:
    """discord.py's argument for a message in a thread (a forum post's), if it is in one."""
    return {} if thread_id is None else {"thread": discord.Object(int(thread_id))}


class WebhookPublisher:
    """Sends and edits a post's messages through `session`, set when the adapter starts.

    `channels` maps configured channel names (`DeliveryKey.channel`) to their config.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        channels: Mapping[str, ChannelConfig] | None = None,
    ) -> None:
        self.session = session
        self.channels: Mapping[str, ChannelConfig] = channels or {}
        hide_webhook_tokens()

    def _webhook(self, url: str, where: str) -> discord.Webhook:
        if self.session is None:
            raise DeliveryError(f"{where}: the Discord adapter is not started")
        return discord.Webhook.from_url(url, session=self.session)

    async def send(self, sending: Sending) -> None:
        url, where = sending.target, sending.where
        problem = webhook_problem("discord", url)
        if problem is not None:  # the config check refuses it; an env variable may not be
            raise DeliveryError(f"{where}: {problem}", permanent=True)
        webhook = self._webhook(url, where)
        config = self.channels.get(sending.key.channel)  # a weekly post too: its channel's looks
        looks: dict[str, Any] = {}
        if config is not None and config.webhook_username:
            looks["username"] = config.webhook_username
        if config is not None and config.webhook_avatar_url:
            looks["avatar_url"] = config.webhook_avatar_url
        # In a forum channel the first message opens a post (a thread); the rest go in it.
        thread_id = sending.header_thread
        forum_thread = config.thread_name if config is not None else None
        for index, payload in sending.pending():
            where_to = _in_thread(thread_id)
            if thread_id is None and forum_thread:
                where_to["thread_name"] = forum_thread
            message = await webhook.send(
                content=payload.content,
                embeds=payload.embeds,
                allowed_mentions=NO_MENTIONS,
                wait=True,
                **looks,
                **where_to,
            )
            if "thread_name" in where_to:
                thread_id = str(message.channel.id)
            await sending.sent(SentMessage(index, str(message.id), thread_id))

    async def edit(
        self, url: str, message: SentMessage, payload: DiscordPayload, where: str
    ) -> None:
        await self._webhook(url, where).edit_message(
            int(message.message_id),
            content=payload.content,
            embeds=payload.embeds,
            allowed_mentions=NO_MENTIONS,
            **_in_thread(message.thread_id),  # a forum post's messages live in its thread
        )
