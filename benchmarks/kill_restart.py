"""Benchmark: kill -9 the bot during a fan-out, restart it, and count duplicates and losses.

    .venv/bin/python benchmarks/kill_restart.py [--rounds 50] [--channels 200]

Each round delivers one day's digest (header + 2 threaded replies) to every channel of a local
fake Slack API with `digest-bot post`, kills the process with SIGKILL at a random moment, then
runs `digest-bot post` again to completion. A crash can land between a message reaching Slack
and the ledger recording it; the restarted bot must find that message by its metadata. At the
end every channel must hold every part of every day exactly once. Target: 0 duplicates and 0
losses. Prints per-round progress and the totals.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot.ingest import SAMPLE_ARCHIVE_DIR  # noqa: E402 - after the path setup above
from tests.fakes.bot_process import SLACK_ENV, run_digest_bot  # noqa: E402
from tests.fakes.slack_api import FakeChannel, FakeSlackAPI  # noqa: E402

MESSAGES_PER_DAY = 3  # top_n = 2: a header and two replies
FIRST_DAY = "2025-02-01"


def write_setup(folder: Path, api: FakeSlackAPI, channels: list[str], days: list[str]) -> Path:
    """An archive of `days` (each a copy of one sample digest) and a config for `channels`."""
    archive = folder / "digests"
    archive.mkdir()
    sample = (SAMPLE_ARCHIVE_DIR / "2025-01-09.md").read_text(encoding="utf-8")
    for day in days:
        text = sample.replace("2025-01-09", day)
        (archive / f"{day}.md").write_text(text, encoding="utf-8")
    lines = [
        f'source = "{archive}"',
        f'data_dir = "{folder / "data"}"',
        "[slack]",
        'mode = "socket"',
        f'api_base_url = "{api.base_url}"',
    ]
    for channel in channels:
        lines += [
            "[[channels]]",
            f'name = "{channel.lower()}"',
            'platform = "slack"',
            f'target = "{channel}"',
            "top_n = 2",
        ]
    config = folder / "digest-bot.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


async def run_bot(config: Path, day: str, kill_after: float | None) -> str:
    """`digest-bot post --date day`; SIGKILLed after `kill_after` seconds if still running."""
    env = {**SLACK_ENV, "DIGEST_BOT_CONFIG": str(config)}
    code, output = await run_digest_bot(["post", "--date", day], env=env, kill_after=kill_after)
    if code is None:
        return "killed"
    return "finished" if code == 0 else f"exit {code}: {output[-2000:]}"


def count(api: FakeSlackAPI, channels: list[str], days: list[str]) -> tuple[int, int]:
    duplicates = losses = 0
    for channel in channels:
        seen = collections.Counter(
            message.metadata["event_payload"]["part"]
            for message in api.messages(channel)
            if message.metadata
        )
        for day in days:
            for index in range(MESSAGES_PER_DAY):
                copies = seen[f"{channel.lower()}:{day}:{index}"]
                losses += copies == 0
                duplicates += max(0, copies - 1)
    return duplicates, losses


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    channels = [f"C{n:09d}" for n in range(args.channels)]
    start = time.strptime(FIRST_DAY, "%Y-%m-%d")
    days = [
        time.strftime("%Y-%m-%d", time.gmtime(time.mktime(start) + 86400 * i + 43200))
        for i in range(args.rounds)
    ]
    folder = Path(tempfile.mkdtemp(prefix="digest-bot-kill-"))
    started = time.monotonic()
    try:
        fake_channels = [FakeChannel(c, c.lower()) for c in channels]
        async with FakeSlackAPI(channels=fake_channels) as api:
            config = write_setup(folder, api, channels, days)
            # Warm the archive once, so every round's start-up costs the same.
            await run_bot(config, days[0], kill_after=None)
            api_calls_before = len(api.calls)
            for number, day in enumerate(days[1:], start=2):
                kill_after = rng.uniform(0.5, 4.5)
                first = await run_bot(config, day, kill_after)
                posted = sum(
                    1
                    for c in channels
                    for m in api.messages(c)
                    if m.metadata and m.metadata["event_payload"]["part"].split(":")[1] == day
                )
                second = await run_bot(config, day, kill_after=None)
                print(
                    f"round {number:2d} {day}: kill at {kill_after:.2f}s → {first} "
                    f"({posted} of {len(channels) * MESSAGES_PER_DAY} posted); restart → "
                    f"{second.splitlines()[0] if second else second}",
                    flush=True,
                )
            duplicates, losses = count(api, channels, days)
            calls = len(api.calls) - api_calls_before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\n{args.rounds - 1} kills, {args.channels} channels, {len(days)} days, "
        f"{args.channels * len(days) * MESSAGES_PER_DAY} messages expected, "
        f"{calls} API calls, {time.monotonic() - started:.0f} s"
    )
    print(f"duplicates: {duplicates}   losses: {losses}   target: 0 and 0")
    verdict = "PASS" if duplicates == 0 and losses == 0 else "MISS"
    print(verdict)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
