"""Benchmark: one 15-paper digest (thread mode) to 200 Slack channels at 1 message/s/channel.

    .venv/bin/python benchmarks/slack_fanout.py [--channels 200]

A local fake Slack Web API enforces Slack's chat.postMessage limit of one message per second per
channel (429 + Retry-After beyond it). Every channel gets a header and 15 threaded replies, all
channels at once through one SlackPublisher. The rate limit alone makes this take 16 s (16
messages at one per second); target: wall time ≤ 1.15 × 16 s, with every message delivered
exactly once and in order in its thread. Prints the figures and PASS/MISS per check.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

import aiohttp

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from adapters.slack.client import make_web_client  # noqa: E402 - after the path setup above
from adapters.slack.publisher import SlackPublisher  # noqa: E402
from adapters.slack.render import render_post  # noqa: E402
from bot.delivery.publisher import DeliveryKey, SentMessage  # noqa: E402
from bot.formatter import FormatOptions, format_digest  # noqa: E402
from bot.ingest import SAMPLE_ARCHIVE_DIR  # noqa: E402
from bot.models import Digest  # noqa: E402
from bot.parser import parse_file  # noqa: E402
from tests.fakes.slack_api import FAKE_BOT_TOKEN, FakeChannel, FakeSlackAPI  # noqa: E402

PAPERS = 15
BOUND_SECONDS = 16.0  # 16 messages per channel at one per second, as the issue states it
TARGET_RATIO = 1.15


def fifteen_paper_digest() -> Digest:
    """The sample days' papers (18) cut to 15: real titles, authors and summaries."""
    days = [parse_file(path) for path in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md"))]
    papers = [paper for day in days for paper in day.papers][:PAPERS]
    return Digest(date=dt.date(2025, 1, 9), papers=papers, source="benchmark")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=200)
    args = parser.parse_args()
    post = format_digest(fifteen_paper_digest(), FormatOptions(mode="thread"))
    payloads = render_post(post)
    assert len(payloads) == PAPERS + 1, len(payloads)
    channels = [f"C{n:09d}" for n in range(args.channels)]
    async with FakeSlackAPI(
        channels=[FakeChannel(c, c.lower()) for c in channels], rate_limit_per_channel=1.0
    ) as api:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        publisher = SlackPublisher(make_web_client(FAKE_BOT_TOKEN, api.base_url, session))
        recorded: dict[str, list[SentMessage]] = {c: [] for c in channels}

        async def deliver(channel: str) -> None:
            async def record(message: SentMessage) -> None:
                recorded[channel].append(message)

            key = DeliveryKey(channel.lower(), post_day)
            await publisher.publish(channel, post, key=key, already_sent=[], record=record)

        post_day = dt.date(2025, 1, 9)
        started = time.perf_counter()
        await asyncio.gather(*(deliver(c) for c in channels))
        wall = time.perf_counter() - started
        await session.close()
        rejected = sum(1 for call in api.calls_to("chat.postMessage") if call.status == 429)

        in_order = exactly_once = 0
        for channel in channels:
            messages = api.messages(channel)
            header = messages[0]
            thread = api.thread(channel, header.ts)
            exactly_once += len(messages) == len(payloads) and len(thread) == len(payloads)
            in_order += [m.text for m in thread] == [p["text"] for p in payloads] and [
                s.index for s in recorded[channel]
            ] == list(range(len(payloads)))

    ratio = wall / BOUND_SECONDS
    total = len(channels) * len(payloads)
    print(f"channels {len(channels)}, messages {total} ({len(payloads)} per channel)")
    print(f"wall time {wall:.2f} s; rate-limit bound {BOUND_SECONDS:.0f} s; ratio {ratio:.3f}")
    print(f"429 answers from the fake: {rejected}")
    checks = {
        f"ratio ≤ {TARGET_RATIO}": ratio <= TARGET_RATIO,
        f"exactly once in {exactly_once}/{len(channels)} channels": exactly_once == len(channels),
        f"in thread order in {in_order}/{len(channels)} channels": in_order == len(channels),
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
