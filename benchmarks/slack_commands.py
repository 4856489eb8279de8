"""Benchmark: signed `/paper` requests against the bot's Slack HTTP mode, next to a bare bolt app.

    .venv/bin/python benchmarks/slack_commands.py [--requests 2000] [--concurrency 50]

Both apps run in bolt's HTTP mode under uvicorn on 127.0.0.1, each in its own process (the load
generator runs in this one), and get the same load: correctly
signed slash-command requests, 50 in flight at once. The bot answers each with the paper's card
from a SQLite archive (the bundled sample); the bare app only acks. Prints p50/p99 latency of
both and the ratio of the p99s. Target: bot p99 ≤ 1.3 × bare p99.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from pydantic import SecretStr
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from adapters.slack.adapter import SlackAdapter  # noqa: E402 - after the path setup above
from adapters.slack.client import make_web_client  # noqa: E402
from bot.archive import Archive  # noqa: E402
from bot.commands import CommandContext  # noqa: E402
from bot.ingest import SAMPLE_ARCHIVE_DIR  # noqa: E402
from bot.parser import parse_file  # noqa: E402
from config import BotSettings  # noqa: E402
from config.settings import SlackSettings  # noqa: E402
from tests.fakes.asgi_server import serve_asgi  # noqa: E402
from tests.fakes.slack_api import FAKE_BOT_TOKEN, FakeSlackAPI  # noqa: E402

SECRET = "benchmark-signing-secret"  # noqa: S105 - a benchmark's own test secret
TARGET_RATIO = 1.3
WARM_UP = 200


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(
            SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        ),
    }


async def load(
    url: str, ids: list[str], titles: dict[str, str], count: int, concurrency: int, check: bool
) -> list[float]:
    """Send `count` requests, `concurrency` at a time; the latency of each, in seconds."""
    latencies: list[float] = []
    rng = random.Random(1)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(url, connector=connector) as http:

        async def one(number: int) -> None:
            paper = rng.choice(ids)
            body = urlencode(
                {
                    "command": "/paper",
                    "text": paper,
                    "team_id": "T0FAKETEAM",
                    "user_id": "U0HUMAN001",
                    "channel_id": "C0DIGEST01",
                    "response_url": f"{url}/unused/{number}",
                    "trigger_id": f"t{number}",
                }
            )
            started = time.perf_counter()
            async with http.post("/slack/events", data=body, headers=signed(body)) as response:
                text = (await response.read()).decode("utf-8")
            latencies.append(time.perf_counter() - started)
            if response.status != 200 or (check and titles[paper][:30] not in text):
                raise RuntimeError(f"request {number}: {response.status} {text[:200]}")

        queue = iter(range(count))

        async def worker() -> None:
            for number in queue:
                await one(number)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def serve(kind: str, folder: Path, port_file: Path) -> None:
    """In its own process: the fake Slack API and one app under uvicorn, until stdin closes."""
    digests = [parse_file(p) for p in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md"))]
    archive = Archive.from_url(f"sqlite:///{folder / f'{kind}.sqlite3'}")
    archive.import_digests(digests)
    async with FakeSlackAPI() as api:
        settings = BotSettings(
            slack=SlackSettings(mode="http", api_base_url=api.base_url),
            slack_bot_token=SecretStr(FAKE_BOT_TOKEN),
            slack_signing_secret=SecretStr(SECRET),
        )
        bot = SlackAdapter(
            settings, lambda: CommandContext(archive=archive, today=dt.date(2025, 1, 11))
        )
        await bot.start()
        bare = AsyncApp(
            client=make_web_client(FAKE_BOT_TOKEN, api.base_url),
            signing_secret=SECRET,
            process_before_response=True,  # as the bot's app: the same request path
        )

        @bare.command("/paper")
        async def ack_only(ack: AsyncAck) -> None:
            await ack()

        app = bot.http_routes["/slack/events"] if kind == "bot" else AsyncSlackRequestHandler(bare)
        async with serve_asgi(app) as url:
            port_file.write_text(url, encoding="utf-8")  # noqa: ASYNC240 - once, at start-up
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await bot.close()


async def measure(kind: str, folder: Path, args: argparse.Namespace) -> list[float]:
    port_file = folder / f"{kind}.url"
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--folder",
        str(folder),
        stdin=asyncio.subprocess.PIPE,
    )
    try:
        while not port_file.exists():
            if server.returncode is not None:
                raise RuntimeError(f"the {kind} server exited with {server.returncode}")
            await asyncio.sleep(0.05)
        url = port_file.read_text(encoding="utf-8")
        digests = [parse_file(p) for p in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md"))]
        titles = {paper.arxiv_id: paper.title for d in digests for paper in d.papers}
        check = kind == "bot"
        await load(url, sorted(titles), titles, WARM_UP, args.concurrency, check)
        started = time.perf_counter()
        latencies = await load(url, sorted(titles), titles, args.requests, args.concurrency, check)
        wall = time.perf_counter() - started
    finally:
        assert server.stdin is not None
        server.stdin.close()
        await server.wait()
    name = "digest-bot /paper" if kind == "bot" else "bare ack-only bolt app"
    print(
        f"{name:24s} p50 {percentile(latencies, 0.5) * 1000:6.1f} ms  "
        f"p99 {percentile(latencies, 0.99) * 1000:6.1f} ms  "
        f"mean {statistics.fmean(latencies) * 1000:6.1f} ms  "
        f"{args.requests / wall:6.0f} req/s"
    )
    return latencies


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", choices=["bot", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        await serve(args.serve, args.folder, args.folder / f"{args.serve}.url")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        bare = await measure("bare", Path(folder), args)
        bot = await measure("bot", Path(folder), args)
    ratio = percentile(bot, 0.99) / percentile(bare, 0.99)
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(f"p99 ratio {ratio:.2f} (target ≤ {TARGET_RATIO})  {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
