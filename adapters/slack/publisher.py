"""Delivering a post to a Slack channel: the header, then every other message in its thread.

Replies go to the `ts` the header post returned (or the ledger recorded), never to one read back
from channel history. Every message carries metadata naming its delivery part, which is how a
retry after a lost answer, or a restart after a crash, finds a message Slack already has instead
of posting it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.client import PERMANENT_ERRORS, error_code, is_ambiguous
from adapters.slack.pacing import ChannelPacer
from adapters.slack.render import render_post
from adapters.slack.retrying import Failure, with_retries
from adapters.slack.webhook import post_to_webhook
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage, fingerprint
from bot.errors import DeliveryError
from bot.messages import Post
from bot.webhooks import is_webhook_target, webhook_problem

log = logging.getLogger(__name__)
T = TypeVar("T")

EVENT_TYPE = "daily_papers_digest_post"
SEND_ATTEMPTS = 5
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
HISTORY_LOOKBACK = 100  # the header was posted moments (or one restart) ago


def metadata(key: DeliveryKey, index: int) -> dict[str, Any]:
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {
            "channel": key.channel,
            "date": key.day.isoformat(),
            "part": key.part(index),
        },
    }


def _part_of(message: dict[str, Any]) -> str | None:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != EVENT_TYPE:
        return None
    part = (meta.get("event_payload") or {}).get("part")
    return str(part) if part else None


def _classify(error: Exception, channel: str) -> Failure:
    """What went wrong, and whether the message may have been posted anyway, for a retry.

    Raises `DeliveryError` for what retrying cannot fix, and re-raises what is not Slack's.
    """
    if isinstance(error, SlackApiError):
        code = error_code(error)
        if code in PERMANENT_ERRORS:
            raise DeliveryError(
                f"Slack channel {channel}: {code}: {PERMANENT_ERRORS[code]}", permanent=True
            ) from None
        if is_ambiguous(error) or code == "ratelimited":
            return Failure(code, maybe_done=is_ambiguous(error))
        raise DeliveryError(f"Slack channel {channel}: {code}") from None
    if is_ambiguous(error):
        return Failure(type(error).__name__, maybe_done=True)
    raise error


class SlackPublisher:
    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        pacer: ChannelPacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff_first: float = BACKOFF_FIRST,
    ) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()
        self._sleep = sleep
        self._backoff_first = backoff_first

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
        if is_webhook_target(target):
            problem = webhook_problem("slack", target)
            if problem is not None:  # the config check refuses it; an env variable may not be
                raise DeliveryError(
                    f"Slack webhook of channel {key.channel}: {problem}", permanent=True
                )
            await post_to_webhook(
                target,
                payloads,
                key=key,
                already_sent=already_sent,
                record=record,
                sleep=self._sleep,
                backoff_first=self._backoff_first,
                pacer=self.pacer,
            )
            return
        done = {message.index: message for message in already_sent}
        if key.attempt > 1:
            await self._recover(target, key, payloads, done, record)
        thread_ts = done[0].message_id if 0 in done else None
        for index, payload in enumerate(payloads):
            if index in done:
                continue
            ts = await self._send(target, key, index, payload, thread_ts)
            thread_ts = thread_ts or ts
            sent = SentMessage(index=index, message_id=ts, thread_id=thread_ts)
            done[index] = sent
            await record(sent)

    def fingerprints(self, target: str, post: Post) -> list[str]:
        return [fingerprint(payload) for payload in render_post(post)]

    def can_edit(self, target: str) -> bool:
        return not is_webhook_target(target)  # webhook posts stay as they are

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        """`chat.update` each message in place; its metadata and thread stay as they were."""
        payloads = render_post(post)
        for message in messages:
            if message.index >= len(payloads):
                continue
            await self._update(target, key, message, payloads[message.index])

    async def _update(
        self, channel: str, key: DeliveryKey, message: SentMessage, payload: dict[str, Any]
    ) -> None:
        async def attempt() -> None:
            await self.client.chat_update(
                channel=channel,
                ts=message.message_id,
                metadata=metadata(key, message.index),
                **payload,
            )

        def failed(failure: Failure, attempt: int) -> None:
            log.warning(
                "slack channel=%s part=%s: update failed: %s (attempt %d of %d)",
                channel,
                key.part(message.index),
                failure.reason,
                attempt,
                SEND_ATTEMPTS,
            )

        await self._retry(channel, attempt, failed, "gave up updating")  # a repeat is the same edit

    async def _send(
        self,
        channel: str,
        key: DeliveryKey,
        index: int,
        payload: dict[str, Any],
        thread_ts: str | None,
    ) -> str:
        """Post one message and return its ts; look for it before each resend."""
        part = key.part(index)

        async def attempt() -> str:
            response = await self.client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata(key, index),
                **payload,
            )
            return str(response["ts"])

        def failed(failure: Failure, attempt: int) -> None:
            log.warning(
                "slack channel=%s part=%s: %s (attempt %d of %d)",
                channel,
                part,
                failure.reason,
                attempt,
                SEND_ATTEMPTS,
            )

        async def posted_after_all(failure: Failure) -> str | None:
            if not failure.maybe_done:
                return None
            found = await self._find(channel, key, thread_ts)
            if part not in found:
                return None
            log.info("slack channel=%s part=%s: posted after all", channel, part)
            return found[part]

        return await self._retry(channel, attempt, failed, "gave up", posted_after_all)

    async def _retry(
        self,
        channel: str,
        call: Callable[[], Awaitable[T]],
        failed: Callable[[Failure, int], None],
        gave_up: str,
        recheck: Callable[[Failure], Awaitable[T | None]] | None = None,
    ) -> T:
        """`call`, paced per channel and retried with backoff; `gave_up` words the final error."""

        async def attempt() -> T:
            await self.pacer.wait(channel)
            try:
                return await call()
            finally:
                self.pacer.answered(channel)

        return await with_retries(
            attempt,
            classify=lambda error: _classify(error, channel),
            attempts=SEND_ATTEMPTS,
            sleep=self._sleep,
            backoff_first=self._backoff_first,
            backoff_max=BACKOFF_MAX,
            on_failure=failed,
            give_up=lambda failure: DeliveryError(
                f"Slack channel {channel}: {gave_up} after {SEND_ATTEMPTS} attempts"
                f" ({failure.reason})"
            ),
            recheck=recheck,
        )

    async def _recover(
        self,
        channel: str,
        key: DeliveryKey,
        payloads: list[dict[str, Any]],
        done: dict[int, SentMessage],
        record: RecordSent,
    ) -> None:
        """Record what an earlier attempt posted but did not live to record."""
        thread_ts = done[0].message_id if 0 in done else None
        found = await self._find(channel, key, None) if thread_ts is None else {}
        if thread_ts is None and key.part(0) in found:
            thread_ts = found[key.part(0)]
            done[0] = SentMessage(index=0, message_id=thread_ts, thread_id=thread_ts)
            await record(done[0])
        if thread_ts is None:
            return
        found = await self._find(channel, key, thread_ts)
        for index in range(1, len(payloads)):
            ts = found.get(key.part(index))
            if index not in done and ts is not None:
                done[index] = SentMessage(index=index, message_id=ts, thread_id=thread_ts)
                await record(done[index])
        log.info(
            "slack channel=%s date=%s: resuming attempt %d with %d of %d messages already posted",
            channel,
            key.day,
            key.attempt,
            len(done),
            len(payloads),
        )

    async def _find(self, channel: str, key: DeliveryKey, thread_ts: str | None) -> dict[str, str]:
        """Our parts already in the channel (top level) or in the thread: part → ts."""
        try:
            if thread_ts is None:
                response = await self.client.conversations_history(
                    channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
                )
            else:
                response = await self.client.conversations_replies(
                    channel=channel, ts=thread_ts, limit=1000, include_all_metadata=True
                )
        except Exception as error:  # looking is best effort: without it a resend may repeat
            log.warning(
                "slack channel=%s: cannot check what was already posted (%s); "
                "grant channels:history to rule out a repeated message",
                channel,
                error_code(error) if isinstance(error, SlackApiError) else type(error).__name__,
            )
            return {}
        prefix = key.part(0).rsplit(":", 1)[0] + ":"
        return {
            part: str(message["ts"])
            for message in response.get("messages") or []
            if (part := _part_of(message)) and part.startswith(prefix)
        }
