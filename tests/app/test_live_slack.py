"""End to end: the Hugging Face API (httpx.MockTransport) in, the fake Slack API out.

A digest posted before the day's list closed is edited in place as late papers and new votes
arrive, and is never posted twice. A day whose list stays empty gets one short note once the
wait is over (or nothing, with `empty_day_note = false`); papers turning up later within the
live window edit that note into the digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from adapters.slack.client import make_web_client
from adapters.slack.pacing import ChannelPacer
from adapters.slack.publisher import SlackPublisher
from bot.archive import Archive
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.runner import DigestRunner
from bot.sources import HuggingFaceSource
from config import BotSettings, ChannelConfig
from config.settings import LiveSettings
from tests.fakes.clock import ManualClock
from tests.fakes.daily_papers_api import (
    DAY,
    FIRE,
    LIST_CLOSED,
    NOTE,
    DailyPapersAPI,
    entry,
    hf_runner,
)
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

CHANNEL = ChannelConfig(name="team", platform="slack", target=DEFAULT_CHANNEL, schedule="0 9 * * *")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as server:
        yield server


async def test_posted_before_the_list_closed_then_edited_in_place(
    slack: FakeSlackAPI, database_engine: Engine
) -> None:
    clock = ManualClock(FIRE)
    hf = DailyPapersAPI(clock)
    hf.at(FIRE, entry(1, 20), entry(2, 8))
    hf.at(FIRE + dt.timedelta(minutes=3), entry(1, 21), entry(2, 8), entry(3, 4))

    publisher = SlackPublisher(
        make_web_client(FAKE_BOT_TOKEN, slack.base_url), pacer=ChannelPacer(0), sleep=clock.sleep
    )
    ledger = DeliveryLedger(database_engine, "me", clock=clock.now)
    settings = BotSettings(
        channels=[CHANNEL], data_dir=Path("/nonexistent"), live=LiveSettings(settle_minutes=30)
    )
    runner = DigestRunner(
        settings,
        Archive(database_engine),
        HuggingFaceSource(client=hf.client),
        DeliveryEngine(ledger, {"slack": publisher}),
        clock=clock.now,
        sleep=clock.sleep,
    )

    assert await runner.run_scheduled(CHANNEL, FIRE) == "delivered"
    assert clock.now() >= FIRE + dt.timedelta(minutes=33)  # waited for the list to settle
    header, *replies = slack.messages(DEFAULT_CHANNEL)
    assert len(replies) == 3

    # Overnight: paper 3 climbs to the top and paper 4 arrives late.
    clock.jump_to(dt.datetime(2025, 1, 10, 2, 0, tzinfo=dt.UTC))
    hf.at(clock.now(), entry(1, 25), entry(2, 8), entry(3, 60), entry(4, 2))
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


class WatchedSleep:
    """Moves the clock, and remembers how many messages the channel held at each wait."""

    def __init__(self, clock: ManualClock, slack: FakeSlackAPI) -> None:
        self.clock = clock
        self.slack = slack
        self.messages_while_waiting: list[int] = []

    async def __call__(self, seconds: float) -> None:
        self.messages_while_waiting.append(len(self.slack.messages(DEFAULT_CHANNEL)))
        await self.clock.sleep(seconds)


def slack_runner(
    slack: FakeSlackAPI,
    database_engine: Engine,
    clock: ManualClock,
    hf: DailyPapersAPI,
    channel: ChannelConfig,
) -> tuple[DigestRunner, WatchedSleep]:
    publisher = SlackPublisher(
        make_web_client(FAKE_BOT_TOKEN, slack.base_url), pacer=ChannelPacer(0), sleep=clock.sleep
    )
    sleep = WatchedSleep(clock, slack)
    return hf_runner(database_engine, clock, hf, channel, {"slack": publisher}, sleep), sleep


def chat_calls(slack: FakeSlackAPI, since: int = 0) -> list[str]:
    return [call.method for call in slack.calls[since:] if call.method.startswith("chat.")]


async def test_an_empty_day_gets_one_note_once_its_list_has_closed(
    slack: FakeSlackAPI, database_engine: Engine
) -> None:
    # Waiting longer than the list stays open: the list closing ends the wait.
    channel = CHANNEL.model_copy(update={"wait_for_digest_hours": 24.0})
    clock = ManualClock(FIRE)
    hf = DailyPapersAPI(clock)  # the list of the 9th stays empty all along
    runner, sleep = slack_runner(slack, database_engine, clock, hf, channel)

    assert await runner.run_scheduled(channel, FIRE) == "delivered"

    # It kept asking the API, with nothing posted, until the list had closed; the note came
    # after one last look at the closed list.
    assert clock.now() >= LIST_CLOSED
    assert len(hf.asked) > 10
    assert [asked >= LIST_CLOSED for asked in hf.asked[-2:]] == [False, True]
    assert sleep.messages_while_waiting
    assert set(sleep.messages_while_waiting) == {0}
    (note,) = slack.messages(DEFAULT_CHANNEL)
    assert not note.is_reply
    assert note.replies == []
    assert "Daily Papers — 2025-01-09" in note.text
    assert NOTE in note.text
    assert len(note.text) < 120  # short: a line, not a digest
    assert runner.archive.get_digest(DAY) is None  # the note is not archived
    assert chat_calls(slack) == ["chat.postMessage"]

    # Running it again, or catching up after a restart, posts nothing more.
    calls = len(slack.calls)
    assert await runner.run_scheduled(channel, FIRE) == "skipped"
    assert await runner.catch_up() == {}
    # The list is still empty: the live update has nothing to change either.
    assert await runner.refresh_live() == {}
    assert chat_calls(slack, calls) == []
    assert len(slack.messages(DEFAULT_CHANNEL)) == 1


async def test_papers_turning_up_after_the_note_edit_it_into_the_digest(
    slack: FakeSlackAPI, database_engine: Engine
) -> None:
    clock = ManualClock(FIRE)
    hf = DailyPapersAPI(clock)
    runner, sleep = slack_runner(slack, database_engine, clock, hf, CHANNEL)

    # wait_for_digest_hours (6) runs out before the list closes: the note comes at the deadline.
    assert await runner.run_scheduled(CHANNEL, FIRE) == "delivered"
    deadline = FIRE + dt.timedelta(hours=CHANNEL.wait_for_digest_hours)
    assert deadline - dt.timedelta(minutes=15) <= clock.now() <= deadline
    assert set(sleep.messages_while_waiting) == {0}
    (note,) = slack.messages(DEFAULT_CHANNEL)
    assert NOTE in note.text

    # Later that day, within the live window, the day's papers turn up.
    clock.jump_to(dt.datetime(2025, 1, 9, 18, 0, tzinfo=dt.UTC))
    hf.at(clock.now(), entry(1, 12), entry(2, 30))
    calls = len(slack.calls)
    assert await runner.refresh_live() == {"team": [DAY]}

    # The note was edited into the header; the papers went into its thread.
    header, *replies = slack.messages(DEFAULT_CHANNEL)
    assert [m.ts for m in slack.messages(DEFAULT_CHANNEL) if not m.is_reply] == [note.ts]
    assert header.ts == note.ts
    assert header.edited_ts is not None
    assert NOTE not in header.text
    assert NOTE not in str(header.blocks)
    assert "2 papers" in header.text
    assert [reply.thread_ts for reply in replies] == [note.ts, note.ts]
    # Ranked by votes, as a first post of these papers would be.
    assert [reply.text.split(" (")[0] for reply in replies] == ["Paper number 2", "Paper number 1"]
    assert chat_calls(slack, calls) == ["chat.update", "chat.postMessage", "chat.postMessage"]
    assert not [c for c in slack.calls_to("chat.postMessage")[1:] if not c.params.get("thread_ts")]
    record = runner.engine.ledger.get("team", DAY)
    assert record is not None
    assert (record.state, record.messages) == ("done", 3)
    assert runner.archive.get_digest(DAY) is not None

    # Nothing changed since: nothing is sent, and the day is never posted a second time.
    calls = len(slack.calls)
    assert await runner.refresh_live() == {}
    assert await runner.run_scheduled(CHANNEL, FIRE) == "skipped"
    assert await runner.catch_up() == {}
    assert chat_calls(slack, calls) == []
    assert len(slack.messages(DEFAULT_CHANNEL)) == 3


async def test_without_the_note_an_empty_day_posts_nothing_to_slack(
    slack: FakeSlackAPI, database_engine: Engine
) -> None:
    channel = CHANNEL.model_copy(update={"empty_day_note": False})
    clock = ManualClock(FIRE)
    hf = DailyPapersAPI(clock)
    runner, sleep = slack_runner(slack, database_engine, clock, hf, channel)

    assert await runner.run_scheduled(channel, FIRE) is None
    assert clock.now() >= FIRE + dt.timedelta(hours=5)  # it did wait for the list
    assert set(sleep.messages_while_waiting) == {0}
    assert len(hf.asked) > 5
    assert await runner.catch_up() == {}
    assert await runner.refresh_live() == {}
    assert slack.messages(DEFAULT_CHANNEL) == []
    assert chat_calls(slack) == []
    assert runner.engine.ledger.get("team", DAY) is None
