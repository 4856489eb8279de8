"""`[discord] shards`: the gateway client the adapter builds, against the fake's sharded gateway."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from functools import partial

import discord
import pytest
from pydantic import SecretStr

from adapters.discord.adapter import DiscordAdapter, make_client
from bot.archive import Archive
from bot.commands import CommandContext
from config import BotSettings
from config.settings import DiscordSettings
from tests.fakes.discord_api import FakeDiscordAPI

TODAY = dt.date(2025, 1, 10)


@pytest.fixture
async def sharded_api() -> AsyncIterator[FakeDiscordAPI]:
    # Discord recommends two shards for this bot (as it would past 2,500 guilds).
    async with FakeDiscordAPI(shard_count=2) as fake:
        yield fake


def guild_on_each_shard(api: FakeDiscordAPI) -> dict[int, str]:
    """A guild with a channel on shard 0 and one on shard 1: channel id by shard."""
    guilds = [api.add_guild(), api.add_guild()]  # consecutive snowflakes: one on each shard
    channels = {(int(guild) >> 22) % 2: api.add_channel(guild, "papers") for guild in guilds}
    assert sorted(channels) == [0, 1]
    return channels


async def test_auto_connects_as_many_shards_as_discord_recommends_and_each_answers(
    sharded_api: FakeDiscordAPI, sample_archive: Archive
) -> None:
    api = sharded_api
    channels = guild_on_each_shard(api)
    settings = BotSettings(
        discord=DiscordSettings(api_base_url=api.api_base),  # shards = "auto", the default
        discord_bot_token=SecretStr(api.token),
    )
    # The adapter's own factory; only the wait for guild data after READY is shortened.
    factory = partial(make_client, settings.discord, guild_ready_timeout=0.05)
    adapter = DiscordAdapter(
        settings, lambda: CommandContext(sample_archive, TODAY), client_factory=factory
    )
    await adapter.start()
    try:
        assert isinstance(adapter.client, discord.AutoShardedClient)
        assert sorted(p["shard"] for p in api.identify_payloads) == [[0, 2], [1, 2]]
        for channel in channels.values():  # an interaction reaches only its guild's shard
            asked = await api.dispatch_interaction(
                "paper", {"id": "2501.04682"}, channel_id=channel
            )
            answer = await api.final_answer(asked)
            assert answer["embeds"][0]["title"].startswith("Towards System 2")
    finally:
        await adapter.close()


@pytest.mark.parametrize(
    ("shards", "kind", "count"),
    [
        ("auto", discord.AutoShardedClient, None),  # asked of Discord when connecting
        (4, discord.AutoShardedClient, 4),
        (1, discord.Client, None),
    ],
)
def test_the_client_follows_the_shards_setting(
    shards: str | int, kind: type[discord.Client], count: int | None
) -> None:
    client = make_client(DiscordSettings(shards=shards), intents=discord.Intents.none())
    assert type(client) is kind
    assert client.shard_count == count
