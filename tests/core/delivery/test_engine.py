"""Delivery through a real publisher (the console) and the ledger: once, resumable, isolated."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pytest
from rich.console import Console
from sqlalchemy import Engine, delete, select

from adapters.console.publisher import ConsolePublisher
from bot.delivery.engine import DeliveryEngine, DeliveryTarget
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage, fingerprint
from bot.errors import DeliveryError
from bot.formatter import FormatOptions
from bot.messages import Post
from bot.models import Digest, Paper
from bot.storage.tables import delivered_messages, deliveries

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
        self.edited: list[int] = []

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

    def fingerprints(self, target: str, post: Post) -> list[str]:
        return [fingerprint(message.model_dump(mode="json")) for message in post.messages]

    def can_edit(self, target: str) -> bool:
        return True

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        self.edited.extend(message.index for message in messages)


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


# "Never twice across days": day 1 lists A and B, day 2 lists B (again) and C.
DAY1, DAY2 = dt.date(2025, 1, 9), dt.date(2025, 1, 10)


def paper(letter: str, votes: int) -> Paper:
    arxiv_id = {"A": "2501.00011", "B": "2501.00012", "C": "2501.00013"}[letter]
    return Paper(
        arxiv_id=arxiv_id,
        title=f"Paper {letter}",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        votes=votes,
    )


# Day 2 lists B as a newer arXiv version: the same paper all the same.
FIRST = Digest(date=DAY1, papers=[paper("A", 9), paper("B", 5)])
SECOND = Digest(
    date=DAY2,
    papers=[
        paper("B", 30).model_copy(update={"arxiv_version": 2}),
        paper("C", 7),
    ],
)


class RecordingPublisher(CrashingPublisher):
    """Keeps every post it is handed; crashes after `crash_after` messages like its parent."""

    def __init__(self, crash_after: int = 99) -> None:
        super().__init__(crash_after)
        self.posts: list[Post] = []

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        self.posts.append(post)
        await super().publish(target, post, key=key, already_sent=already_sent, record=record)


def channel(name: str, seen_before: str) -> DeliveryTarget:
    options = FormatOptions(seen_before=seen_before)  # type: ignore[arg-type]
    return DeliveryTarget(name, "console", name, options)


def reply_titles(post: Post) -> list[str]:
    return [message.cards[0].title for message in post.messages[1:]]


def seen_titles(post: Post) -> list[str]:
    return [
        message.cards[0].title
        for message in post.messages[1:]
        if any(fact.name == "Seen before" for fact in message.cards[0].facts)
    ]


async def two_days(
    database_engine: Engine, *targets: DeliveryTarget
) -> tuple[DeliveryLedger, RecordingPublisher]:
    ledger = DeliveryLedger(database_engine, "me")
    publisher = RecordingPublisher()
    engine = DeliveryEngine(ledger, {"console": publisher})
    for digest in (FIRST, SECOND):
        for each in targets:
            assert await engine.deliver(each, digest) == "delivered"
    return ledger, publisher


async def test_omit_posts_only_the_papers_new_to_the_channel(database_engine: Engine) -> None:
    ledger, publisher = await two_days(database_engine, channel("research", "omit"))
    day1, day2 = publisher.posts
    assert reply_titles(day1) == ["Paper A", "Paper B"]
    assert reply_titles(day2) == ["Paper C"]
    assert day2.messages[0].cards[0].intro == "1 of 2 papers"
    assert ledger.posted_before("research", DAY2 + dt.timedelta(days=1)) == {
        "2501.00011",
        "2501.00012",
        "2501.00013",
    }


async def test_mark_posts_everything_and_marks_what_was_posted_before(
    database_engine: Engine,
) -> None:
    _, publisher = await two_days(database_engine, channel("research", "mark"))
    day1, day2 = publisher.posts
    assert seen_titles(day1) == []
    assert reply_titles(day2) == ["Paper B", "Paper C"]
    assert seen_titles(day2) == ["Paper B"]
    assert day2.messages[0].cards[0].items[0].note == "▲ 30 · Seen before"


async def test_show_posts_a_seen_paper_as_new(database_engine: Engine) -> None:
    _, publisher = await two_days(database_engine, channel("research", "show"))
    assert reply_titles(publisher.posts[1]) == ["Paper B", "Paper C"]
    assert seen_titles(publisher.posts[1]) == []


async def test_another_channel_is_unaffected(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    publisher = RecordingPublisher()
    engine = DeliveryEngine(ledger, {"console": publisher})
    assert await engine.deliver(channel("research", "omit"), FIRST) == "delivered"
    # "lab" never got day 1: day 2 comes whole and unmarked, in either mode.
    assert await engine.deliver(channel("lab", "omit"), SECOND) == "delivered"
    assert await engine.deliver(channel("lab-marked", "mark"), SECOND) == "delivered"
    _, lab, marked = publisher.posts
    assert reply_titles(lab) == ["Paper B", "Paper C"]
    assert seen_titles(marked) == []
    assert ledger.posted_before("lab", DAY2 + dt.timedelta(days=1)) == {"2501.00012", "2501.00013"}


async def test_only_the_papers_actually_posted_are_recorded(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    engine = DeliveryEngine(ledger, {"console": RecordingPublisher()})
    capped = DeliveryTarget("research", "console", "research", FormatOptions(top_n=1))
    assert await engine.deliver(capped, FIRST) == "delivered"
    assert ledger.posted_before("research", DAY2) == {"2501.00011"}  # B was left out by top_n


async def test_a_failed_delivery_records_nothing(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    engine = DeliveryEngine(ledger, {"console": RecordingPublisher(crash_after=1)})
    assert await engine.deliver(channel("research", "mark"), FIRST) == "failed"
    assert ledger.posted_before("research", DAY2) == frozenset()


async def test_a_resumed_delivery_renders_the_same_messages_and_never_marks_its_own_papers(
    database_engine: Engine,
) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    target = channel("research", "mark")
    assert (
        await DeliveryEngine(ledger, {"console": RecordingPublisher()}).deliver(target, FIRST)
        == "delivered"
    )
    crashed = RecordingPublisher(crash_after=1)
    assert await DeliveryEngine(ledger, {"console": crashed}).deliver(target, SECOND) == "failed"
    # Whatever was recorded for day 2 itself meanwhile (here: everything) must not show.
    ledger.record_posted("research", DAY2, ["2501.00012", "2501.00013"])
    resumed = RecordingPublisher()
    assert await DeliveryEngine(ledger, {"console": resumed}).deliver(target, SECOND) == "delivered"
    assert resumed.posts == crashed.posts
    assert seen_titles(resumed.posts[0]) == ["Paper B"]  # seen on day 1, not "seen" on day 2
    assert crashed.sent + resumed.sent == [0, 1, 2]


async def test_a_redelivery_of_day_one_does_not_mark_its_own_papers(
    database_engine: Engine,
) -> None:
    ledger = DeliveryLedger(database_engine, "me")
    target = channel("research", "mark")
    first = RecordingPublisher()
    assert await DeliveryEngine(ledger, {"console": first}).deliver(target, FIRST) == "delivered"
    assert await DeliveryEngine(ledger, {"console": first}).deliver(target, SECOND) == "delivered"
    # The operator clears day 1's delivery to post it again: days 1 and 2 are both recorded.
    with database_engine.begin() as connection:
        day1 = select(deliveries.c.id).where(deliveries.c.day == DAY1).scalar_subquery()
        connection.execute(
            delete(delivered_messages).where(delivered_messages.c.delivery_id == day1)
        )
        connection.execute(delete(deliveries).where(deliveries.c.day == DAY1))
    again = RecordingPublisher()
    assert await DeliveryEngine(ledger, {"console": again}).deliver(target, FIRST) == "delivered"
    assert again.posts == [first.posts[0]]
    assert seen_titles(again.posts[0]) == []
