"""Delivery through a real publisher (the console) and the ledger: once, resumable, isolated."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pytest
from rich.console import Console
from sqlalchemy import Engine

from adapters.console.publisher import ConsolePublisher
from bot.delivery.engine import DeliveryEngine, DeliveryTarget
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage
from bot.errors import DeliveryError
from bot.formatter import FormatOptions
from bot.messages import Post
from bot.models import Digest, Paper

DIGEST = Digest(
    date=dt.date(2025, 1, 9),
    papers=[
        Paper(
            arxiv_id=f"2501.0000{n}",
            title=f"Paper {n}",
            url=f"https://arxiv.org/abs/2501.0000{n}",
            votes=n,
        )
        for n in range(1, 4)
    ],
)


class CrashingPublisher:
    """Sends `crash_after` messages, then fails like a dropped connection."""

    platform = "console"

    def __init__(self, crash_after: int, *, permanent: bool = False) -> None:
        self.crash_after = crash_after
        self.permanent = permanent
        self.sent: list[int] = []

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        done = {m.index for m in already_sent}
        for index, _ in enumerate(post.messages):
            if index in done:
                continue
            if len(self.sent) == self.crash_after:
                raise DeliveryError("connection reset", permanent=self.permanent)
            self.sent.append(index)
            await record(SentMessage(index, key.part(index)))


def target(mode: str = "thread") -> DeliveryTarget:
    return DeliveryTarget("research", "console", "research", FormatOptions(mode=mode))  # type: ignore[arg-type]


async def test_console_delivery_happens_once(database_engine: Engine) -> None:
    out = io.StringIO()
    engine = DeliveryEngine(
        DeliveryLedger(database_engine, "me"),
        {"console": ConsolePublisher(Console(file=out, width=100))},
    )
    assert await engine.deliver(target(), DIGEST) == "delivered"
    assert await engine.deliver(target(), DIGEST) == "skipped"
    text = out.getvalue()
    assert text.count("Daily Papers — 2025-01-09") == 1
    assert text.count("Paper 3") == 2  # in the header's top list and as its own reply
    record = engine.ledger.get("research", DIGEST.date)
    assert record is not None
    assert record.messages == 4


async def test_a_crash_mid_thread_resumes_without_repeating(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    first = CrashingPublisher(crash_after=2)
    assert await DeliveryEngine(ledger, {"console": first}).deliver(target(), DIGEST) == "failed"
    second = CrashingPublisher(crash_after=99)
    assert (
        await DeliveryEngine(ledger, {"console": second}).deliver(target(), DIGEST) == "delivered"
    )
    assert first.sent + second.sent == [0, 1, 2, 3]


async def test_a_permanent_failure_is_abandoned(
    database_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    publisher = CrashingPublisher(crash_after=0, permanent=True)
    assert (
        await DeliveryEngine(ledger, {"console": publisher}).deliver(target(), DIGEST)
        == "abandoned"
    )
    assert (
        await DeliveryEngine(ledger, {"console": CrashingPublisher(99)}).deliver(target(), DIGEST)
        == "skipped"
    )
    assert "delivery failed channel=research" in caplog.text
