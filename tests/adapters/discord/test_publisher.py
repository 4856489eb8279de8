"""The Discord publisher in bot mode against the fake Discord API, driven through discord.py.

Order, the thread started from the header, no pings, resuming after a crash, retries that never
post twice, and errors that name the channel without ever showing the token.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterator

import discord
import pytest
from discord.http import HTTPClient

from adapters.discord.bot_publisher import nonce
from adapters.discord.publisher import DiscordPublisher
from adapters.discord.render import render_post
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.errors import DeliveryError
from bot.messages import Card, Message, Post, TextSection
from tests.fakes.delivery import Recorder, sample_post
from tests.fakes.discord_api import FakeDiscordAPI, RateLimitPolicy, point_discord_py_at

DAY = dt.date(2025, 1, 9)
KEY = DeliveryKey("papers-team", DAY)


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    # Discord's limit of 5 messages per channel, in a window short enough for a test: discord.py
    # still has to pace the thread's 6 replies from the rate-limit headers.
    async with FakeDiscordAPI(rate_limits=RateLimitPolicy(channel_window=0.2)) as fake:
        yield fake


@pytest.fixture
def channel_id(api: FakeDiscordAPI) -> str:
    return api.add_channel(api.add_guild(), "daily-papers")


@pytest.fixture
async def http(api: FakeDiscordAPI) -> AsyncIterator[HTTPClient]:
    """discord.py's HTTP client, logged in to the fake (no gateway needed to post)."""
    with point_discord_py_at(api):
        client = discord.Client(intents=discord.Intents.none())
        await client.login(api.token)
        try:
            yield client.http
        finally:
            await client.close()


def titles(messages: list[dict[str, object]]) -> list[str]:
    return [m["embeds"][0]["title"] for m in messages]  # type: ignore[index]


def expected_titles(post: Post) -> list[str]:
    return [payload.embeds[0].title or "" for payload in render_post(post)]


async def test_header_then_every_paper_in_a_thread_started_from_it(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post()
    record = Recorder()

    await DiscordPublisher(http).publish(channel_id, post, key=KEY, already_sent=[], record=record)

    (header,) = api.messages_in(channel_id)
    (thread,) = api.threads_of(channel_id)
    assert thread["id"] == header["id"]  # started from the header message
    assert thread["name"] == "🤗 Daily Papers — 2025-01-09"  # the header's title
    replies = api.messages_in(thread["id"])
    assert titles([header, *replies]) == expected_titles(post)
    assert len(replies) == 6
    assert [m.index for m in record.sent] == list(range(7))
    assert [m.message_id for m in record.sent] == [header["id"]] + [r["id"] for r in replies]
    assert {m.thread_id for m in record.sent} == {thread["id"]}
    assert header["nonce"] == nonce(KEY, 0)
    assert len(nonce(KEY, 0)) <= 25


async def test_single_mode_posts_one_message_and_no_thread(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    record = Recorder()

    await DiscordPublisher(http).publish(
        channel_id, sample_post("single"), key=KEY, already_sent=[], record=record
    )

    assert len(api.messages_in(channel_id)) == 1
    assert api.threads_of(channel_id) == []
    assert record.sent == [SentMessage(0, api.messages_in(channel_id)[0]["id"], None)]


async def test_a_hostile_summary_pings_nobody(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    hostile = "@everyone @here <@123> <@&456> free GPUs"
    post = Post(
        mode="thread",
        messages=[
            Message(role="header", text=hostile, cards=[Card(title="Daily Papers 2025-01-09")]),
            Message(
                role="paper",
                text=hostile,
                cards=[Card(title=hostile, sections=[TextSection(label=hostile, text=hostile)])],
            ),
        ],
    )

    await DiscordPublisher(http).publish(
        channel_id, post, key=KEY, already_sent=[], record=Recorder()
    )

    bodies = [r.body for r in api.requests if r.route == "create_message"]
    assert len(bodies) == 2
    assert all(body["allowed_mentions"] == {"parse": []} for body in bodies)
    for body in bodies:  # escaped as well: the text never forms a mention
        shown = json.dumps({"content": body["content"], "embeds": body["embeds"]})
        assert "@everyone" not in shown
        assert re.search(r"(?<!\\\\)<@", shown) is None  # only as "\\<@123>", i.e. literal


async def test_resume_after_a_crash_posts_only_the_rest_in_the_same_thread(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post()
    publisher = DiscordPublisher(http)
    # The 4th message (index 3) reaches Discord, then the process dies before recording it.
    crashed = Recorder(crash_at=3)
    with pytest.raises(RuntimeError):
        await publisher.publish(channel_id, post, key=KEY, already_sent=[], record=crashed)
    assert [m.index for m in crashed.sent] == [0, 1, 2]

    resumed = Recorder()
    retry_key = DeliveryKey(KEY.channel, KEY.day, attempt=2)
    await publisher.publish(
        channel_id, post, key=retry_key, already_sent=crashed.sent, record=resumed
    )

    (thread,) = api.threads_of(channel_id)
    assert len(api.messages_in(channel_id)) == 1
    # Index 3 was resent with its nonce: Discord answered with the message it already had.
    assert titles(api.messages_in(thread["id"])) == expected_titles(post)[1:]
    assert [m.index for m in resumed.sent] == [3, 4, 5, 6]
    assert {m.thread_id for m in resumed.sent} == {thread["id"]}


async def test_header_sent_but_not_recorded_is_neither_repeated_nor_rethreaded(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post()
    publisher = DiscordPublisher(http)
    with pytest.raises(RuntimeError):  # header and thread made; the crash comes before recording
        await publisher.publish(channel_id, post, key=KEY, already_sent=[], record=Recorder(0))

    record = Recorder()
    retry_key = DeliveryKey(KEY.channel, KEY.day, attempt=2)
    await publisher.publish(channel_id, post, key=retry_key, already_sent=[], record=record)

    (header,) = api.messages_in(channel_id)
    (thread,) = api.threads_of(channel_id)
    assert record.sent[0] == SentMessage(0, header["id"], thread["id"])
    assert len(api.messages_in(thread["id"])) == 6


async def test_header_recorded_without_its_thread_gets_the_thread_on_resume(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post()
    header = await http.send_message(
        int(channel_id),
        params=discord.http.handle_message_parameters(content="Daily Papers 2025-01-09"),
    )
    record = Recorder()

    await DiscordPublisher(http).publish(
        channel_id,
        post,
        key=KEY,
        already_sent=[SentMessage(0, str(header["id"]), None)],
        record=record,
    )

    (thread,) = api.threads_of(channel_id)
    assert thread["id"] == header["id"]
    assert len(api.messages_in(thread["id"])) == 6
    assert {m.thread_id for m in record.sent} == {thread["id"]}


async def test_a_lost_answer_is_retried_with_the_same_nonce_and_posts_once(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post("single")
    # Discord stores the message, then the answer is lost (500): discord.py retries by itself.
    api.fail_next("create_message", 500, applied=True)
    record = Recorder()

    await DiscordPublisher(http).publish(channel_id, post, key=KEY, already_sent=[], record=record)

    statuses = [r.status for r in api.requests if r.route == "create_message"]
    assert statuses == [500, 200]
    (message,) = api.messages_in(channel_id)
    assert record.sent == [SentMessage(0, message["id"], None)]


async def test_injected_429s_lose_and_repeat_nothing(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post()
    api.fail_next("create_message", 429, count=2, retry_after=0.01)
    api.fail_next("start_thread", 429, retry_after=0.01)

    await DiscordPublisher(http).publish(
        channel_id, post, key=KEY, already_sent=[], record=Recorder()
    )

    (header,) = api.messages_in(channel_id)
    assert titles([header, *api.messages_in(header["id"])]) == expected_titles(post)
    assert [r.status for r in api.requests if r.route == "start_thread"] == [429, 200]


async def test_a_server_error_is_temporary_and_the_retry_completes(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient
) -> None:
    post = sample_post()
    publisher = DiscordPublisher(http)
    api.fail_next("start_thread", 503)  # not one discord.py retries by itself
    record = Recorder()

    with pytest.raises(DeliveryError) as failed:
        await publisher.publish(channel_id, post, key=KEY, already_sent=[], record=record)
    assert not failed.value.permanent
    assert "HTTP 503" in str(failed.value)
    assert record.sent == []

    retry_key = DeliveryKey(KEY.channel, KEY.day, attempt=2)
    await publisher.publish(channel_id, post, key=retry_key, already_sent=[], record=record)

    (header,) = api.messages_in(channel_id)
    assert titles([header, *api.messages_in(header["id"])]) == expected_titles(post)


async def test_missing_access_is_permanent_and_logged_with_the_channel(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient, caplog: pytest.LogCaptureFixture
) -> None:
    api.deny_access(channel_id)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(DeliveryError) as denied:
        await DiscordPublisher(http).publish(
            channel_id, sample_post(), key=KEY, already_sent=[], record=Recorder()
        )

    assert denied.value.permanent
    assert "papers-team" in str(denied.value)
    assert channel_id in str(denied.value)
    assert "digest-bot discord invite" in str(denied.value)
    warnings = [r.getMessage() for r in caplog.records if r.name == "adapters.discord.publisher"]
    assert any("papers-team" in line and "50001" in line for line in warnings)
    assert api.token not in caplog.text
    assert api.messages_in(channel_id) == []


async def test_unknown_channel_is_permanent(api: FakeDiscordAPI, http: HTTPClient) -> None:
    with pytest.raises(DeliveryError) as unknown:
        await DiscordPublisher(http).publish(
            "424242424242424242", sample_post(), key=KEY, already_sent=[], record=Recorder()
        )

    assert unknown.value.permanent
    assert "no such channel" in str(unknown.value)


async def test_a_revoked_token_is_permanent_and_never_shown(
    api: FakeDiscordAPI, channel_id: str, http: HTTPClient, caplog: pytest.LogCaptureFixture
) -> None:
    old_token = api.token
    api.token = "rotated-in-the-developer-portal"  # the bot's token no longer works
    caplog.set_level(logging.DEBUG)

    with pytest.raises(DeliveryError) as refused:
        await DiscordPublisher(http).publish(
            channel_id, sample_post(), key=KEY, already_sent=[], record=Recorder()
        )

    assert refused.value.permanent
    assert "DISCORD_BOT_TOKEN" in str(refused.value)
    assert old_token not in str(refused.value)
    assert old_token not in caplog.text


async def test_discord_out_of_reach_is_temporary(
    channel_id: str, http: HTTPClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:1/api/v10")

    with pytest.raises(DeliveryError) as unreachable:
        await DiscordPublisher(http).publish(
            channel_id, sample_post(), key=KEY, already_sent=[], record=Recorder()
        )

    assert not unreachable.value.permanent
    assert "cannot reach Discord" in str(unreachable.value)


async def test_a_channel_id_without_a_bot_token_is_a_config_problem() -> None:
    with pytest.raises(DeliveryError, match="DISCORD_BOT_TOKEN") as no_token:
        await DiscordPublisher().publish(
            "123", sample_post(), key=KEY, already_sent=[], record=Recorder()
        )

    assert no_token.value.permanent
