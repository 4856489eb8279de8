"""Webhook mode: a channel with only an incoming-webhook URL gets the digest, once."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.slack.client import make_web_client
from adapters.slack.pacing import ChannelPacer
from adapters.slack.publisher import SlackPublisher
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.errors import DeliveryError
from bot.formatter import FormatOptions, format_digest
from bot.ingest import SAMPLE_ARCHIVE_DIR
from bot.parser import parse_file
from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import DEFAULT_CHANNEL, FakeSlackAPI

KEY = DeliveryKey("hooked", dt.date(2025, 1, 9))
HOOK = "T0FAKETEAM/B0HOOK/secret-part-of-the-url"


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(webhooks={HOOK: DEFAULT_CHANNEL}) as server:
        yield server


async def publish(api: FakeSlackAPI, url: str, sent: list[SentMessage]) -> None:
    async def record(message: SentMessage) -> None:
        sent.append(message)

    # No bot token at all: a webhook needs none.
    publisher = SlackPublisher(
        make_web_client(None, api.base_url), pacer=ChannelPacer(0), sleep=ManualClock().sleep
    )
    post = format_digest(
        parse_file(SAMPLE_ARCHIVE_DIR / "2025-01-09.md"), FormatOptions(mode="single")
    )
    await publisher.publish(url, post, key=KEY, already_sent=[], record=record)


async def test_a_webhook_channel_gets_the_digest_as_one_message(api: FakeSlackAPI) -> None:
    sent: list[SentMessage] = []
    await publish(api, api.webhook_url(HOOK), sent)
    [message] = api.webhook_messages(HOOK)
    assert "rStar-Math" in str(message.blocks)
    assert message.params["unfurl_links"] is False
    assert [s.index for s in sent] == [0]


async def test_server_errors_and_rate_limits_are_retried_without_a_repeat(
    api: FakeSlackAPI,
) -> None:
    api.fail_next("webhook", 500)
    api.fail_next("webhook", 429, retry_after=1)
    sent: list[SentMessage] = []
    await publish(api, api.webhook_url(HOOK), sent)
    assert len(api.webhook_messages(HOOK)) == 1
    assert [c.status for c in api.calls_to("webhook")] == [500, 429, 200]


async def test_a_dead_webhook_is_permanent_and_its_url_stays_secret(
    api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters")
    url = api.webhook_url("T0FAKETEAM/B0GONE/another-secret")
    with pytest.raises(DeliveryError) as raised:
        await publish(api, url, [])
    assert raised.value.permanent
    assert "no_service" in str(raised.value)
    assert "hooked" in str(raised.value)
    assert "secret" not in str(raised.value)
    assert "secret" not in caplog.text


async def test_the_parts_of_a_split_post_are_paced_one_a_second_per_webhook() -> None:
    clock = ManualClock()
    async with FakeSlackAPI(webhooks={HOOK: DEFAULT_CHANNEL}, clock=clock.monotonic) as api:
        publisher = SlackPublisher(
            make_web_client(None, api.base_url),
            pacer=ChannelPacer(clock=clock.monotonic, sleep=clock.sleep),
            sleep=clock.sleep,
        )
        post = format_digest(
            parse_file(SAMPLE_ARCHIVE_DIR / "2025-01-09.md"), FormatOptions(mode="thread")
        )
        sent: list[SentMessage] = []

        async def record(message: SentMessage) -> None:
            sent.append(message)

        await publisher.publish(
            api.webhook_url(HOOK), post, key=KEY, already_sent=[], record=record
        )
        times = [call.time for call in api.calls_to("webhook")]

    assert len(times) == len(sent) > 2
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(times))


@pytest.mark.parametrize(
    "target",
    [
        "hooks.slack.com/services/T0FAKETEAM/B0HOOK/secret-part-of-the-url",  # no scheme
        "http://hooks.slack.com/services/T0FAKETEAM/B0HOOK/secret-part-of-the-url",
        "https://example.org/services/T0FAKETEAM/B0HOOK/secret-part-of-the-url",
    ],
)
async def test_a_url_that_is_no_slack_webhook_is_refused_and_never_sent_anywhere(
    api: FakeSlackAPI, target: str
) -> None:
    with pytest.raises(DeliveryError) as raised:
        await publish(api, target, [])
    assert raised.value.permanent
    assert "secret-part" not in str(raised.value)
    assert api.calls == []  # not taken for a channel id and posted with chat.postMessage
