"""`/slack/events` against hostile input, over loopback: bounded bodies, 400 not 500, quiet logs."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from adapters.slack.adapter import SlackAdapter
from adapters.slack.http_events import SlackEventsApp
from bot.archive import Archive
from bot.commands import CommandContext
from config import BotSettings
from config.settings import SlackSettings
from tests.fakes.asgi_server import serve_asgi
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

SECRET = "a-signing-secret-for-these-tests"
CAP = 4096  # bytes; the real cap is 1 MB, the rule is the same
MARKER = "BODY-MARKER-7f3a"


class CountingApp:
    """Wraps an ASGI app and counts the body bytes it took from the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.received = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def counted() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
async def served(
    sample_archive: Archive, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[CountingApp, str]]:
    # Before the app exists: bolt's loggers copy the root's level when they are made, and
    # `digest-bot run` logs at INFO.
    caplog.set_level(logging.DEBUG)
    async with FakeSlackAPI() as api:
        settings = BotSettings(
            slack=SlackSettings(mode="http", api_base_url=api.base_url),
            slack_bot_token=SecretStr(FAKE_BOT_TOKEN),
            slack_signing_secret=SecretStr(SECRET),
        )
        adapter = SlackAdapter(
            settings,
            lambda caller=None: CommandContext(archive=sample_archive, today=dt.date(2025, 1, 11)),
        )
        assert adapter.app is not None
        await adapter.start()
        counting = CountingApp(SlackEventsApp(adapter.app, SECRET, max_body=CAP))
        try:
            async with serve_asgi(counting) as url:
                yield counting, url
        finally:
            await adapter.close()


def signed(body: str | bytes, timestamp: str | None = None) -> dict[str, str]:
    """Headers signing `body` as Slack would (Slack's scheme over bytes: any body can be signed)."""
    stamp = timestamp or str(int(time.time()))
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(SECRET.encode(), b"v0:%s:%s" % (stamp.encode(), raw), hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def command(text: str) -> str:
    return urlencode(
        {
            "command": "/paper",
            "text": text,
            "team_id": "T0FAKETEAM",
            "user_id": "U0HUMAN001",
            "channel_id": DEFAULT_CHANNEL,
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "t1",
        }
    )


async def raw_exchange(url: str, head: bytes, body_chunks: int, chunk: bytes) -> bytes:
    """Send `head`, then chunks while the server still reads; return what the server answered."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))

    async def write_body() -> None:
        with contextlib.suppress(ConnectionError):
            for _ in range(body_chunks):
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    writer.write(head)
    sender = asyncio.create_task(write_body())
    try:
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        writer.close()
    return answer


async def test_a_signed_command_under_the_cap_is_answered(served: tuple[CountingApp, str]) -> None:
    _, url = served
    body = command("2501.04519")
    async with httpx.AsyncClient(base_url=url) as http:
        answer = await http.post("/slack/events", content=body, headers=signed(body))
    assert answer.status_code == 200
    assert "rStar-Math" in answer.text


async def test_a_streamed_body_over_the_cap_gets_413_and_is_not_read_whole(
    served: tuple[CountingApp, str], caplog: pytest.LogCaptureFixture
) -> None:
    counting, url = served
    chunk = (MARKER * 64).encode()[:1024]
    chunks = 1024  # 1 MB sent, 256 times the cap
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    answer = await raw_exchange(url, head, chunks, chunk)
    assert answer.startswith(b"HTTP/1.1 413")
    # What the server buffered before it stopped reading, never the whole body.
    assert counting.received < chunks * len(chunk) // 4
    assert MARKER not in caplog.text


async def test_a_declared_length_over_the_cap_is_refused_before_any_byte_is_read(
    served: tuple[CountingApp, str],
) -> None:
    counting, url = served
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head)  # and no body at all: the answer must not wait for it
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 413")
    assert counting.received == 0


async def test_a_refused_body_never_reaches_the_log_and_cannot_forge_a_line(
    served: tuple[CountingApp, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, url = served
    forged = f"text={MARKER}\n2025-01-09 09:00:00 INFO bot: forged line"
    headers = {**signed("something else"), "X-Slack-Signature": "v0=" + "0" * 64}
    async with httpx.AsyncClient(base_url=url) as http:
        answer = await http.post("/slack/events", content=forged, headers=headers)
    assert answer.status_code == 401
    assert MARKER not in caplog.text
    assert "forged line" not in caplog.text
    assert all("\n" not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "timestamp", ["not-a-number", "1e9", "-5", "9" * 5000, "１７３６４０００００"]
)
async def test_a_malformed_timestamp_gets_400(
    served: tuple[CountingApp, str], timestamp: str
) -> None:
    _, url = served
    body = command("2501.04519")
    headers = {k.encode(): v.encode() for k, v in signed(body).items()}
    headers[b"X-Slack-Request-Timestamp"] = timestamp.encode()  # UTF-8 bytes, as sent
    async with httpx.AsyncClient(base_url=url) as http:
        answer = await http.post("/slack/events", content=body.encode(), headers=headers)
    assert answer.status_code == 400
    assert "X-Slack-Request-Timestamp" in answer.text


@pytest.mark.parametrize(
    "body",
    [
        b"payload=not-json",
        b"payload=%5B1%2C2%5D",  # JSON, but a list where Slack sends an object
        b"{broken json",
        b"command=%2Fpaper&text=\xff\xfe",  # not UTF-8
    ],
)
@pytest.mark.parametrize("sign", [True, False])
async def test_a_malformed_body_gets_400(
    served: tuple[CountingApp, str], body: bytes, sign: bool
) -> None:
    _, url = served
    headers = signed(body) if sign else {"Content-Type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient(base_url=url) as http:
        answer = await http.post("/slack/events", content=body, headers=headers)
    assert answer.status_code == 400
    assert answer.text == "malformed request body\n"
