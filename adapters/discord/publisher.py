"""Delivering a post to Discord: through the bot (a channel id) or through a webhook URL.

`DiscordPublisher` picks the mode by target — `bot.webhooks.is_webhook_target`, the one
definition — renders the post once and turns what Discord or the network did into a logged
`DeliveryError`. Bot mode (`bot_publisher`) threads the papers under the header and never posts
a part twice; webhook mode (`webhook_publisher`) gives the channel's looks and forum posts.
discord.py waits out 429s and retries 5xx itself; what is left over becomes a `DeliveryError`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence

import aiohttp
from discord.http import HTTPClient

from adapters.discord.bot_publisher import BotPublisher
from adapters.discord.errors import delivery_error
from adapters.discord.render import render_post
from adapters.discord.sending import Sending
from adapters.discord.webhook_publisher import WebhookPublisher
from bot.channels import ChannelConfig
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage, fingerprint
from bot.errors import DeliveryError
from bot.messages import Post
from bot.webhooks import is_webhook_target

log = logging.getLogger(__name__)


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
        self.bot = BotPublisher(http)
        self.webhook = WebhookPublisher(session, channels)

    @property
    def http(self) -> HTTPClient | None:
        return self.bot.http

    @http.setter
    def http(self, http: HTTPClient | None) -> None:
        self.bot.http = http

    @property
    def session(self) -> aiohttp.ClientSession | None:
        return self.webhook.session

    @session.setter
    def session(self, session: aiohttp.ClientSession | None) -> None:
        self.webhook.session = session

    def _mode(self, target: str, key: DeliveryKey) -> tuple[BotPublisher | WebhookPublisher, str]:
        """The mode that serves `target`, and how errors name it (never by a webhook's URL)."""
        if is_webhook_target(target):
            return self.webhook, f"Discord channel {key.channel}"
        return self.bot, f"Discord channel {key.channel} ({target})"

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        mode, where = self._mode(target, key)
        done = {message.index: message for message in already_sent}
        sending = Sending(target, post, render_post(post), key, where, done, record)
        async with _as_delivery_errors(where):
            await mode.send(sending)

    def fingerprints(self, target: str, post: Post) -> list[str]:
        return [fingerprint(payload.to_json()) for payload in render_post(post)]

    def can_edit(self, target: str) -> bool:
        return True  # bots edit their messages, webhooks the ones they sent

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        """Edit each message in place: the header in the channel, papers in their thread."""
        payloads = render_post(post)
        mode, where = self._mode(target, key)
        async with _as_delivery_errors(where):
            for message in messages:
                if message.index < len(payloads):
                    await mode.edit(target, message, payloads[message.index], where)
