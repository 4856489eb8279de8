"""Benchmark: one 15-paper digest (thread mode) to 200 Discord channels under Discord's limits.

    .venv/bin/python benchmarks/discord_fanout.py [--channels 200]

A local fake Discord API (tests/fakes/discord_api.py) enforces Discord's limits: 5 messages per
5 s per channel (a thread is a channel of its own) and 50 requests per second per bot token
(429 with Discord's headers and body beyond either). Every channel gets a header, a thread
started from it and 15 paper messages in the thread: 17 bot requests, all channels at once
(asyncio.gather), through the DiscordPublisher of a real DiscordAdapter logged in to the fake
(gateway included), so discord.py's own rate-limit handling and our global pacer both run.

The bound implied by the limits: the global limit admits 50 requests a second, so 200 × 17 =
3,400 requests need 68 s; a channel's own limit needs only 10 s (the thread's 15 messages in
three windows of five), so the global limit is the bound. Target: wall time ≤ 1.15 × the bound,
with every message delivered exactly once and in order in its thread.

Prints wall time, the bound, the ratio, how many 429s the fake answered and the request rate,
then PASS/MISS for each check. Always exits 0: it reports, it does not gate.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import discord
from pydantic import SecretStr

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from adapters.discord.adapter import DiscordAdapter  # noqa: E402 - after the path setup above
from adapters.discord.render import render_post  # noqa: E402
from benchmarks.slack_fanout import fifteen_paper_digest, mark, mark_deliveries  # noqa: E402
from bot.commands import CommandContext  # noqa: E402
from bot.delivery.publisher import DeliveryKey, SentMessage  # noqa: E402
from bot.formatter import FormatOptions, format_digest  # noqa: E402
from config import BotSettings  # noqa: E402
from config.settings import DiscordSettings  # noqa: E402
from tests.fakes.discord_api import FakeDiscordAPI, point_discord_py_at  # noqa: E402

PAPERS = 15
GLOBAL_PER_SECOND = 50  # Discord's global limit per bot token
CHANNEL_MESSAGES, CHANNEL_WINDOW = 5, 5.0  # Discord's message limit per channel
TARGET_RATIO = 1.15
DAY = dt.date(2025, 1, 9)


def quick_client(**options: Any) -> discord.Client:
    # READY comes after the guilds' GUILD_CREATEs plus this pause (2 s by default).
    return discord.Client(guild_ready_timeout=0.05, **options)


def bound_seconds(channels: int, messages: int) -> float:
    """The wall time Discord's limits allow at best, in the issue's terms (requests ÷ rate)."""
    requests = channels * (messages + 1)  # every message, plus starting the thread
    thread_windows = -(-(messages - 1) // CHANNEL_MESSAGES) - 1  # windows after the first
    return max(requests / GLOBAL_PER_SECOND, thread_windows * CHANNEL_WINDOW)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=200)
    args = parser.parse_args()
    post = format_digest(fifteen_paper_digest(), FormatOptions(mode="thread"))
    payloads = render_post(post)
    if len(payloads) != PAPERS + 1:
        print(f"MISS  the post renders to {len(payloads)} messages, not {PAPERS + 1}")
        return 0
    bound = bound_seconds(args.channels, len(payloads))
    async with FakeDiscordAPI() as api:
        guild = api.add_guild("Benchmark Guild")
        channels = [api.add_channel(guild, f"papers-{n}") for n in range(args.channels)]
        settings = BotSettings(
            discord=DiscordSettings(guild_ids=[int(guild)], api_base_url=api.api_base),
            discord_bot_token=SecretStr(api.token),
        )
        with point_discord_py_at(api):
            adapter = DiscordAdapter(
                settings,
                lambda: CommandContext(archive=None, today=DAY),  # type: ignore[arg-type]
                client_factory=quick_client,
            )
            await adapter.start()
            await asyncio.sleep(1.1)  # start-up's own requests leave the global window
            publisher = adapter.publisher
            recorded: dict[str, list[SentMessage]] = {c: [] for c in channels}

            async def deliver(channel: str) -> None:
                async def record(message: SentMessage) -> None:
                    recorded[channel].append(message)

                key = DeliveryKey(f"papers-{channel}", DAY)
                await publisher.publish(channel, post, key=key, already_sent=[], record=record)

            first_request = len(api.requests)
            started = time.monotonic()
            results = await asyncio.gather(*(deliver(c) for c in channels), return_exceptions=True)
            wall = time.monotonic() - started
            await adapter.close()

        failed = [r for r in results if isinstance(r, BaseException)]
        requests = api.requests[first_request:]
        rejected = Counter(r.route for r in requests if r.status == 429)
        expected = [p.embeds[0].title for p in payloads]
        count_ok = header_ok = thread_ok = unique_ok = recorded_ok = 0
        for channel in channels:
            top = api.messages_in(channel)
            threads = api.threads_of(channel)
            replies = api.messages_in(str(threads[0]["id"])) if len(threads) == 1 else []
            messages = top + replies
            count_ok += len(messages) == len(payloads)
            header_ok += len(top) == 1 and top[0]["embeds"][0]["title"] == expected[0]
            thread_ok += (
                len(threads) == 1
                and str(threads[0]["id"]) == str(top[0]["id"] if top else "")
                and [m["embeds"][0]["title"] for m in replies] == expected[1:]
            )
            nonces = [m.get("nonce") for m in messages]
            unique_ok += len(set(nonces)) == len(nonces) and None not in nonces
            recorded_ok += [s.index for s in recorded[channel]] == list(range(len(payloads)))

    sent = sum(1 for r in requests if r.status != 429)
    ratio = wall / bound
    print(
        f"channels {len(channels)}, messages {len(channels) * len(payloads)} "
        f"({len(payloads)} per channel, plus one thread each)"
    )
    print(f"wall time            {wall:.2f} s")
    print(
        f"rate-limit bound     {bound:.0f} s ({sent} requests at {GLOBAL_PER_SECOND}/s "
        "global; 5 per 5 s per channel)"
    )
    print(f"ratio                {ratio:.3f} (target ≤ {TARGET_RATIO})")
    limited = sum(rejected.values())
    print(f"429s from the fake   {limited} of {len(requests)} requests {dict(rejected)}")
    print(f"request rate         {sent / wall:.1f} requests/s answered")
    mark(
        ratio <= TARGET_RATIO and not failed,
        f"wall time {wall:.2f} s ≤ {TARGET_RATIO} × {bound:.0f} s, every channel delivered",
    )
    mark_deliveries(
        failed,
        len(channels),
        [
            (count_ok, f"exactly {len(payloads)} messages"),
            (header_ok, "the header is the channel's only message"),
            (thread_ok, "one thread, from the header, papers in order"),
            (unique_ok, "every message has its own nonce"),
            (recorded_ok, "ledger recorded parts 0..15 in order"),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
