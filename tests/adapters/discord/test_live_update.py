"""A live digest in Discord: the header and the thread are edited in place, by bot or webhook."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.http import HTTPClient
from sqlalchemy import Engine

from adapters.discord.publisher import DiscordPublisher
from bot.delivery.engine import DeliveryEngine, DeliveryTarget
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.live import update_in_place
from bot.formatter import FormatOptions
from tests.core.formatter.builders import make_digest, make_paper
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

    assert await update_in_place(engine, target, LATER) == "updated"

    (header,) = api.messages_in(channel_id)  # still the one header
    replies = api.messages_in(thread["id"])
    assert header["edited_timestamp"] is not None
    assert "Paper 2" in str(header["embeds"][0]["description"]).split("Paper 1")[0]
    assert [r["edited_timestamp"] is not None for r in replies] == [False, True, False]
    assert titles(replies)[2].startswith("Paper 3")
    edits = [r for r in api.requests if r.route == "edit_message"]
    assert len(edits) == 2
    assert await update_in_place(engine, target, LATER) == "unchanged"
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
        assert await update_in_place(engine, target, LATER) == "updated"
    (message,) = api.messages_in(channel_id)
    assert message["edited_timestamp"] is not None
    shown = str(message["embeds"])
    assert "Paper 3" in shown
    assert hook.token not in str([r.body for r in api.requests])
