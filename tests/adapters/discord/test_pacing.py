"""The global pacer against the fake Discord API's global limit, through discord.py itself.

Without it discord.py learns of the global limit only from 429s and gives a request up after
five; with it, a burst of channels never meets a global 429 and every message arrives once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import discord
import pytest

from adapters.discord.pacing import GlobalPacer, counts_globally
from adapters.discord.publisher import DiscordPublisher
from bot.delivery.publisher import DeliveryKey
from tests.fakes.clock import ManualClock
from tests.fakes.delivery import Recorder, sample_post
from tests.fakes.discord_api import FakeDiscordAPI, RateLimitPolicy, point_discord_py_at

DAY = dt.date(2025, 1, 9)
# A global limit of 4 requests per 0.1 s: a burst of 8 channels is twice over it at once.
LIMITS = RateLimitPolicy(global_requests=4, global_window=0.1, channel_window=0.2)
CHANNELS = 8


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    async with FakeDiscordAPI(rate_limits=LIMITS) as fake:
        with point_discord_py_at(fake):
            yield fake


async def fan_out(api: FakeDiscordAPI, client: discord.Client) -> list[BaseException | None]:
    """Post the sample digest (header, thread, six papers) to CHANNELS channels at once."""
    guild = api.add_guild()
    channels = [api.add_channel(guild, f"papers-{n}") for n in range(CHANNELS)]
    await client.login(api.token)
    publisher = DiscordPublisher(client.http)
    try:
        return await asyncio.gather(
            *(
                publisher.publish(
                    channel,
                    sample_post(),
                    key=DeliveryKey(f"papers-{channel}", DAY),
                    already_sent=[],
                    record=Recorder(),
                )
                for channel in channels
            ),
            return_exceptions=True,
        )
    finally:
        await client.close()


def global_429s(api: FakeDiscordAPI) -> int:
    return sum(1 for r in api.requests if r.status == 429)


async def test_paced_burst_meets_no_global_limit_and_posts_everything_once(
    api: FakeDiscordAPI,
) -> None:
    pacer = GlobalPacer(LIMITS.global_requests, window=LIMITS.global_window)
    client = discord.Client(intents=discord.Intents.none(), http_trace=pacer.trace_config())

    results = await fan_out(api, client)

    assert results == [None] * CHANNELS
    assert global_429s(api) == 0
    for channel in [c for c in api.channels.values() if c.get("parent_id") is None]:
        (thread,) = api.threads_of(str(channel["id"]))
        assert len(api.messages_in(str(channel["id"]))) == 1
        assert len(api.messages_in(str(thread["id"]))) == 6
    # Two for the login, then a header, a thread and six papers per channel: nothing resent.
    assert len(api.requests) == 2 + CHANNELS * 8


async def test_unpaced_the_same_burst_runs_into_the_global_limit(api: FakeDiscordAPI) -> None:
    # What the pacer is for: discord.py alone only reacts to the global limit's 429s.
    client = discord.Client(intents=discord.Intents.none())

    await fan_out(api, client)

    assert global_429s(api) > 0


async def let_tasks_run() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_slot_is_held_while_in_flight_and_for_a_window_after_the_answer() -> None:
    clock = ManualClock()
    pacer = GlobalPacer(2, window=0.5, clock=clock.monotonic, sleep=clock.sleep_until_advanced)
    await pacer.wait()
    await pacer.wait()
    third = asyncio.create_task(pacer.wait())
    clock.advance(0.6)
    await let_tasks_run()
    assert not third.done()  # time alone frees nothing while both are still in flight

    pacer.answered()
    await let_tasks_run()
    assert not third.done()  # the answered request still counts for half a second
    clock.advance(0.5)
    await asyncio.wait_for(third, timeout=5)


@pytest.mark.parametrize(
    ("path", "paced"),
    [
        ("/channels/1/messages", True),
        ("/channels/1/messages/2/threads", True),
        ("/applications/3/guilds/4/commands", True),
        ("/webhooks/5/token-x", False),  # webhooks have their own limits
        ("/interactions/6/token-y/callback", False),  # so do interaction answers
    ],
)
def test_only_bot_requests_count_against_the_global_limit(
    path: str, paced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", "https://discord.com/api/v10")
    assert counts_globally("https://discord.com/api/v10" + path) is paced


def test_other_hosts_are_not_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", "https://discord.com/api/v10")
    assert not counts_globally("https://cdn.discordapp.com/avatars/1/a.png")
