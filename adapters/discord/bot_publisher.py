"""Bot mode: a post sent by the bot to a channel id, its papers in a thread started from the header.

Every message carries a nonce derived from its delivery part, with `enforce_nonce`, so Discord
answers a resend (discord.py's retry after a lost answer, or a restart minutes later) with the
message it already has instead of posting it twice. A resume picks up after the last recorded
part, in the thread recorded with the header.
"""

from __future__ import annotations

import hashlib
from typing import Final

import discord
from discord.http import HTTPClient, handle_message_parameters

from adapters.discord.markdown import shorten
from adapters.discord.render import NO_MENTIONS, DiscordPayload
from adapters.discord.sending import Sending
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.errors import DeliveryError
from bot.messages import Post

THREAD_NAME_MAX = 100
THREAD_ARCHIVE_MINUTES: Final = 10080  # a week: readers come back to a day's papers for a while
NONCE_BYTES = 12  # 24 hex digits: Discord takes nonces of at most 25 characters
ALREADY_THREADED = 160004  # "A thread has already been created for this message"


def nonce(key: DeliveryKey, index: int) -> str:
    """The message nonce of one delivery part: the same on every retry and after a restart."""
    return hashlib.blake2b(key.part(index).encode(), digest_size=NONCE_BYTES).hexdigest()


def thread_name(post: Post, key: DeliveryKey) -> str:
    """The thread's name: the header's title (e.g. "Daily Papers 2025-01-09"), ≤100 characters."""
    header = post.messages[0] if post.messages else None
    title = header.cards[0].title if header is not None and header.cards else ""
    return shorten(" ".join(title.split()), THREAD_NAME_MAX) or f"Daily Papers {key.day}"


class BotPublisher:
    """Sends and edits a post's messages through the bot's `http`, set once it has logged in."""

    def __init__(self, http: HTTPClient | None = None) -> None:
        self.http = http

    def _logged_in(self, where: str, hint: str = "") -> HTTPClient:
        if self.http is None:
            raise DeliveryError(
                f"{where}: a channel id needs DISCORD_BOT_TOKEN{hint}", permanent=True
            )
        return self.http

    async def send(self, sending: Sending) -> None:
        target, post, key, where = sending.target, sending.post, sending.key, sending.where
        if not target.isdigit():
            raise DeliveryError(
                f"{where}: the target is neither a channel id (digits) nor a webhook URL",
                permanent=True,
            )
        http, channel_id = self._logged_in(where, " (or use a webhook URL)"), int(target)
        threaded = post.mode == "thread" and len(sending.payloads) > 1
        thread_id = sending.header_thread
        for index, payload in sending.pending():
            destination = channel_id
            if threaded and index > 0:
                if thread_id is None:  # the header was recorded before its thread existed
                    header = sending.done[0].message_id
                    thread_id = await _start_thread(http, channel_id, header, post, key)
                destination = int(thread_id)
            message_id = await _send(http, destination, payload, nonce(key, index))
            if threaded and index == 0:
                # Recorded with its thread, so a resume never has to look the thread up.
                thread_id = await _start_thread(http, channel_id, message_id, post, key)
            await sending.sent(SentMessage(index, message_id, thread_id if threaded else None))

    async def edit(
        self, target: str, message: SentMessage, payload: DiscordPayload, where: str
    ) -> None:
        http = self._logged_in(where)
        # The header sits in the channel; in thread mode the papers sit in the header's thread.
        in_thread = message.index > 0 and message.thread_id is not None
        channel_id = int(message.thread_id) if in_thread and message.thread_id else int(target)
        with handle_message_parameters(
            content=payload.content, embeds=payload.embeds, allowed_mentions=NO_MENTIONS
        ) as params:
            await http.edit_message(channel_id, int(message.message_id), params=params)


async def _start_thread(
    http: HTTPClient, channel_id: int, message_id: str, post: Post, key: DeliveryKey
) -> str:
    try:
        thread = await http.start_thread_with_message(
            channel_id,
            message_id,
            name=thread_name(post, key),
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
    except discord.HTTPException as error:
        if error.code == ALREADY_THREADED:  # created before a lost answer or a crash
            return message_id  # a thread started from a message has the message's id
        raise
    return str(thread["id"])


async def _send(http: HTTPClient, channel_id: int, payload: DiscordPayload, once: str) -> str:
    """Post one message; a resend with the same nonce returns the message Discord already has."""
    with handle_message_parameters(
        content=payload.content,
        embeds=payload.embeds,
        allowed_mentions=NO_MENTIONS,
        nonce=once,  # discord.py adds enforce_nonce=True with it
    ) as params:
        message = await http.send_message(channel_id, params=params)
    return str(message["id"])
