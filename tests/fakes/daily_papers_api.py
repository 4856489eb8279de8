"""A Hugging Face daily papers API whose list of 2025-01-09 changes over (injected) time.

Shared by the live-update tests of every platform: the same list, the same moments, and a
runner on the real `HuggingFaceSource` reading it through `httpx.MockTransport`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from bot.archive import Archive
from bot.clock import Sleep
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.publisher import Publisher
from bot.delivery.runner import DigestRunner
from bot.sources import HuggingFaceSource
from config import BotSettings, ChannelConfig
from config.settings import LiveSettings
from tests.fakes.clock import ManualClock

DAY = dt.date(2025, 1, 9)
FIRE = dt.datetime(2025, 1, 9, 9, 0, tzinfo=dt.UTC)
LIST_CLOSED = dt.datetime(2025, 1, 10, 3, 0, tzinfo=dt.UTC)  # the list of the 9th stops growing
NOTE = "This digest has no papers."


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

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.timeline: list[tuple[dt.datetime, list[dict[str, Any]]]] = []
        self.asked: list[dt.datetime] = []  # when the list of 2025-01-09 was asked for
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self.answer))

    def at(self, moment: dt.datetime, *entries: dict[str, Any]) -> None:
        self.timeline.append((moment, list(entries)))

    def answer(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/daily_papers"
        if request.url.params["date"] != "2025-01-09":
            return httpx.Response(200, json=[])
        self.asked.append(self.clock.now())
        lists = [entries for moment, entries in self.timeline if moment <= self.clock.now()]
        return httpx.Response(200, content=json.dumps(lists[-1] if lists else []))


def hf_runner(
    database_engine: Engine,
    clock: ManualClock,
    hf: DailyPapersAPI,
    channel: ChannelConfig,
    publishers: Mapping[str, Publisher],
    sleep: Sleep,
) -> DigestRunner:
    """A runner on the Hugging Face API, with a 30-minute settle time and a day's live window."""
    settings = BotSettings(
        channels=[channel],
        data_dir=Path("/nonexistent"),
        live=LiveSettings(settle_minutes=30, refresh_minutes=30, window_hours=24),
    )
    return DigestRunner(
        settings,
        Archive(database_engine),
        HuggingFaceSource(client=hf.client),
        DeliveryEngine(DeliveryLedger(database_engine, "me", clock=clock.now), publishers),
        clock=clock.now,
        sleep=sleep,
    )
