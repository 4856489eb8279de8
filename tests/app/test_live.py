"""Live digests (a source whose day keeps changing): wait for the list, then edit in place."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from adapters.console.publisher import ConsolePublisher
from bot.archive import Archive
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.runner import DigestRunner
from bot.models import Digest, Paper
from config import BotSettings, ChannelConfig
from config.settings import LiveSettings
from tests.fakes.clock import ManualClock
from tests.fakes.digests import make_paper

DAY = dt.date(2025, 1, 9)
FIRE = dt.datetime(2025, 1, 9, 9, 0, tzinfo=dt.UTC)  # the list of the 9th is still filling
CHANNEL = ChannelConfig(name="research", platform="console", schedule="0 9 * * *")


class GrowingList:
    """Stands in for the Hugging Face API: the day's list as it is at each moment."""

    live = True
    description = "huggingface.co daily papers API"

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.timeline: list[tuple[dt.datetime, list[Paper]]] = []  # of DAY; other days are empty

    def at(self, moment: dt.datetime, *papers: Paper) -> None:
        self.timeline.append((moment, list(papers)))

    async def fetch(self, day: dt.date) -> Digest | None:
        now = self.clock.now()
        current = [papers for moment, papers in self.timeline if moment <= now and day == DAY]
        if not current or not current[-1]:
            return None  # what the API's empty list means: nothing (yet)
        return Digest(date=day, papers=current[-1], source=self.description)

    async def list_days(self) -> list[dt.date] | None:
        return None


def make(
    engine: Engine, source: GrowingList, clock: ManualClock, channel: ChannelConfig = CHANNEL
) -> tuple[DigestRunner, io.StringIO]:
    out = io.StringIO()
    settings = BotSettings(
        channels=[channel],
        data_dir=Path("/nonexistent"),
        live=LiveSettings(settle_minutes=30, refresh_minutes=30, window_hours=24),
    )
    ledger = DeliveryLedger(engine, "me", clock=clock.now)
    delivery = DeliveryEngine(ledger, {"console": ConsolePublisher(Console(file=out, width=120))})
    runner = DigestRunner(
        settings,
        Archive(engine),
        source,
        delivery,
        clock=clock.now,
        sleep=clock.sleep,
    )
    return runner, out


async def test_the_day_is_posted_once_its_list_stops_growing(database_engine: Engine) -> None:
    clock = ManualClock(FIRE)
    source = GrowingList(clock)
    source.at(FIRE, make_paper(1, 10), make_paper(2, 5))
    source.at(FIRE + dt.timedelta(minutes=2), make_paper(1, 12), make_paper(2, 5), make_paper(3, 1))
    runner, out = make(database_engine, source, clock)

    assert await runner.run_scheduled(CHANNEL, FIRE) == "delivered"

    # Seen at 0 s (2 papers), 60 s (2), 180 s (3 papers: the clock restarts), then unchanged
    # until 30 minutes after that.
    assert clock.now() - (FIRE + dt.timedelta(seconds=180)) >= dt.timedelta(minutes=30)
    assert clock.slept == [60.0, 120.0, 240.0, 480.0, 900.0, 900.0]
    shown = out.getvalue()
    assert shown.count("Daily Papers — 2025-01-09") == 1
    assert "Paper 3" in shown


async def test_a_closed_list_is_posted_at_once_and_an_empty_one_gets_its_note(
    database_engine: Engine,
) -> None:
    after_close = dt.datetime(2025, 1, 10, 3, 0, tzinfo=dt.UTC)
    clock = ManualClock(after_close)
    source = GrowingList(clock)
    source.at(FIRE, make_paper(1, 10))
    runner, out = make(database_engine, source, clock)
    assert await runner.run_scheduled(CHANNEL, after_close - dt.timedelta(days=1)) == "delivered"
    assert clock.slept == []

    saturday = dt.datetime(2025, 1, 11, 9, 0, tzinfo=dt.UTC)
    clock.jump_to(dt.datetime(2025, 1, 12, 3, 0, tzinfo=dt.UTC))  # its list closed empty
    assert await runner.run_scheduled(CHANNEL, saturday) == "delivered"
    assert clock.slept == []
    assert "Daily Papers — 2025-01-11" in out.getvalue()
    assert "This digest has no papers." in out.getvalue()


async def test_late_papers_and_votes_edit_the_post_in_place(database_engine: Engine) -> None:
    clock = ManualClock(dt.datetime(2025, 1, 10, 4, 0, tzinfo=dt.UTC))
    source = GrowingList(clock)
    source.at(FIRE, make_paper(1, 10), make_paper(2, 5))
    runner, out = make(database_engine, source, clock)
    assert await runner.post(CHANNEL, DAY) == "delivered"
    ledger = runner.engine.ledger
    record = ledger.get("research", DAY)
    assert record is not None
    assert record.messages == 3  # header + 2 papers

    assert await runner.refresh_live() == {}  # nothing changed: nothing touched
    assert "✎ updated" not in out.getvalue()

    clock.advance(dt.timedelta(minutes=30))
    # Paper 2 gained votes and now leads; paper 3 came late.
    source.at(clock.now(), make_paper(1, 10), make_paper(2, 40), make_paper(3, 2))
    assert await runner.refresh_live() == {"research": [DAY]}
    shown = out.getvalue()
    assert shown.count("Daily Papers — 2025-01-09") == 2  # the header, once edited
    assert shown.count("✎ updated") == 2  # the header and paper 2's message, not paper 1's
    record = ledger.get("research", DAY)
    assert record is not None
    assert (record.state, record.messages) == ("done", 4)  # paper 3 posted in the thread
    # Paper 2 stays in its place (the second reply); the header now ranks it first.
    contents = ledger.contents("research", DAY)
    assert contents is not None
    assert contents.paper_keys == ("2501.00001", "2501.00002", "2501.00003")

    assert await runner.refresh_live() == {}  # and nothing again
    clock.advance(dt.timedelta(hours=25))  # the window is over: no more updates
    source.at(clock.now(), make_paper(1, 11), make_paper(2, 41), make_paper(3, 2))
    assert await runner.refresh_live() == {}


async def test_two_processes_never_post_a_late_paper_twice(database_engine: Engine) -> None:
    clock = ManualClock(dt.datetime(2025, 1, 10, 4, 0, tzinfo=dt.UTC))
    source = GrowingList(clock)
    source.at(FIRE, make_paper(1, 10))
    first, _ = make(database_engine, source, clock)
    second, _ = make(database_engine, source, clock)
    assert await first.post(CHANNEL, DAY) == "delivered"
    source.at(clock.now(), make_paper(1, 10), make_paper(2, 3))
    # The first process holds the update's claim while the second looks: it backs off.
    claim = first.engine.ledger.claim_update("research", DAY)
    assert claim is not None
    assert await second.refresh_live() == {}
    first.engine.ledger.finish(claim, 2)
    assert await second.refresh_live() == {"research": [DAY]}
    assert await first.refresh_live() == {}
    record = first.engine.ledger.get("research", DAY)
    assert record is not None
    assert record.messages == 3


async def test_a_note_posted_too_early_becomes_the_digest(database_engine: Engine) -> None:
    clock = ManualClock(dt.datetime(2025, 1, 9, 15, 0, tzinfo=dt.UTC))  # the deadline, list empty
    source = GrowingList(clock)
    runner, out = make(database_engine, source, clock)
    assert await runner.run_scheduled(CHANNEL, FIRE) == "delivered"
    assert "This digest has no papers." in out.getvalue()

    clock.advance(dt.timedelta(hours=1))
    source.at(clock.now(), make_paper(1, 4))
    assert await runner.refresh_live() == {"research": [DAY]}
    record = runner.engine.ledger.get("research", DAY)
    assert record is not None
    assert record.messages == 2  # the note, edited into the header, and the paper's reply
    assert out.getvalue().count("✎ updated") == 1
