"""The Slack publisher against the fake Slack Web API: order, threads, retries, never twice."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.slack.client import make_web_client
from adapters.slack.pacing import ChannelPacer
from adapters.slack.publisher import EVENT_TYPE, SlackPublisher
from adapters.slack.render import render_post
from bot.delivery.publisher import DeliveryKey
from bot.errors import DeliveryError
from tests.fakes.clock import ManualClock
from tests.fakes.delivery import Recorder, sample_post
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

OUTSIDE = "C0OUTSIDE1"
DAY = dt.date(2025, 1, 9)
KEY = DeliveryKey("team", DAY)


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(
        channels=(DEFAULT_CHANNEL, OUTSIDE), member_of=(DEFAULT_CHANNEL,)
    ) as server:
        yield server


def publisher_for(api: FakeSlackAPI, token: str = FAKE_BOT_TOKEN) -> SlackPublisher:
    client = make_web_client(token, api.base_url)
    return SlackPublisher(client, pacer=ChannelPacer(0), sleep=ManualClock().sleep)


def parts_in_channel(api: FakeSlackAPI) -> list[str]:
    return [
        m.metadata["event_payload"]["part"]
        for m in api.messages(DEFAULT_CHANNEL)
        if m.metadata and m.metadata["event_type"] == EVENT_TYPE
    ]


async def test_header_then_every_paper_as_a_reply_in_its_thread(api: FakeSlackAPI) -> None:
    post = sample_post()
    payloads = render_post(post)
    record = Recorder()

    await publisher_for(api).publish(DEFAULT_CHANNEL, post, key=KEY, already_sent=[], record=record)

    header, *replies = api.messages(DEFAULT_CHANNEL)
    assert len(replies) == len(payloads) - 1 == 6
    assert header.thread_ts in (None, header.ts)
    assert header.text == payloads[0]["text"]
    assert [m.thread_ts for m in replies] == [header.ts] * len(replies)
    assert [m.text for m in replies] == [p["text"] for p in payloads[1:]]
    assert [m.blocks for m in [header, *replies]] == [p["blocks"] for p in payloads]
    for message in [header, *replies]:
        assert message.params["unfurl_links"] is False
        assert message.params["unfurl_media"] is False
        assert message.metadata is not None
        assert message.metadata["event_payload"]["channel"] == "team"
        assert message.metadata["event_payload"]["date"] == "2025-01-09"
    assert parts_in_channel(api) == [KEY.part(i) for i in range(len(payloads))]
    # Each message recorded as it went, with the thread it belongs to.
    assert [s.index for s in record.sent] == list(range(len(payloads)))
    assert [s.message_id for s in record.sent] == [m.ts for m in [header, *replies]]
    assert {s.thread_id for s in record.sent} == {header.ts}
    # Replies were threaded from the ts chat.postMessage returned, never from history.
    assert api.calls_to("conversations.history") == []


async def test_single_mode_is_one_message(api: FakeSlackAPI) -> None:
    record = Recorder()
    await publisher_for(api).publish(
        DEFAULT_CHANNEL, sample_post("single"), key=KEY, already_sent=[], record=record
    )
    assert len(api.messages(DEFAULT_CHANNEL)) == 1
    assert len(record.sent) == 1


async def test_a_resumed_delivery_sends_only_the_rest_in_the_same_thread(
    api: FakeSlackAPI,
) -> None:
    post = sample_post()
    first = Recorder(crash_at=3)
    with pytest.raises(RuntimeError):
        await publisher_for(api).publish(
            DEFAULT_CHANNEL, post, key=KEY, already_sent=[], record=first
        )
    assert len(first.sent) == 3
    # The 4th message reached Slack but the process died before recording it; the next
    # attempt finds it by its metadata instead of posting it again.
    assert len(api.messages(DEFAULT_CHANNEL)) == 4

    second = Recorder()
    resumed = DeliveryKey(KEY.channel, KEY.day, attempt=2)
    await publisher_for(api).publish(
        DEFAULT_CHANNEL, post, key=resumed, already_sent=first.sent, record=second
    )

    total = len(render_post(post))
    assert parts_in_channel(api) == [KEY.part(i) for i in range(total)]
    header = api.messages(DEFAULT_CHANNEL)[0]
    assert next(m.ts for m in api.thread(DEFAULT_CHANNEL, header.ts)) == header.ts
    assert len(api.thread(DEFAULT_CHANNEL, header.ts)) == total
    assert [s.index for s in first.sent + second.sent] == list(range(total))


async def test_a_header_posted_but_never_recorded_is_found_after_a_restart(
    api: FakeSlackAPI,
) -> None:
    post = sample_post()
    crashed = Recorder(crash_at=0)
    with pytest.raises(RuntimeError):
        await publisher_for(api).publish(
            DEFAULT_CHANNEL, post, key=KEY, already_sent=[], record=crashed
        )
    again = Recorder()
    await publisher_for(api).publish(
        DEFAULT_CHANNEL,
        post,
        key=DeliveryKey(KEY.channel, KEY.day, attempt=2),
        already_sent=[],
        record=again,
    )
    assert parts_in_channel(api) == [KEY.part(i) for i in range(len(render_post(post)))]
    assert again.sent[0].message_id == api.messages(DEFAULT_CHANNEL)[0].ts


async def test_a_lost_answer_is_looked_up_not_posted_again(api: FakeSlackAPI) -> None:
    post = sample_post()
    # The first post lands but its answer is lost, twice in a row; then a 500 and a 503.
    api.drop_response_next("chat.postMessage", count=2)
    record = Recorder()
    await publisher_for(api).publish(DEFAULT_CHANNEL, post, key=KEY, already_sent=[], record=record)
    api.fail_next("chat.postMessage", 500)
    api.fail_next("chat.postMessage", 503)
    other_day = DeliveryKey("team", dt.date(2025, 1, 10))
    await publisher_for(api).publish(
        DEFAULT_CHANNEL, post, key=other_day, already_sent=[], record=Recorder()
    )

    total = len(render_post(post))
    parts = parts_in_channel(api)
    assert parts == [KEY.part(i) for i in range(total)] + [other_day.part(i) for i in range(total)]
    # Each failed header post was looked up in the channel, the failed reply in its thread.
    assert len(api.calls_to("conversations.history")) == 3
    assert len(api.calls_to("conversations.replies")) == 1
    assert [s.index for s in record.sent] == list(range(total))


async def test_a_rate_limit_is_waited_out_and_loses_nothing(api: FakeSlackAPI) -> None:
    api.fail_next("chat.postMessage", 429, count=1, retry_after=1)
    post = sample_post("single")
    await publisher_for(api).publish(
        DEFAULT_CHANNEL, post, key=KEY, already_sent=[], record=Recorder()
    )
    assert parts_in_channel(api) == [KEY.part(0)]
    assert [c.status for c in api.calls_to("chat.postMessage")] == [429, 200]


async def test_gives_up_after_repeated_server_errors_with_a_retryable_error(
    api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_next("chat.postMessage", 500, count=50)
    with pytest.raises(DeliveryError) as raised:
        await publisher_for(api).publish(
            DEFAULT_CHANNEL, sample_post(), key=KEY, already_sent=[], record=Recorder()
        )
    assert not raised.value.permanent
    assert "gave up after 5 attempts" in str(raised.value)
    assert api.messages(DEFAULT_CHANNEL) == []
    assert len(api.calls_to("chat.postMessage")) == 5


@pytest.mark.parametrize(
    ("channel", "token", "code", "advice"),
    [
        (OUTSIDE, FAKE_BOT_TOKEN, "not_in_channel", "/invite"),
        ("C0NOSUCH01", FAKE_BOT_TOKEN, "channel_not_found", "channel id"),
        (DEFAULT_CHANNEL, "xoxb-wrong-token-123", "invalid_auth", "SLACK_BOT_TOKEN"),
    ],
)
async def test_a_channel_that_cannot_be_served_is_a_permanent_clear_error(
    api: FakeSlackAPI,
    caplog: pytest.LogCaptureFixture,
    channel: str,
    token: str,
    code: str,
    advice: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as raised:
        await publisher_for(api, token).publish(
            channel, sample_post(), key=KEY, already_sent=[], record=Recorder()
        )
    assert raised.value.permanent
    assert code in str(raised.value)
    assert advice in str(raised.value)
    assert channel in str(raised.value)
    assert len(api.calls_to("chat.postMessage")) == 1  # not retried
    assert token not in str(raised.value)
    assert token not in caplog.text


async def test_history_that_cannot_be_read_is_reported_and_posting_goes_on(
    api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    api.drop_response_next("chat.postMessage")
    api.fail_next("conversations.history", 200, error="missing_scope")
    await publisher_for(api).publish(
        DEFAULT_CHANNEL, sample_post("single"), key=KEY, already_sent=[], record=Recorder()
    )
    assert "cannot check what was already posted (missing_scope)" in caplog.text
    # Without history the resend could not be ruled out: the one case that repeats a message.
    assert parts_in_channel(api) == [KEY.part(0), KEY.part(0)]


async def test_channels_are_paced_to_one_message_a_second_each() -> None:
    clock = ManualClock(monotonic=0.0)
    pacer = ChannelPacer(1.0, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(3):
        await pacer.wait("C1")
        clock.advance(0.25)  # the answer takes a while: the second counts from it
        pacer.answered("C1")
    await pacer.wait("C2")  # another channel does not wait for C1
    assert clock.slept == [1.0, 1.0]
    assert clock.monotonic() == 2.75
