"""Benchmark: the bot's peak memory while an unsigned 50 MB POST is sent to /slack/events.

    .venv/bin/python benchmarks/slack_http_body.py [--megabytes 50]

Starts `digest-bot run` as its own process in Slack HTTP mode (against a local fake Slack API),
then sends an unsigned body of the given size twice: once with a Content-Length header, once
chunked (no length known in advance), as anyone on the internet could. Prints the HTTP status of
each and the bot's peak resident memory (VmHWM) before and after. Target: 413 for both, and a
peak that does not grow with the body's size (the body is refused past 1 MB, unread).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import tempfile
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI  # noqa: E402

CHUNK = 64 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: Linux only")


async def post_body(port: int, size: int, *, chunked: bool) -> str:
    """Send an unsigned body of `size` bytes; the status line the bot answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % size
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n%s\r\n\r\n" % framing
    )
    chunk = b"x" * CHUNK

    async def send() -> None:
        with contextlib.suppress(ConnectionError):
            for _ in range(size // CHUNK):
                writer.write(b"%x\r\n%s\r\n" % (CHUNK, chunk) if chunked else chunk)
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
            await writer.drain()

    sender = asyncio.create_task(send())
    try:
        status = await asyncio.wait_for(reader.readline(), timeout=120)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        writer.close()
    return status.decode().strip()


async def main(megabytes: int) -> None:
    port = free_port()
    async with FakeSlackAPI() as api:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "digest-bot.toml"
            config.write_text(
                f"""
data_dir = "{folder}/data"
[http]
enabled = true
port = {port}
[slack]
mode = "http"
api_base_url = "{api.base_url}"
[[channels]]
name = "team"
platform = "slack"
target = "{DEFAULT_CHANNEL}"
catch_up_hours = 0
""",
                encoding="utf-8",
            )
            env = {
                **os.environ,
                "SLACK_BOT_TOKEN": FAKE_BOT_TOKEN,
                "SLACK_SIGNING_SECRET": "benchmark-signing-secret",
            }
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config),
                cwd=PROJECT_ROOT, env=env, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                async with httpx.AsyncClient() as http:
                    for _ in range(600):
                        with contextlib.suppress(httpx.HTTPError):
                            if (await http.get(f"http://127.0.0.1:{port}/healthz")).is_success:
                                break
                        await asyncio.sleep(0.1)
                    else:
                        raise SystemExit("the bot did not start serving /healthz")
                before = peak_rss_mb(bot.pid)
                size = megabytes * 1024 * 1024
                with_length = await post_body(port, size, chunked=False)
                chunked = await post_body(port, size, chunked=True)
                after = peak_rss_mb(bot.pid)
            finally:
                bot.terminate()
                await bot.wait()
    print(f"unsigned {megabytes} MB POST /slack/events with Content-Length: {with_length}")
    print(f"unsigned {megabytes} MB POST /slack/events chunked:             {chunked}")
    print(f"bot peak RSS: {before:.0f} MB before, {after:.0f} MB after")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    asyncio.run(main(parser.parse_args().megabytes))
