"""Delivering a post to Discord: through the bot (a channel id) or through a webhook URL.

Bot mode sends the header, starts a public thread from it and posts the papers in that thread.
Every message carries a nonce derived from its delivery part, with `enforce_nonce`, so Discord
answers a resend (discord.py's retry after a lost answer, or a restart minutes later) with the
message it already has instead of posting it twice. discord.py waits out 429s and retries 5xx
itself; what is left over becomes a `DeliveryError`. A webhook URL is a secret: errors and logs
name the configured channel instead, and never the token or the URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final

import aiohttp
import discord
from discord.http import HTTPClient, handle_message_parameters

from adapters.discord.markdown import shorten
from adapters.discord.render import NO_MENTIONS, DiscordPayload, render_post
from bot.channels import ChannelConfig
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage, fingerprint
from bot.errors import DeliveryError
from bot.messages import Post
from bot.redaction import REDACTING_FILTER
from bot.webhooks import is_webhook_target, webhook_problem

log = logging.getLogger(__name__)

THREAD_NAME_MAX = 100
THREAD_ARCHIVE_MINUTES: Final = 10080  # a week: readers come back to a day's papers for a while
NONCE_BYTES = 12  # 24 hex digits: Discord takes nonces of at most 25 characters
ALREADY_THREADED = 160004  # "A thread has already been created for this message"
_PERMISSIONS = (
    "View Channel, Send Messages, Embed Links, Create Public Threads and Send Messages in Threads"
)
# Discord's error codes that no retry fixes, with what the user should do about them.
_PERMANENT: dict[int, str] = {
    10003: "no such channel; check the channel id in the config",
    10008: "the digest's header message was deleted",
    10015: "the webhook no longer exists; create a new one and update the config",
    50001: f"the bot cannot see this channel; invite it (digest-bot discord invite) and allow "
    f"{_PERMISSIONS}",
    50013: f"the bot lacks a permission here; allow {_PERMISSIONS}",
    50027: "the webhook token is wrong; copy the webhook URL again",
}


def hide_webhook_tokens() -> None:
    """Mask secrets at the discord.py loggers that print request URLs (idempotent).

    discord.py logs every webhook request's URL at DEBUG, and a webhook's token is as good as
    its URL. The command line's handlers all redact; this covers a handler added after them.
    """
    for name in ("discord.webhook.async_", "discord.http"):
        logger = logging.getLogger(name)
        if REDACTING_FILTER not in logger.filters:
            logger.addFilter(REDACTING_FILTER)


def nonce(key: DeliveryKey, index: int) -> str:
    """The message nonce of one delivery part: the same on every retry and after a restart."""
    return hashlib.blake2b(key.part(index).encode(), digest_size=NONCE_BYTES).hexdigest()


def thread_name(post: Post, key: DeliveryKey) -> str:
    """The thread's name: the header's title (e.g. "Daily Papers 2025-01-09"), ≤100 characters."""
    header = post.messages[0] if post.messages else None
    title = header.cards[0].title if header is not None and header.cards else ""
    return shorten(" ".join(title.split()), THREAD_NAME_MAX) or f"Daily Papers {key.day}"


def delivery_error(error: Exception, where: str) -> DeliveryError | None:
    """A `DeliveryError` for what Discord or the network did; None for anything else (a bug)."""
    if isinstance(error, discord.RateLimited):  # only when a wait exceeds discord.py's limit
        return DeliveryError(f"{where}: rate limited for {error.retry_after:.0f} s")
    if isinstance(error, discord.HTTPException):
        status, code = error.status, error.code
        if status >= 500:
            return DeliveryError(f"{where}: Discord answered HTTP {status} after retries")
        if status == 401 and code == 0:
            hint = "Discord refused DISCORD_BOT_TOKEN; reset the token in the Developer Portal"
        else:
            hint = _PERMANENT.get(code) or error.text or "Discord refused the message"
        # Every other 4xx is the same on the next attempt: a config change is needed (or a fix).
        return DeliveryError(f"{where}: {hint} (HTTP {status}, code {code})", permanent=True)
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        # The type only: aiohttp's text for some errors holds the URL, i.e. a webhook's token.
        return DeliveryError(f"{where}: cannot reach Discord ({type(error).__name__})")
    return None


@contextlib.asynccontextmanager
async def _as_delivery_errors(where: str) -> AsyncIterator[None]:
    """What Discord or the network raised, as a logged `DeliveryError`; a bug stays a bug."""
    try:
        yield
    except DeliveryError as error:
        log.warning("discord: %s", error)
        raise
    except Exception as error:
        failure = delivery_error(error, where)
        if failure is None:
            raise
        log.warning("discord: %s", failure)
        raise failure from None  # the cause may quote a webhook URL


class DiscordPublisher:
    """Sends posts to Discord channels by id (the bot's `http`) or by webhook URL (`session`).

    `channels` maps configured channel names (`DeliveryKey.channel`) to their config, for the
    webhook's username, avatar and forum thread name. The adapter fills in `http` once the bot
    has logged in and `session` when it starts.
    """

    platform = "discord"

    def __init__(
        self,
        http: HTTPClient | None = None,
        session: aiohttp.ClientSession | None = None,
        channels: Mapping[str, ChannelConfig] | None = None,
    ) -> None:
        self.http = http
        self.session = session
        self.channels: Mapping[str, ChannelConfig] = channels or {}
        hide_webhook_tokens()

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        payloads = render_post(post)
        done = {message.index: message for message in already_sent}
        webhook = is_webhook_target(target)
        where = f"Discord channel {key.channel}" + ("" if webhook else f" ({target})")
        async with _as_delivery_errors(where):
            if webhook:
                await self._via_webhook(target, payloads, key, done, record, where)
            else:
                await self._via_bot(target, post, payloads, key, done, record, where)

    def fingerprints(self, target: str, post: Post) -> list[str]:
        return [fingerprint(payload.to_json()) for payload in render_post(post)]

    def can_edit(self, target: str) -> bool:
        return True  # bots edit their messages, webhooks the ones they sent

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        """Edit each message in place: the header in the channel, papers in their thread."""
        payloads = render_post(post)
        webhook = is_webhook_target(target)
        where = f"Discord channel {key.channel}" + ("" if webhook else f" ({target})")
        async with _as_delivery_errors(where):
            for message in messages:
                if message.index >= len(payloads):
                    continue
                payload = payloads[message.index]
                if webhook:
                    await self._edit_via_webhook(target, message, payload, where)
                else:
                    await self._edit_via_bot(target, message, payload, where)

    async def _edit_via_bot(
        self, target: str, message: SentMessage, payload: DiscordPayload, where: str
    ) -> None:
        if self.http is None:
            raise DeliveryError(f"{where}: a channel id needs DISCORD_BOT_TOKEN", permanent=True)
        # The header sits in the channel; in thread mode the papers sit in the header's thread.
        in_thread = message.index > 0 and message.thread_id is not None
        channel_id = int(message.thread_id) if in_thread and message.thread_id else int(target)
        with handle_message_parameters(
            content=payload.content, embeds=payload.embeds, allowed_mentions=NO_MENTIONS
        ) as params:
            await self.http.edit_message(channel_id, int(message.message_id), params=params)

    async def _edit_via_webhook(
        self, url: str, message: SentMessage, payload: DiscordPayload, where: str
    ) -> None:
        if self.session is None:
            raise DeliveryError(f"{where}: the Discord adapter is not started")
        webhook = discord.Webhook.from_url(url, session=self.session)
        where_to: dict[str, Any] = {}
        if message.thread_id is not None:  # a forum post's messages live in its thread
            where_to["thread"] = discord.Object(int(message.thread_id))
        await webhook.edit_message(
            int(message.message_id),
            content=payload.content,
            embeds=payload.embeds,
            allowed_mentions=NO_MENTIONS,
            **where_to,
        )

    async def _via_bot(
        self,
        target: str,
        post: Post,
        payloads: list[DiscordPayload],
        key: DeliveryKey,
        done: dict[int, SentMessage],
        record: RecordSent,
        where: str,
    ) -> None:
        if not target.isdigit():
            raise DeliveryError(
                f"{where}: the target is neither a channel id (digits) nor a webhook URL",
                permanent=True,
            )
        if self.http is None:
            raise DeliveryError(
                f"{where}: a channel id needs DISCORD_BOT_TOKEN (or use a webhook URL)",
                permanent=True,
            )
        http, channel_id = self.http, int(target)
        threaded = post.mode == "thread" and len(payloads) > 1
        thread_id = done[0].thread_id if 0 in done else None
        for index, payload in enumerate(payloads):
            if index in done:
                continue
            destination = channel_id
            if threaded and index > 0:
                if thread_id is None:  # the header was recorded before its thread existed
                    header = done[0].message_id
                    thread_id = await self._start_thread(http, channel_id, header, post, key)
                destination = int(thread_id)
            message_id = await _send(http, destination, payload, nonce(key, index))
            if threaded and index == 0:
                # Recorded with its thread, so a resume never has to look the thread up.
                thread_id = await self._start_thread(http, channel_id, message_id, post, key)
            done[index] = SentMessage(index, message_id, thread_id if threaded else None)
            await record(done[index])

    async def _start_thread(
        self, http: HTTPClient, channel_id: int, message_id: str, post: Post, key: DeliveryKey
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

    async def _via_webhook(
        self,
        url: str,
        payloads: list[DiscordPayload],
        key: DeliveryKey,
        done: dict[int, SentMessage],
        record: RecordSent,
        where: str,
    ) -> None:
        problem = webhook_problem("discord", url)
        if problem is not None:  # the config check refuses it; an env variable may not be
            raise DeliveryError(f"{where}: {problem}", permanent=True)
        if self.session is None:
            raise DeliveryError(f"{where}: the Discord adapter is not started")
        webhook = discord.Webhook.from_url(url, session=self.session)
        config = self.channels.get(key.channel)  # a weekly post too: its channel's looks
        looks: dict[str, Any] = {}
        if config is not None and config.webhook_username:
            looks["username"] = config.webhook_username
        if config is not None and config.webhook_avatar_url:
            looks["avatar_url"] = config.webhook_avatar_url
        # In a forum channel the first message opens a post (a thread); the rest go in it.
        thread_id = done[0].thread_id if 0 in done else None
        forum_thread = config.thread_name if config is not None else None
        for index, payload in enumerate(payloads):
            if index in done:
                continue
            where_to: dict[str, Any] = {}
            if thread_id is not None:
                where_to["thread"] = discord.Object(int(thread_id))
            elif forum_thread:
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
            done[index] = SentMessage(index, str(message.id), thread_id)
            await record(done[index])


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
