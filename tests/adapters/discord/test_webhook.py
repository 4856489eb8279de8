"""The Discord publisher in webhook mode: how it looks, forum posts, 429s, and a secret URL.

The webhook URL holds the webhook's token, so no error and no log line may contain it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.discord.publisher import DiscordPublisher
from adapters.discord.render import render_post
from bot.channels import ChannelConfig
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.errors import DeliveryError
from tests.fakes.delivery import Recorder, sample_post
from tests.fakes.discord_api import FakeDiscordAPI, RateLimitPolicy, point_discord_py_at

KEY = DeliveryKey("lab-discord", dt.date(2025, 1, 9))
AVATAR = "https://example.org/avatar.png"


def channel(**looks: str) -> ChannelConfig:
    return ChannelConfig(
        name=KEY.channel, platform="discord", webhook_url_env="LAB_DISCORD_WEBHOOK", **looks
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    async with FakeDiscordAPI(rate_limits=RateLimitPolicy(webhook_window=0.2)) as fake:
        with point_discord_py_at(fake):
            yield fake


@pytest.fixture
async def session(api: FakeDiscordAPI) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


def publisher(session: aiohttp.ClientSession, config: ChannelConfig) -> DiscordPublisher:
    return DiscordPublisher(session=session, channels={config.name: config})


async def test_webhook_posts_with_the_configured_name_and_avatar(
    api: FakeDiscordAPI, session: aiohttp.ClientSession
) -> None:
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    config = channel(webhook_username="Daily Papers Bot", webhook_avatar_url=AVATAR)
    record = Recorder()

    await publisher(session, config).publish(
        hook.url, sample_post("single"), key=KEY, already_sent=[], record=record
    )

    (message,) = api.messages_in(channel_id)
    assert message["author"]["username"] == "Daily Papers Bot"
    assert message["webhook_id"] == hook.id
    (request,) = [r for r in api.requests if r.route == "execute_webhook"]
    assert request.body["avatar_url"] == AVATAR
    assert request.body["allowed_mentions"] == {"parse": []}
    assert request.query["wait"] in {"true", "1"}
    assert record.sent == [SentMessage(0, message["id"], None)]


async def test_every_payload_is_sent_in_order(
    api: FakeDiscordAPI, session: aiohttp.ClientSession
) -> None:
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    post = sample_post("thread")  # seven messages: a webhook posts them one after another

    await publisher(session, channel()).publish(
        hook.url, post, key=KEY, already_sent=[], record=Recorder()
    )

    titles = [m["embeds"][0]["title"] for m in api.messages_in(channel_id)]
    assert titles == [payload.embeds[0].title for payload in render_post(post)]


@pytest.mark.parametrize("status", [429, 502])
async def test_a_429_or_a_server_error_is_retried_and_posts_once(
    api: FakeDiscordAPI, session: aiohttp.ClientSession, status: int
) -> None:
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    api.fail_next("execute_webhook", status, retry_after=0.05)

    await publisher(session, channel()).publish(
        hook.url, sample_post("single"), key=KEY, already_sent=[], record=Recorder()
    )

    assert [r.status for r in api.requests if r.route == "execute_webhook"] == [status, 200]
    assert len(api.messages_in(channel_id)) == 1


async def test_a_server_error_after_the_message_was_stored_repeats_it_rather_than_lose_it(
    api: FakeDiscordAPI, session: aiohttp.ClientSession
) -> None:
    # Webhooks take no nonce and cannot read the channel back, so a message Discord stored
    # before failing cannot be told from one it never got: resending is the lesser harm.
    # README ("Delivery guarantees") says so; bot channels have nonces and never repeat.
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    api.fail_next("execute_webhook", 500, applied=True)

    await publisher(session, channel()).publish(
        hook.url, sample_post("single"), key=KEY, already_sent=[], record=Recorder()
    )

    assert len(api.messages_in(channel_id)) == 2


async def test_forum_channel_gets_a_post_holding_every_message(
    api: FakeDiscordAPI, session: aiohttp.ClientSession
) -> None:
    forum_id = api.add_channel(api.add_guild(), "papers-forum", kind="forum")
    hook = api.add_webhook(forum_id)
    record = Recorder()
    post = sample_post("thread")

    await publisher(session, channel(thread_name="Daily Papers")).publish(
        hook.url, post, key=KEY, already_sent=[], record=record
    )

    (thread,) = api.threads_of(forum_id)
    assert thread["name"] == "Daily Papers"
    assert len(api.messages_in(thread["id"])) == len(render_post(post))
    assert {m.thread_id for m in record.sent} == {thread["id"]}


async def test_a_weekly_post_takes_its_channels_looks_and_forum_post(
    api: FakeDiscordAPI, session: aiohttp.ClientSession
) -> None:
    forum_id = api.add_channel(api.add_guild(), "papers-forum", kind="forum")
    hook = api.add_webhook(forum_id)
    config = channel(thread_name="Daily Papers", webhook_username="Daily Papers Bot")
    weekly = DeliveryKey(KEY.channel, dt.date(2025, 1, 12), kind="weekly")
    record = Recorder()

    await publisher(session, config).publish(
        hook.url, sample_post("single"), key=weekly, already_sent=[], record=record
    )

    (thread,) = api.threads_of(forum_id)
    assert thread["name"] == "Daily Papers"
    (message,) = api.messages_in(thread["id"])
    assert message["author"]["username"] == "Daily Papers Bot"


async def test_forum_resume_continues_in_the_recorded_post(
    api: FakeDiscordAPI, session: aiohttp.ClientSession
) -> None:
    forum_id = api.add_channel(api.add_guild(), "papers-forum", kind="forum")
    hook = api.add_webhook(forum_id)
    config = channel(thread_name="Daily Papers")
    post = sample_post("thread")
    first = Recorder()
    await publisher(session, config).publish(hook.url, post, key=KEY, already_sent=[], record=first)
    (thread,) = api.threads_of(forum_id)
    resumed = Recorder()  # as if the first run had recorded only two messages

    await publisher(session, config).publish(
        hook.url, post, key=KEY, already_sent=first.sent[:2], record=resumed
    )

    assert api.threads_of(forum_id) == [thread]  # no second forum post
    assert [m.index for m in resumed.sent] == [2, 3, 4, 5, 6]
    assert len(api.messages_in(thread["id"])) == 7 + 5
    assert {m.thread_id for m in resumed.sent} == {thread["id"]}


async def test_unknown_webhook_is_permanent_and_the_url_stays_secret(
    api: FakeDiscordAPI, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    hook = api.add_webhook(api.add_channel(api.add_guild()))
    del api.webhooks[hook.id]  # deleted in Discord's channel settings
    caplog.set_level(logging.DEBUG)  # discord.py logs webhook URLs at DEBUG

    with pytest.raises(DeliveryError) as gone:
        await publisher(session, channel()).publish(
            hook.url, sample_post("single"), key=KEY, already_sent=[], record=Recorder()
        )

    assert gone.value.permanent
    assert "lab-discord" in str(gone.value)
    assert "10015" in str(gone.value)
    assert hook.token not in str(gone.value)
    assert hook.token not in caplog.text
    assert "webhooks" in caplog.text  # the request was logged, with its token masked
    assert any("lab-discord" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


async def test_a_url_that_is_no_webhook_is_permanent_and_not_echoed(
    session: aiohttp.ClientSession,
) -> None:
    url = "https://example.org/hooks/secret-token-value"

    with pytest.raises(DeliveryError) as wrong:
        await publisher(session, channel()).publish(
            url, sample_post("single"), key=KEY, already_sent=[], record=Recorder()
        )

    assert wrong.value.permanent
    assert "secret-token-value" not in str(wrong.value)
