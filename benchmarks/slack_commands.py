"""Benchmark: signed `/paper` requests against the bot's Slack HTTP mode, next to a bare bolt app.

    .venv/bin/python benchmarks/slack_commands.py [--requests 2000] [--concurrency 50]
        [--warm-up 200] [--rounds 3] [--same-process] [--client httpx|aiohttp] [--bare-inline]

Two servers, measured one after the other, each the same way: bolt's ASGI handler under uvicorn
(tests/fakes/asgi_server.serve_asgi) on 127.0.0.1, beside a fake Slack Web API that answers the
app's auth.test. One is the real SlackAdapter in HTTP mode, answering `/paper <id>` with the
paper's card from a SQLite archive of the bundled sample digests; the other is a bare
`AsyncApp(signing_secret=..., client=make_web_client(...))` whose `/paper` handler only does
`await ack()`. Both get the same load from httpx.AsyncClient: a warm-up, then 2,000 correctly
signed slash-command requests for sample ids (mixed, same seeded sequence), 50 in flight.

By default each server runs in its own process, so the load generator (one process) does not
share a core or an event loop with it; `--same-process` serves from this process instead.
`--client aiohttp` sends the load with aiohttp instead of httpx: at 50 in flight httpx's own
client-side latency (pool and per-request overhead) can dwarf the servers'. The bare app uses
bolt's defaults (its listener runs as a task and bolt polls for the ack every 10 ms);
`--bare-inline` gives it `process_before_response=True`, the bot's request path.

The two are measured in alternating rounds (three by default), so a drift of the machine during
the run hits both. Prints p50/p99 latency of every round, the ratio of the median p99s and
PASS/MISS against the target: bot p99 ≤ 1.3 × bare p99; and whether every answer was HTTP 200
(with the paper's title, for the bot). Always exits 0: it reports, it does not gate.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import httpx
from pydantic import SecretStr
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from adapters.slack.adapter import SlackAdapter  # noqa: E402 - after the path setup above
from adapters.slack.blocks import escape_mrkdwn  # noqa: E402
from adapters.slack.client import make_web_client  # noqa: E402
from bot.archive import Archive  # noqa: E402
from bot.commands import CommandContext  # noqa: E402
from bot.ingest import SAMPLE_ARCHIVE_DIR  # noqa: E402
from bot.parser import parse_file  # noqa: E402
from config import BotSettings  # noqa: E402
from config.settings import SlackSettings  # noqa: E402
from tests.fakes.asgi_server import serve_asgi  # noqa: E402
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI  # noqa: E402

SECRET = "benchmark-signing-secret"  # noqa: S105 - a benchmark's own test secret
TARGET_RATIO = 1.3
KINDS = {"bare": "bare ack-only bolt app", "bot": "digest-bot /paper"}


def sample_titles() -> dict[str, str]:
    digests = [parse_file(p) for p in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md"))]
    return {p.arxiv_id: p.title for d in digests for p in d.papers if p.arxiv_id}


def signed(body: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
    }


@asynccontextmanager
async def running(kind: str, folder: Path, inline: bool = False) -> AsyncIterator[str]:
    """The fake Slack API and one app (`bot` or `bare`) under uvicorn; yields the app's URL."""
    async with FakeSlackAPI() as api:
        if kind == "bot":
            archive = Archive.from_url(f"sqlite:///{folder / 'bot.sqlite3'}")
            archive.import_digests(
                parse_file(p) for p in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md"))
            )
            settings = BotSettings(
                slack=SlackSettings(mode="http", api_base_url=api.base_url),
                slack_bot_token=SecretStr(FAKE_BOT_TOKEN),
                slack_signing_secret=SecretStr(SECRET),
            )
            adapter = SlackAdapter(
                settings, lambda: CommandContext(archive=archive, today=dt.date(2025, 1, 11))
            )
            await adapter.start()
            try:
                async with serve_asgi(adapter.http_routes["/slack/events"]) as url:
                    yield url
            finally:
                await adapter.close()
        else:
            client = make_web_client(FAKE_BOT_TOKEN, api.base_url)
            # bolt's defaults (the listener runs as a task; bolt polls for its ack every 10 ms);
            # --bare-inline runs it inline (process_before_response=True), as the bot's app does.
            bare = AsyncApp(signing_secret=SECRET, client=client, process_before_response=inline)

            @bare.command("/paper")
            async def ack_only(ack: AsyncAck) -> None:
                await ack()

            async with serve_asgi(AsyncSlackRequestHandler(bare)) as url:
                yield url


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # what was wrong with an answer
    wall: float = 0.0


async def post_httpx(
    http: httpx.AsyncClient, body: str, headers: dict[str, str]
) -> tuple[int, str]:
    response = await http.post("/slack/events", content=body, headers=headers)
    return response.status_code, response.text


async def post_aiohttp(
    http: aiohttp.ClientSession, body: str, headers: dict[str, str]
) -> tuple[int, str]:
    async with http.post("/slack/events", data=body, headers=headers) as response:
        return response.status, (await response.read()).decode("utf-8")


async def load(
    url: str, titles: dict[str, str], count: int, concurrency: int, kind: str, client: str
) -> Run:
    """`count` signed `/paper` requests, `concurrency` in flight at a time."""
    run = Run()
    answers: list[tuple[str, int, str]] = []
    ids = sorted(titles)
    rng = random.Random(1)
    papers = [rng.choice(ids) for _ in range(count)]
    http: httpx.AsyncClient | aiohttp.ClientSession
    if client == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        http = httpx.AsyncClient(base_url=url, limits=limits, timeout=30)
    else:
        http = aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=concurrency))
    async with http:

        async def one(number: int) -> None:
            paper = papers[number]
            body = urlencode(
                {
                    "token": "deprecated-verification-token",
                    "team_id": "T0FAKETEAM",
                    "channel_id": DEFAULT_CHANNEL,
                    "user_id": "U0HUMAN001",
                    "command": "/paper",
                    "text": paper,
                    "response_url": f"{url}/unused/{number}",
                    "trigger_id": f"trigger.{number}",
                    "api_app_id": "A0FAKEAPP",
                }
            )
            headers = signed(body)
            started = time.perf_counter()
            if isinstance(http, httpx.AsyncClient):
                status, text = await post_httpx(http, body, headers)
            else:
                status, text = await post_aiohttp(http, body, headers)
            run.latencies.append(time.perf_counter() - started)
            answers.append((paper, status, text))

        numbers = iter(range(count))

        async def worker() -> None:
            for number in numbers:
                await one(number)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.wall = time.perf_counter() - started
    # Checked after the load: checking in the loop would slow the client for the bot alone.
    for paper, status, text in answers:
        if status != 200:
            run.bad.append(f"{paper}: HTTP {status} {text[:120]}")
        elif kind == "bot":
            shown = json.dumps(json.loads(text), ensure_ascii=False)
            if escape_mrkdwn(titles[paper])[:40] not in shown:
                run.bad.append(f"{paper}: title missing from {shown[:120]}")
    return run


async def serve_until_stdin_closes(kind: str, folder: Path, inline: bool) -> None:
    """The child process: serve, say where on stdout, stop when the parent closes stdin."""
    async with running(kind, folder, inline) as url:
        print(url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


@asynccontextmanager
async def server(kind: str, folder: Path, same_process: bool, inline: bool) -> AsyncIterator[str]:
    if same_process:
        async with running(kind, folder, inline) as url:
            yield url
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--folder",
        str(folder),
        *(["--bare-inline"] if inline else []),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        if not line:
            raise RuntimeError(f"the {kind} server exited with {await child.wait()}")
        yield line.decode().strip()
    finally:
        child.stdin.close()
        await child.wait()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(kind: str, folder: Path, args: argparse.Namespace) -> Run:
    titles = sample_titles()
    async with server(kind, folder, args.same_process, args.bare_inline) as url:
        warm = await load(url, titles, args.warm_up, args.concurrency, kind, args.client)
        run = await load(url, titles, args.requests, args.concurrency, kind, args.client)
    run.bad = warm.bad + run.bad
    ms = [s * 1000 for s in run.latencies]
    print(
        f"{KINDS[kind]:24s} p50 {percentile(ms, 0.5):6.1f} ms  p99 {percentile(ms, 0.99):6.1f} ms"
        f"  mean {statistics.fmean(ms):6.1f} ms  max {max(ms):6.1f} ms"
        f"  {len(ms) / run.wall:5.0f} req/s"
    )
    return run


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=200)
    parser.add_argument("--same-process", action="store_true")
    parser.add_argument("--client", choices=["httpx", "aiohttp"], default="httpx")
    parser.add_argument("--bare-inline", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", choices=sorted(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        await serve_until_stdin_closes(args.serve, args.folder, args.bare_inline)
        return 0
    where = "this process" if args.same_process else "a process of its own"
    print(
        f"{args.requests} signed /paper requests, {args.concurrency} in flight, after "
        f"{args.warm_up} warm-up requests; each server in {where}; client {args.client}; "
        f"bare app {'inline' if args.bare_inline else 'with bolt defaults'}"
    )
    runs: dict[str, list[Run]] = {"bare": [], "bot": []}
    with tempfile.TemporaryDirectory() as folder:
        # Alternating rounds: a drift of the machine (another process, CPU clock) hits both.
        for _ in range(args.rounds):
            for kind in runs:
                runs[kind].append(await measure(kind, Path(folder), args))
    p99 = {kind: [percentile(r.latencies, 0.99) for r in done] for kind, done in runs.items()}
    rounds = [bot / bare for bare, bot in zip(p99["bare"], p99["bot"], strict=True)]
    ratio = statistics.median(p99["bot"]) / statistics.median(p99["bare"])
    answered = (args.requests + args.warm_up) * args.rounds
    print(f"p99 ratio per round {', '.join(f'{r:.2f}' for r in rounds)}")
    print(f"p99 ratio {ratio:.2f} (median bot p99 / median bare p99; target ≤ {TARGET_RATIO})")
    print(f"{'PASS' if ratio <= TARGET_RATIO else 'MISS'}  bot p99 ≤ {TARGET_RATIO} × bare p99")
    for kind, done in runs.items():
        bad = [problem for run in done for problem in run.bad]
        what = "HTTP 200 with the paper's title" if kind == "bot" else "HTTP 200"
        print(
            f"{'PASS' if not bad else 'MISS'}  {KINDS[kind]}: "
            f"{answered - len(bad)}/{answered} answers were {what}"
        )
        for problem in bad[:3]:
            print(f"      e.g. {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
