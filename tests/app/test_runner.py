"""Time-driven behaviour, with an injected clock: catch-up windows and waiting for a digest."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from adapters.console.publisher import ConsolePublisher
from bot.app.main import BotApp
from bot.delivery.runner import DigestRunner
from bot.ingest import SAMPLE_ARCHIVE_DIR
from bot.models import Digest
from bot.sources import DirectorySource, iter_digest_files
from config import BotSettings, ChannelConfig
from tests.fakes.clock import ManualClock


class LateSource:
    """A source whose digest appears only after `ready_at` (the day's list is still filling)."""

    def __init__(self, clock: ManualClock, ready_at: dt.datetime, folder: Path) -> None:
        self.clock = clock
        self.ready_at = ready_at
        self.inner = DirectorySource(folder)
        self.description = "late folder"
        self.live = False

    async def fetch(self, day: dt.date) -> Digest | None:
        return await self.inner.fetch(day) if self.clock.now() >= self.ready_at else None

    async def list_days(self) -> list[dt.date] | None:
        return None


_APPS: list[BotApp] = []


@pytest.fixture(autouse=True)
def _close_apps() -> Iterator[None]:
    """Each test's bot gives its database connections back (PostgreSQL counts them)."""
    yield
    while _APPS:
        _APPS.pop().archive.engine.dispose()


def make_runner(
    engine: Engine, clock: ManualClock, channel: ChannelConfig, source: object = None
) -> tuple[DigestRunner, io.StringIO]:
    """The runner of the real bot, on `engine`'s database, `clock` and a console channel."""
    out = io.StringIO()
    settings = BotSettings(
        channels=[channel],
        data_dir=Path("/nonexistent"),
        database_url=engine.url.render_as_string(hide_password=False),
    )
    app = BotApp(
        settings,
        Console(file=out, width=100),
        source=source or DirectorySource(SAMPLE_ARCHIVE_DIR),  # type: ignore[arg-type]
        publishers={"console": ConsolePublisher(Console(file=out, width=100))},
        clock=clock.now,
        sleep=clock.sleep,
    )
    _APPS.append(app)
    return app.runner, out


CHANNEL = ChannelConfig(
    name="research",
    platform="console",
    schedule="0 9 * * *",
    timezone="Asia/Seoul",
    catch_up_hours=36,
)


async def test_days_missed_while_down_are_caught_up_inside_the_window(
    database_engine: Engine,
) -> None:
    # Down since before 2025-01-09 09:00 KST; back at 2025-01-10 10:00 KST: two runs were missed.
    clock = ManualClock(dt.datetime(2025, 1, 10, 1, 0, tzinfo=dt.UTC))
    runner, out = make_runner(database_engine, clock, CHANNEL)
    assert await runner.catch_up() == {
        ("research", "daily"): [dt.date(2025, 1, 9), dt.date(2025, 1, 10)]
    }
    assert await runner.catch_up() == {}  # nothing twice
    assert out.getvalue().count("Daily Papers — 2025-01-09") == 1


async def test_runs_outside_the_window_are_skipped(database_engine: Engine) -> None:
    clock = ManualClock(dt.datetime(2025, 1, 10, 1, 0, tzinfo=dt.UTC))
    narrow = CHANNEL.model_copy(update={"catch_up_hours": 2.0})
    runner, out = make_runner(database_engine, clock, narrow)
    assert await runner.catch_up() == {("research", "daily"): [dt.date(2025, 1, 10)]}
    assert "Daily Papers — 2025-01-09" not in out.getvalue()
    assert "Daily Papers — 2025-01-10" in out.getvalue()


async def test_a_late_digest_is_polled_with_backoff_until_it_appears(
    database_engine: Engine,
) -> None:
    fire = dt.datetime(2025, 1, 9, 0, 0, tzinfo=dt.UTC)  # 09:00 in Seoul
    clock = ManualClock(fire)
    source = LateSource(clock, fire + dt.timedelta(minutes=5), SAMPLE_ARCHIVE_DIR)
    runner, out = make_runner(database_engine, clock, CHANNEL, source)
    assert await runner.run_scheduled(CHANNEL, fire) == "delivered"
    assert clock.slept == [60.0, 120.0, 240.0]
    assert "Daily Papers — 2025-01-09" in out.getvalue()


async def test_no_digest_by_the_deadline_posts_the_note_once(database_engine: Engine) -> None:
    fire = dt.datetime(2025, 1, 20, 0, 0, tzinfo=dt.UTC)  # the sample has no such day
    clock = ManualClock(fire)
    runner, out = make_runner(database_engine, clock, CHANNEL)
    assert await runner.run_scheduled(CHANNEL, fire) == "delivered"
    assert clock.now() <= fire + dt.timedelta(hours=CHANNEL.wait_for_digest_hours)
    assert sum(clock.slept) > 3600
    assert "Daily Papers — 2025-01-20" in out.getvalue()
    assert "This digest has no papers." in out.getvalue()
    assert await runner.run_scheduled(CHANNEL, fire) == "skipped"  # never twice
    assert runner.archive.get_digest(dt.date(2025, 1, 20)) is None  # not an archive day


async def test_without_the_note_an_empty_day_posts_nothing(database_engine: Engine) -> None:
    fire = dt.datetime(2025, 1, 20, 0, 0, tzinfo=dt.UTC)
    quiet = CHANNEL.model_copy(update={"empty_day_note": False})
    runner, out = make_runner(database_engine, ManualClock(fire), quiet)
    assert await runner.run_scheduled(quiet, fire) is None
    assert out.getvalue() == ""


async def test_catch_up_posts_the_note_for_a_missed_empty_day_once_its_wait_is_over(
    database_engine: Engine,
) -> None:
    # Down over the weekend; back on Sunday 10:00 in Seoul. Saturday's run would have given up
    # waiting at 15:00 Saturday; Sunday's run is still inside its wait.
    clock = ManualClock(dt.datetime(2025, 1, 12, 1, 0, tzinfo=dt.UTC))
    runner, out = make_runner(database_engine, clock, CHANNEL)
    assert await runner.catch_up() == {("research", "daily"): [dt.date(2025, 1, 11)]}
    assert "Daily Papers — 2025-01-11" in out.getvalue()
    assert "Daily Papers — 2025-01-12" not in out.getvalue()
    assert await runner.catch_up() == {}


async def test_the_weekly_post_ranks_the_week_before_once(database_engine: Engine) -> None:
    weekly = CHANNEL.model_copy(update={"weekly_schedule": "0 9 * * mon", "weekly_top": 3})
    monday = dt.datetime(2025, 1, 13, 0, 0, tzinfo=dt.UTC)  # 09:00 in Seoul
    clock = ManualClock(monday + dt.timedelta(minutes=5))
    runner, out = make_runner(database_engine, clock, weekly)
    runner.archive.import_files(iter_digest_files(SAMPLE_ARCHIVE_DIR))  # as `run` does at start
    assert await runner.run_weekly(weekly, monday) == "delivered"
    assert "Top 3 of the week — 2025-01-06 … 2025-01-12" in out.getvalue()
    assert "Towards System 2 Reasoning" in out.getvalue()  # among the week's top 3
    assert await runner.run_weekly(weekly, monday) == "skipped"  # once per week
    # A week without digests posts nothing rather than an empty list.
    assert await runner.run_weekly(weekly, monday + dt.timedelta(days=14)) is None


async def test_catch_up_posts_a_missed_weekly_post(database_engine: Engine) -> None:
    weekly = CHANNEL.model_copy(update={"weekly_schedule": "0 9 * * mon", "catch_up_hours": 6})
    clock = ManualClock(dt.datetime(2025, 1, 13, 2, 0, tzinfo=dt.UTC))  # 11:00 Monday in Seoul
    runner, out = make_runner(database_engine, clock, weekly)
    runner.archive.import_files(iter_digest_files(SAMPLE_ARCHIVE_DIR))
    posted = await runner.catch_up()
    assert posted[("research", "weekly")] == [dt.date(2025, 1, 13)]
    assert out.getvalue().count("of the week") == 1
    assert ("research", "weekly") not in await runner.catch_up()
