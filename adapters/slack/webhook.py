"""Delivering through an incoming webhook, for teams that cannot install an app.

Webhooks cannot thread and cannot read the channel back, so each message is sent once in order,
paced like a bot's (Slack allows a webhook about one message a second too); a 429 is waited out
(slack_sdk's handler) and a 5xx answer (nothing was posted) retried with backoff. The URL is a
secret: it never appears in a log line or an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.client import RATE_LIMIT_RETRIES, REQUEST_TIMEOUT, is_ambiguous, proxy_for
from adapters.slack.pacing import ChannelPacer
from adapters.slack.retrying import Failure, Retry, with_retries
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage
from bot.errors import DeliveryError

log = logging.getLogger(__name__)

WEBHOOK_ATTEMPTS = 4
# What Slack answers when the webhook itself is unusable; sending again cannot help.
PERMANENT_WEBHOOK_ERRORS: dict[str, str] = {
    "no_service": "the webhook was removed or its URL is wrong",
    "invalid_token": "the webhook URL is wrong",
    "channel_not_found": "the webhook's channel no longer exists",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "a workspace administrator blocked this webhook",
    "team_disabled": "the workspace is disabled",
    "posting_to_general_channel_denied": "only admins may post to this channel",
}


async def post_to_webhook(
    url: str,
    payloads: list[dict[str, Any]],
    *,
    key: DeliveryKey,
    already_sent: Sequence[SentMessage],
    record: RecordSent,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    backoff_first: float = 1.0,
    pacer: ChannelPacer | None = None,
) -> None:
    """Send the payloads not yet sent, one by one; `pacer` spaces them per webhook URL."""
    pacer = pacer or ChannelPacer()
    client = AsyncWebhookClient(
        url,
        timeout=REQUEST_TIMEOUT,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )
    client.proxy = proxy_for(url)  # slack_sdk would take the environment's proxy for any host
    done = {message.index for message in already_sent}
    for index, payload in enumerate(payloads):
        if index in done:
            continue
        body = {**payload, "unfurl_links": False, "unfurl_media": False}
        await with_retries(
            partial(_attempt, client, pacer, url, body, key.channel),
            classify=_classify,
            attempts=WEBHOOK_ATTEMPTS,
            sleep=sleep,
            backoff_first=backoff_first,
            on_failure=partial(_log_failure, key.channel, key.part(index)),
            give_up=lambda failure: DeliveryError(
                f"Slack webhook of channel {key.channel}: {failure.reason}"
            ),
        )
        await record(SentMessage(index=index, message_id=key.part(index)))


async def _attempt(
    client: AsyncWebhookClient, pacer: ChannelPacer, url: str, body: dict[str, Any], channel: str
) -> None:
    await pacer.wait(url)
    try:
        problem = await _send_once(client, body, channel)
    finally:
        pacer.answered(url)
    if problem is not None:
        raise Retry(problem)


def _classify(error: Exception) -> Failure:
    """Only the reasons `_send_once` answers are retried; its `DeliveryError`s end the delivery."""
    if isinstance(error, Retry):
        return Failure(error.reason)
    raise error


def _log_failure(channel: str, part: str, failure: Failure, attempt: int) -> None:
    log.warning(
        "slack webhook channel=%s part=%s: %s (attempt %d of %d)",
        channel,
        part,
        failure.reason,
        attempt,
        WEBHOOK_ATTEMPTS,
    )


async def _send_once(client: AsyncWebhookClient, body: dict[str, Any], channel: str) -> str | None:
    """None when posted; the reason otherwise. Raises `DeliveryError` for a dead webhook."""
    try:
        response = await client.send_dict(body)
    except Exception as error:
        if not is_ambiguous(error):
            raise
        # The answer was lost: the message may be in the channel. Retrying risks a repeat, which
        # is the lesser harm next to a digest that never arrives.
        return f"connection failed ({type(error).__name__})"
    if response.status_code == 200:
        return None
    code = (response.body or "").strip()[:100] or f"http_{response.status_code}"
    if code in PERMANENT_WEBHOOK_ERRORS:
        raise DeliveryError(
            f"Slack webhook of channel {channel}: {code}: {PERMANENT_WEBHOOK_ERRORS[code]}",
            permanent=True,
        )
    if response.status_code >= 500 or response.status_code == 429:
        return code
    raise DeliveryError(f"Slack webhook of channel {channel}: {code}", permanent=True)
