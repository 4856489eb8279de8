"""The fake Slack API, driven by the real slack_sdk async clients the adapter uses."""

from __future__ import annotations

import asyncio
import json
import types
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.clock import ManualClock
from tests.fakes.slack_api import (
    BOT_USER_ID,
    DEFAULT_CHANNEL,
    FAKE_BOT_TOKEN,
    FakeChannel,
    FakeSlackAPI,
)

OTHER = "C0OTHER001"
OUTSIDE = "C0OUTSIDE1"
HUMAN = "U0HUMAN001"
DIGEST_METADATA = {
    "event_type": "digest_posted",
    "event_payload": {"digest_date": "2025-01-09", "channel": DEFAULT_CHANNEL, "part": "header"},
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def api(clock: ManualClock) -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(
        channels=(DEFAULT_CHANNEL, OTHER, OUTSIDE),
        member_of=(DEFAULT_CHANNEL, OTHER),
        clock=clock.monotonic,
    ) as server:
        yield server


def client(api: FakeSlackAPI, token: str = FAKE_BOT_TOKEN, **options: object) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=api.base_url, **options)  # type: ignore[arg-type]


async def slack_error(call: object) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_header_then_thread_replies_are_found_again_by_their_metadata(
    api: FakeSlackAPI,
) -> None:
    web = client(api)
    header = await web.chat_postMessage(
        channel=DEFAULT_CHANNEL,
        text="Daily Papers 2025-01-09",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Daily Papers*"}}],
        metadata=DIGEST_METADATA,
        unfurl_links=False,
    )
    replies = [
        await web.chat_postMessage(
            channel=DEFAULT_CHANNEL, thread_ts=header["ts"], text=f"paper {n}"
        )
        for n in range(3)
    ]

    assert header["channel"] == DEFAULT_CHANNEL
    timestamps = [header["ts"], *(reply["ts"] for reply in replies)]
    assert timestamps == sorted(timestamps, key=float)
    assert len(set(timestamps)) == 4
    assert all(len(ts.split(".")[1]) == 6 for ts in timestamps)

    # A restarted bot scans history; only top-level posts come back, newest first, with metadata.
    history = await web.conversations_history(channel=DEFAULT_CHANNEL, include_all_metadata=True)
    [found] = history["messages"]
    assert found["ts"] == header["ts"]
    assert found["metadata"] == DIGEST_METADATA
    assert found["reply_count"] == 3
    assert found["latest_reply"] == replies[-1]["ts"]
    assert found["bot_id"]
    assert found["user"] == BOT_USER_ID
    plain = await web.conversations_history(channel=DEFAULT_CHANNEL)
    assert "metadata" not in plain["messages"][0]

    thread = await web.conversations_replies(channel=DEFAULT_CHANNEL, ts=header["ts"])
    assert [m["text"] for m in thread["messages"]] == [
        "Daily Papers 2025-01-09",
        "paper 0",
        "paper 1",
        "paper 2",
    ]
    assert all(m["thread_ts"] == header["ts"] for m in thread["messages"])

    stored = api.thread(DEFAULT_CHANNEL, header["ts"])
    assert [m.text for m in stored] == ["Daily Papers 2025-01-09", "paper 0", "paper 1", "paper 2"]
    assert stored[0].blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Daily Papers*"}}
    ]
    assert stored[0].params["unfurl_links"] is False
    assert [m.ts for m in api.messages(DEFAULT_CHANNEL)] == timestamps
    assert [c.method for c in api.calls].count("chat.postMessage") == 4


async def test_form_encoded_calls_and_body_tokens_are_accepted(api: FakeSlackAPI) -> None:
    form = {
        "token": FAKE_BOT_TOKEN,
        "channel": DEFAULT_CHANNEL,
        "text": "from a form",
        "blocks": '[{"type": "divider"}]',
        "metadata": json.dumps(DIGEST_METADATA),
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(api.base_url + "chat.postMessage", data=form) as response:
            body = await response.json()
        empty = {"token": FAKE_BOT_TOKEN, "channel": DEFAULT_CHANNEL, "blocks": "[]"}
        async with session.post(api.base_url + "chat.postMessage", data=empty) as response:
            refused = await response.json()

    assert body["ok"] is True
    assert refused == {"ok": False, "error": "no_text"}
    [message] = api.messages(DEFAULT_CHANNEL)
    assert message.blocks == [{"type": "divider"}]
    assert message.metadata == DIGEST_METADATA
    assert message.params["channel"] == DEFAULT_CHANNEL
    assert "token" not in message.params


async def test_wrong_or_missing_token_is_refused(api: FakeSlackAPI) -> None:
    assert (await client(api).auth_test())["user_id"] == BOT_USER_ID

    wrong = await slack_error(
        client(api, "xoxb-revoked").chat_postMessage(channel=DEFAULT_CHANNEL, text="x")
    )
    missing = await slack_error(AsyncWebClient(base_url=api.base_url).auth_test())

    assert wrong.response["error"] == "invalid_auth"
    assert wrong.response.status_code == 200
    assert missing.response["error"] == "not_authed"
    assert api.messages(DEFAULT_CHANNEL) == []


async def test_channels_the_bot_is_not_in_or_that_do_not_exist(api: FakeSlackAPI) -> None:
    web = client(api)
    outside = await slack_error(web.chat_postMessage(channel=OUTSIDE, text="x"))
    unknown = await slack_error(web.chat_postMessage(channel="C0NOWHERE1", text="x"))
    info = await web.conversations_info(channel=OUTSIDE)

    assert outside.response["error"] == "not_in_channel"
    assert unknown.response["error"] == "channel_not_found"
    assert info["channel"]["is_member"] is False
    assert info["channel"]["name"] == "chan-c0outside1"
    assert api.calls[-1].error is None
    assert api.calls[0].error == "not_in_channel"


async def test_per_channel_rate_limit_answers_429_with_retry_after(clock: ManualClock) -> None:
    async with FakeSlackAPI(
        channels=(DEFAULT_CHANNEL, OTHER), rate_limit_per_channel=1.0, clock=clock.monotonic
    ) as api:
        web = client(api, retry_handlers=[])
        await web.chat_postMessage(channel=DEFAULT_CHANNEL, text="first")
        clock.advance(0.4)
        limited = await slack_error(web.chat_postMessage(channel=DEFAULT_CHANNEL, text="too soon"))
        await web.chat_postMessage(channel=OTHER, text="another channel has its own budget")
        clock.advance(0.6)
        await web.chat_postMessage(channel=DEFAULT_CHANNEL, text="after waiting")

        assert limited.response.status_code == 429
        assert limited.response["error"] == "ratelimited"
        assert limited.response.headers["Retry-After"] == "1"
        assert [m.text for m in api.messages(DEFAULT_CHANNEL)] == ["first", "after waiting"]
        assert [c.status for c in api.calls_to("chat.postMessage")] == [200, 429, 200, 200]


async def test_rate_limit_retry_handler_waits_and_the_message_lands_once(
    api: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk sleeps Retry-After plus random() seconds; pin the jitter so the test stays fast.
    monkeypatch.setattr(builtin_async_handlers, "random", types.SimpleNamespace(random=lambda: 0.0))
    api.fail_next("chat.postMessage", status=429, retry_after=0)
    web = client(api, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])

    sent = await web.chat_postMessage(channel=DEFAULT_CHANNEL, text="patient")

    assert [c.status for c in api.calls_to("chat.postMessage")] == [429, 200]
    assert [m.ts for m in api.messages(DEFAULT_CHANNEL)] == [sent["ts"]]


async def test_injected_server_errors_fail_or_are_retried(api: FakeSlackAPI) -> None:
    api.fail_next("chat.postMessage", status=500)
    failed = await slack_error(client(api).chat_postMessage(channel=DEFAULT_CHANNEL, text="x"))
    assert failed.response.status_code == 500
    assert api.messages(DEFAULT_CHANNEL) == []

    api.fail_next("chat.postMessage", status=503, count=2)
    retrying = client(
        api,
        retry_handlers=[AsyncServerErrorRetryHandler(3, FixedValueRetryIntervalCalculator(0.001))],
    )
    await retrying.chat_postMessage(channel=DEFAULT_CHANNEL, text="eventually")

    assert [c.status for c in api.calls_to("chat.postMessage")] == [500, 503, 503, 200]
    assert [m.text for m in api.messages(DEFAULT_CHANNEL)] == ["eventually"]


async def test_a_delayed_call_times_the_client_out_but_still_lands(api: FakeSlackAPI) -> None:
    api.delay_next("chat.postMessage", 0.3)
    impatient = client(api, timeout=0.05, retry_handlers=[])

    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel=DEFAULT_CHANNEL, text="slow")
    await api.settled()

    assert [m.text for m in api.messages(DEFAULT_CHANNEL)] == ["slow"]


async def test_a_dropped_response_stores_the_message_the_client_thinks_failed(
    api: FakeSlackAPI,
) -> None:
    api.drop_response_next("chat.postMessage")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client(api, retry_handlers=[]).chat_postMessage(
            channel=DEFAULT_CHANNEL, text="landed"
        )
    assert [m.text for m in api.messages(DEFAULT_CHANNEL)] == ["landed"]

    # slack_sdk's default handler retries connection errors, so a blind retry posts twice
    # (its default is one retry after a 0.5 s backoff; the interval is shortened here).
    api.drop_response_next("chat.postMessage")
    like_default = AsyncConnectionErrorRetryHandler(
        interval_calculator=FixedValueRetryIntervalCalculator(0.001)
    )
    await client(api, retry_handlers=[like_default]).chat_postMessage(
        channel=DEFAULT_CHANNEL, text="twice"
    )
    assert [m.text for m in api.messages(DEFAULT_CHANNEL)] == ["landed", "twice", "twice"]


async def test_incoming_webhooks(api: FakeSlackAPI) -> None:
    url = api.add_webhook("T0/B0/secret", OUTSIDE)  # webhooks need no channel membership
    hook = AsyncWebhookClient(url)

    sent = await hook.send_dict(
        {"text": "Daily Papers", "blocks": [{"type": "divider"}], "thread_ts": "1.2"}
    )
    unknown = await AsyncWebhookClient(api.webhook_url("revoked")).send(text="x")
    api.fail_next("webhook", status=500)
    broken = await hook.send(text="x")

    assert (sent.status_code, sent.body) == (200, "ok")
    assert (unknown.status_code, unknown.body) == (404, "no_service")
    assert broken.status_code == 500
    [message] = api.webhook_messages("T0/B0/secret")
    assert message.text == "Daily Papers"
    assert message.blocks == [{"type": "divider"}]
    assert message.thread_ts is None
    assert message.params["thread_ts"] == "1.2"
    assert api.messages(OUTSIDE) == [message]


async def test_webhooks_share_the_channel_rate_limit(clock: ManualClock) -> None:
    async with FakeSlackAPI(rate_limit_per_channel=1.0, clock=clock.monotonic) as api:
        hook = AsyncWebhookClient(api.add_webhook("hook", DEFAULT_CHANNEL))
        await client(api).chat_postMessage(channel=DEFAULT_CHANNEL, text="via api")
        limited = await hook.send(text="via webhook")

        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "1"
        assert len(api.messages(DEFAULT_CHANNEL)) == 1


async def test_history_pages_with_cursors_and_time_bounds(api: FakeSlackAPI) -> None:
    web = client(api)
    posted = [
        (await web.chat_postMessage(channel=DEFAULT_CHANNEL, text=f"m{n}"))["ts"] for n in range(5)
    ]

    first = await web.conversations_history(channel=DEFAULT_CHANNEL, limit=2)
    second = await web.conversations_history(
        channel=DEFAULT_CHANNEL, limit=2, cursor=first["response_metadata"]["next_cursor"]
    )
    bounded = await web.conversations_history(
        channel=DEFAULT_CHANNEL, oldest=posted[1], latest=posted[3]
    )

    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    assert [m["text"] for m in bounded["messages"]] == ["m2"]


async def test_bad_posts_are_refused_like_slack_does(api: FakeSlackAPI) -> None:
    web = client(api)
    header = await web.chat_postMessage(channel=DEFAULT_CHANNEL, text="header")
    reply = await web.chat_postMessage(
        channel=DEFAULT_CHANNEL, text="reply", thread_ts=header["ts"]
    )

    bad_posts: list[dict[str, Any]] = [
        {"text": "deep", "thread_ts": reply["ts"]},
        {"text": "lost", "thread_ts": "1.000001"},
        {"text": "x" * 40_001},
        {"text": "x", "metadata": {"event_type": "e"}},
        {"text": "x", "blocks": [{"text": "no type"}]},
    ]
    errors = [
        (await slack_error(web.chat_postMessage(channel=DEFAULT_CHANNEL, **post))).response["error"]
        for post in bad_posts
    ]

    assert errors == [
        "invalid_thread_ts",
        "invalid_thread_ts",
        "msg_too_long",
        "invalid_metadata_format",
        "invalid_blocks",
    ]
    assert len(api.messages(DEFAULT_CHANNEL)) == 2


async def test_update_ephemeral_dm_and_users(api: FakeSlackAPI) -> None:
    web = client(api)
    posted = await web.chat_postMessage(channel=f"#chan-{DEFAULT_CHANNEL.lower()}", text="draft")
    updated = await web.chat_update(
        channel=DEFAULT_CHANNEL, ts=posted["ts"], text="final", metadata=DIGEST_METADATA
    )
    human = api.add_message(DEFAULT_CHANNEL, "hello bot")
    not_ours = await slack_error(web.chat_update(channel=DEFAULT_CHANNEL, ts=human.ts, text="x"))
    ephemeral = await web.chat_postEphemeral(channel=DEFAULT_CHANNEL, user=HUMAN, text="only you")
    dm = await web.conversations_open(users=HUMAN)
    dm_again = await web.conversations_open(users=HUMAN)
    await web.chat_postMessage(channel=dm["channel"]["id"], text="hi in private")
    person = await web.users_info(user=HUMAN)

    assert updated["message"]["edited"]["user"] == BOT_USER_ID
    [draft, _] = api.messages(DEFAULT_CHANNEL)
    assert draft.text == "final"
    assert draft.metadata == DIGEST_METADATA
    assert draft.ts == posted["ts"]
    assert not_ours.response["error"] == "cant_update_message"
    assert api.ephemerals[0].ephemeral_to == HUMAN
    assert api.ephemerals[0].ts == ephemeral["message_ts"]
    assert ephemeral["message_ts"] not in [m.ts for m in api.messages(DEFAULT_CHANNEL)]
    assert dm_again["channel"]["id"] == dm["channel"]["id"]
    assert dm_again["already_open"] is True
    assert [m.text for m in api.messages(dm["channel"]["id"])] == ["hi in private"]
    assert person["user"]["name"] == "alice"
    assert person["user"]["is_bot"] is False


async def test_membership_can_change_while_running(api: FakeSlackAPI) -> None:
    api.channels[DEFAULT_CHANNEL].is_member = False  # the bot was removed from the channel
    api.channels["C0NEW00001"] = FakeChannel("C0NEW00001", "new-papers")

    removed = await slack_error(client(api).chat_postMessage(channel=DEFAULT_CHANNEL, text="x"))
    await client(api).chat_postMessage(channel="#new-papers", text="hello")

    assert removed.response["error"] == "not_in_channel"
    assert [m.text for m in api.messages("C0NEW00001")] == ["hello"]


async def test_calls_are_stamped_with_the_injected_clock(
    api: FakeSlackAPI, clock: ManualClock
) -> None:
    await client(api).auth_test()
    clock.advance(1000.0)  # from 1000.0 to 2000.0
    await client(api).conversations_info(channel=DEFAULT_CHANNEL)

    assert [(c.method, c.time) for c in api.calls] == [
        ("auth.test", 1000.0),
        ("conversations.info", 2000.0),
    ]
    assert api.calls[1].params == {"channel": DEFAULT_CHANNEL}
