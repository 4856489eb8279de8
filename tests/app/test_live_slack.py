"""End to end: the Hugging Face API (httpx.MockTransport) in, the fake Slack API out.

A digest posted before the day's list closed is edited in place as late papers and new votes
arrive, and is never posted twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from adapters.slack.client import make_web_client
from adapters.slack.pacing import ChannelPacer
from adapters.slack.publisher import SlackPublisher
from bot.app.runner import DigestRunner
from bot.archive import Archive
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ledger import DeliveryLedger
from bot.sources import HuggingFaceSource
from config import BotSettings, ChannelConfig
from config.settings import LiveSettings
from tests.app.test_runner import Clock, FakeSleep
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

FIRE = dt.datetime(2025, 1, 9, 9, 0, tzinfo=dt.UTC)
CHANNEL = ChannelConfig(name="team", platform="slack", target=DEFAULT_CHANNEL, schedule="0 9 * * *")


def entry(n: int, votes: int) -> dict[str, Any]:
    """One paper as the API lists it (our own words)."""
    return {
        "title": f"Paper number {n}",
        "paper": {
            "id": f"2501.{n:05d}",
            "title": f"Paper number {n}",
            "upvotes": votes,
            "authors": [{"name": "Ada Example"}],
            "ai_summary": f"What paper {n} does, in a sentence we wrote.",
        },
    }


class DailyPapersAPI:
    """The API's answer for 2025-01-09 changes over (injected) time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.timeline: list[tuple[dt.datetime, list[dict[str, Any]]]] = []
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self.answer))

    def at(self, moment: dt.datetime, *entries: dict[str, Any]) -> None:
        self.timeline.append((moment, list(entries)))

    def answer(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/daily_papers"
        if request.url.params["date"] != "2025-01-09":
            return httpx.Response(200, json=[])
        lists = [entries for moment, entries in self.timeline if moment <= self.clock()]
        return httpx.Response(200, content=json.dumps(lists[-1] if lists else []))


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as server:
        yield server


async def test_posted_before_the_list_closed_then_edited_in_place(
    slack: FakeSlackAPI, database_engine: Engine
) -> None:
    clock = Clock(FIRE)
    hf = DailyPapersAPI(clock)
    hf.at(FIRE, entry(1, 20), entry(2, 8))
    hf.at(FIRE + dt.timedelta(minutes=3), entry(1, 21), entry(2, 8), entry(3, 4))

    async def no_sleep(seconds: float) -> None:
        return None

    publisher = SlackPublisher(
        make_web_client(FAKE_BOT_TOKEN, slack.base_url), pacer=ChannelPacer(0), sleep=no_sleep
    )
    ledger = DeliveryLedger(database_engine, "me", clock=clock)
    settings = BotSettings(
        channels=[CHANNEL], data_dir=Path("/nonexistent"), live=LiveSettings(settle_minutes=30)
    )
    runner = DigestRunner(
        settings,
        Archive(database_engine),
        HuggingFaceSource(client=hf.client),
        DeliveryEngine(ledger, {"slack": publisher}),
        clock=clock,
        sleep=FakeSleep(clock),
    )

    assert await runner.run_scheduled(CHANNEL, FIRE) == "delivered"
    assert clock.now >= FIRE + dt.timedelta(minutes=33)  # waited for the list to settle
    header, *replies = slack.messages(DEFAULT_CHANNEL)
    assert len(replies) == 3

    # Overnight: paper 3 climbs to the top and paper 4 arrives late.
    clock.now = dt.datetime(2025, 1, 10, 2, 0, tzinfo=dt.UTC)
    hf.at(clock.now, entry(1, 25), entry(2, 8), entry(3, 60), entry(4, 2))
    assert await runner.refresh_live() == {"team": [dt.date(2025, 1, 9)]}

    top_level = [m for m in slack.messages(DEFAULT_CHANNEL) if not m.is_reply]
    assert len(top_level) == 1  # edited, never posted twice
    header, *replies = slack.messages(DEFAULT_CHANNEL)
    assert header.edited_ts is not None
    assert "4 papers" in header.text
    assert "Paper number 3 (▲ 60)" in header.text
    assert [reply.text.split(" (")[0] for reply in replies] == [
        "Paper number 1",
        "Paper number 2",
        "Paper number 3",
        "Paper number 4",
    ]
    assert replies[1].edited_ts is None  # paper 2 did not change: not touched
    assert runner.archive.get_digest(dt.date(2025, 1, 9)) is not None

    # The list closed; nothing changes any more, so nothing is sent.
    calls = len(slack.calls)
    assert await runner.refresh_live() == {}
    assert [c for c in slack.calls[calls:] if c.method.startswith("chat.")] == []
