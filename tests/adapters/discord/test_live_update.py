"""A live digest in Discord: the header and the thread are edited in place, by bot or webhook.

End to end from the Hugging Face API (httpx.MockTransport): a day whose list stays empty gets
one short note once the wait is over, which papers turning up later edit into the digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.http import HTTPClient
from sqlalchemy import Engine

from adapters.discord.publisher import DiscordPublisher
from bot.delivery.engine import DeliveryEngine, DeliveryTarget
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.runner import DigestRunner
from bot.formatter import FormatOptions
from config import ChannelConfig
from tests.fakes.clock import ManualClock
from tests.fakes.daily_papers_api import (
    DAY,
    FIRE,
    LIST_CLOSED,
    NOTE,
    DailyPapersAPI,
    entry,
    hf_runner,
)
from tests.fakes.digests import make_digest, make_paper
from tests.fakes.discord_api import FakeDiscordAPI, point_discord_py_at

FIRST = make_digest(make_paper(1, 10), make_paper(2, 5))
LATER = make_digest(make_paper(1, 10), make_paper(2, 40), make_paper(3, 7))


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    async with FakeDiscordAPI() as fake:
        with point_discord_py_at(fake):
            yield fake


@pytest.fixture
async def http(api: FakeDiscordAPI) -> AsyncIterator[HTTPClient]:
    client = discord.Client(intents=discord.Intents.none())
    await client.login(api.token)
    try:
        yield client.http
    finally:
        await client.close()


def titles(messages: list[dict[str, object]]) -> list[str]:
    return [str(m["embeds"][0]["title"]) for m in messages]  # type: ignore[index]


async def test_the_bot_edits_header_and_thread_in_place(
    api: FakeDiscordAPI, http: HTTPClient, database_engine: Engine
) -> None:
    channel_id = api.add_channel(api.add_guild(), "daily-papers")
    target = DeliveryTarget("lab", "discord", channel_id, FormatOptions())
    engine = DeliveryEngine(
        DeliveryLedger(database_engine, "me"), {"discord": DiscordPublisher(http)}
    )
    assert await engine.deliver(target, FIRST) == "delivered"
    (thread,) = api.threads_of(channel_id)

    assert await engine.update(target, LATER) == "updated"

    (header,) = api.messages_in(channel_id)  # still the one header
    replies = api.messages_in(thread["id"])
    assert header["edited_timestamp"] is not None
    assert "Paper 2" in str(header["embeds"][0]["description"]).split("Paper 1")[0]
    assert [r["edited_timestamp"] is not None for r in replies] == [False, True, False]
    assert titles(replies)[2].startswith("Paper 3")
    edits = [r for r in api.requests if r.route == "edit_message"]
    assert len(edits) == 2
    assert await engine.update(target, LATER) == "unchanged"
    assert len([r for r in api.requests if r.route == "edit_message"]) == 2


async def test_a_webhook_edits_the_message_it_sent(
    api: FakeDiscordAPI, database_engine: Engine
) -> None:
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    target = DeliveryTarget("lab", "discord", hook.url, FormatOptions(mode="single"))
    async with aiohttp.ClientSession() as session:
        engine = DeliveryEngine(
            DeliveryLedger(database_engine, "me"), {"discord": DiscordPublisher(session=session)}
        )
        assert await engine.deliver(target, FIRST) == "delivered"
        assert await engine.update(target, LATER) == "updated"
    (message,) = api.messages_in(channel_id)
    assert message["edited_timestamp"] is not None
    shown = str(message["embeds"])
    assert "Paper 3" in shown
    assert hook.token not in str([r.body for r in api.requests])


def live_runner(
    api: FakeDiscordAPI,
    publisher: DiscordPublisher,
    database_engine: Engine,
    clock: ManualClock,
    channel: ChannelConfig,
) -> tuple[DigestRunner, DailyPapersAPI]:
    """A runner on the Hugging Face API (the list of 2025-01-09 starts empty) and Discord."""
    hf = DailyPapersAPI(clock)
    runner = hf_runner(database_engine, clock, hf, channel, {"discord": publisher}, clock.sleep)
    return runner, hf


def sent(api: FakeDiscordAPI, *routes: str) -> list[str]:
    """The routes of the requests that post or change messages, in order."""
    return [r.route for r in api.requests if r.route in routes]


WRITES = ("create_message", "edit_message", "start_thread", "execute_webhook")
WEBHOOK_WRITES = ("execute_webhook", "edit_webhook_message")


def shown(message: dict[str, object]) -> str:
    return f"{message.get('content') or ''} {message.get('embeds') or ''}"


async def test_an_empty_day_gets_one_note_that_late_papers_edit_into_the_digest(
    api: FakeDiscordAPI, http: HTTPClient, database_engine: Engine
) -> None:
    channel_id = api.add_channel(api.add_guild(), "daily-papers")
    channel = ChannelConfig(name="lab", platform="discord", target=channel_id, schedule="0 9 * * *")
    clock = ManualClock(FIRE)
    runner, hf = live_runner(api, DiscordPublisher(http), database_engine, clock, channel)

    assert await runner.run_scheduled(channel, FIRE) == "delivered"

    # It waited (asking the API with backoff) until wait_for_digest_hours ran out.
    deadline = FIRE + dt.timedelta(hours=channel.wait_for_digest_hours)
    assert deadline - dt.timedelta(minutes=15) <= clock.now() <= deadline
    assert clock.slept[:3] == [60.0, 120.0, 240.0]
    assert len(hf.asked) == len(clock.slept) + 1
    (note,) = api.messages_in(channel_id)
    assert "2025-01-09" in shown(note)
    assert NOTE in shown(note)
    assert len(note["embeds"]) == 1  # type: ignore[arg-type]
    assert api.threads_of(channel_id) == []  # a note has no thread
    assert sent(api, *WRITES) == ["create_message"]

    # Running it again, or catching up after a restart, posts nothing more.
    assert await runner.run_scheduled(channel, FIRE) == "skipped"
    assert await runner.catch_up() == {}
    assert await runner.refresh_live() == {}  # still empty: nothing to change
    assert sent(api, *WRITES) == ["create_message"]

    # Later that day, within the live window, the day's papers turn up.
    clock.jump_to(dt.datetime(2025, 1, 9, 18, 0, tzinfo=dt.UTC))
    hf.at(clock.now(), entry(1, 12), entry(2, 30))
    assert await runner.refresh_live() == {"lab": [DAY]}

    (header,) = api.messages_in(channel_id)  # the note, edited: no second post in the channel
    assert header["id"] == note["id"]
    assert header["edited_timestamp"] is not None
    assert NOTE not in shown(header)
    assert "Paper number 2" in shown(header)
    (thread,) = api.threads_of(channel_id)  # started from the note for the papers
    assert titles(api.messages_in(thread["id"])) == ["Paper number 2", "Paper number 1"]
    assert sent(api, *WRITES) == [
        "create_message",
        "edit_message",
        "start_thread",
        "create_message",
        "create_message",
    ]
    record = runner.engine.ledger.get("lab", DAY)
    assert record is not None
    assert (record.state, record.messages) == ("done", 3)

    # Nothing changed since: nothing is sent, and the day is never posted a second time.
    assert await runner.refresh_live() == {}
    assert await runner.run_scheduled(channel, FIRE) == "skipped"
    assert len(sent(api, *WRITES)) == 5


async def test_a_webhook_note_comes_once_the_list_closed_and_is_edited_in_place(
    api: FakeDiscordAPI, database_engine: Engine
) -> None:
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    channel = ChannelConfig(
        name="lab",
        platform="discord",
        target=hook.url,
        schedule="0 9 * * *",
        wait_for_digest_hours=24.0,  # longer than the list stays open: its closing ends the wait
    )
    clock = ManualClock(FIRE)
    async with aiohttp.ClientSession() as session:
        publisher = DiscordPublisher(session=session)
        runner, hf = live_runner(api, publisher, database_engine, clock, channel)

        assert await runner.run_scheduled(channel, FIRE) == "delivered"
        assert clock.now() >= LIST_CLOSED
        assert [asked >= LIST_CLOSED for asked in hf.asked[-2:]] == [False, True]
        (note,) = api.messages_in(channel_id)
        assert NOTE in shown(note)
        assert await runner.run_scheduled(channel, FIRE) == "skipped"
        assert sent(api, *WEBHOOK_WRITES) == ["execute_webhook"]

        clock.advance(dt.timedelta(hours=1))  # a paper the list had not shown yet
        hf.at(clock.now(), entry(1, 5))
        assert await runner.refresh_live() == {"lab": [DAY]}
        assert await runner.refresh_live() == {}

    # A webhook channel gets one compact message: the note itself now lists the paper.
    (message,) = api.messages_in(channel_id)
    assert message["id"] == note["id"]
    assert message["edited_timestamp"] is not None
    assert NOTE not in shown(message)
    assert "Paper number 1" in shown(message)
    assert sent(api, *WEBHOOK_WRITES) == ["execute_webhook", "edit_webhook_message"]
    assert hook.token not in str([r.body for r in api.requests])


async def test_without_the_note_an_empty_day_posts_nothing_to_discord(
    api: FakeDiscordAPI, http: HTTPClient, database_engine: Engine
) -> None:
    channel_id = api.add_channel(api.add_guild(), "daily-papers")
    channel = ChannelConfig(
        name="lab",
        platform="discord",
        target=channel_id,
        schedule="0 9 * * *",
        empty_day_note=False,
    )
    clock = ManualClock(FIRE)
    runner, hf = live_runner(api, DiscordPublisher(http), database_engine, clock, channel)

    assert await runner.run_scheduled(channel, FIRE) is None
    assert sum(clock.slept) >= 5 * 3600  # it did wait for the list
    assert len(hf.asked) > 5
    assert await runner.catch_up() == {}
    assert await runner.refresh_live() == {}
    assert api.messages_in(channel_id) == []
    assert sent(api, *WRITES) == []
    assert runner.engine.ledger.get("lab", DAY) is None
