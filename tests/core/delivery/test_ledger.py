"""The ledger on SQLite and PostgreSQL: one claim per (channel, day), resumable, lease-based."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy import Engine

from bot.delivery.ledger import DeliveryLedger
from bot.delivery.publisher import SentMessage
from tests.fakes.clock import ManualClock

DAY = dt.date(2025, 1, 9)
T0 = dt.datetime(2025, 1, 9, 9, 0, tzinfo=dt.UTC)


def test_only_one_process_can_claim_a_delivery(database_engine: Engine) -> None:
    clock = ManualClock(T0)
    first = DeliveryLedger(database_engine, "host-a:1", clock=clock.now)
    second = DeliveryLedger(database_engine, "host-b:2", clock=clock.now)
    claim = first.claim("research", DAY)
    assert claim is not None
    assert claim.already_sent == []
    assert second.claim("research", DAY) is None  # held, lease alive
    assert second.claim("research", DAY + dt.timedelta(days=1)) is not None  # another day is free
    first.finish(claim, 0)
    assert second.claim("research", DAY) is None  # done is done


def test_an_expired_claim_is_taken_over_with_what_was_sent(database_engine: Engine) -> None:
    clock = ManualClock(T0)
    crashed = DeliveryLedger(database_engine, "host-a:1", clock=clock.now)
    claim = crashed.claim("research", DAY)
    assert claim is not None
    crashed.record_sent(claim, SentMessage(0, "1700000000.000100", "1700000000.000100"))
    crashed.record_sent(claim, SentMessage(1, "1700000000.000200", "1700000000.000100"))

    successor = DeliveryLedger(database_engine, "host-a:2", clock=clock.now)
    assert successor.claim("research", DAY) is None  # the lease still runs
    clock.advance(dt.timedelta(minutes=11))
    resumed = successor.claim("research", DAY)
    assert resumed is not None
    assert [(m.index, m.message_id) for m in resumed.already_sent] == [
        (0, "1700000000.000100"),
        (1, "1700000000.000200"),
    ]
    successor.finish(resumed, 2)
    record = successor.get("research", DAY)
    assert record is not None
    assert (record.state, record.messages, record.attempts) == ("done", 2, 2)


def test_failed_is_retried_and_abandoned_is_not(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    claim = ledger.claim("a", DAY)
    assert claim is not None
    ledger.fail(claim, "HTTP 503", permanent=False)
    retry = ledger.claim("a", DAY)
    assert retry is not None
    ledger.fail(retry, "not_in_channel", permanent=True)
    assert ledger.claim("a", DAY) is None
    record = ledger.get("a", DAY)
    assert record is not None
    assert (record.state, record.error) == ("abandoned", "not_in_channel")


def test_unfinished_and_last_delivery(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    done = ledger.claim("a", DAY)
    assert done is not None
    ledger.finish(done, 3)
    ledger.claim("a", DAY + dt.timedelta(days=1))
    assert [(r.channel, r.day) for r in ledger.unfinished()] == [("a", DAY + dt.timedelta(days=1))]
    last = ledger.last_delivery("a")
    assert last is not None
    assert last.day == DAY


def test_a_crashed_process_of_this_machine_is_taken_over_at_once(database_engine: Engine) -> None:
    import socket
    import subprocess
    import sys

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(finished.stdout)
    host = socket.gethostname()
    crashed = DeliveryLedger(database_engine, f"{host}:{dead_pid}")
    claim = crashed.claim("research", DAY)
    assert claim is not None
    crashed.record_sent(claim, SentMessage(0, "m0", "t0"))

    alive_elsewhere = DeliveryLedger(database_engine, f"{host}:{os.getppid()}")
    other_machine = DeliveryLedger(database_engine, "another-host:1")
    assert other_machine.claim("research", DAY + dt.timedelta(days=1)) is not None
    # A live process of this machine, or any process elsewhere, is trusted to its lease.
    assert (
        DeliveryLedger(database_engine, f"{host}:{os.getpid()}").claim(
            "research", DAY + dt.timedelta(days=1)
        )
        is None
    )
    restarted = DeliveryLedger(database_engine, f"{host}:{os.getpid()}")
    resumed = restarted.claim("research", DAY)
    assert resumed is not None
    assert resumed.already_sent == [SentMessage(0, "m0", "t0")]
    assert resumed.attempt == 2
    assert alive_elsewhere.claim("research", DAY) is None  # held by the live restarted process


def test_posted_before_counts_only_earlier_days_of_the_same_channel(
    database_engine: Engine,
) -> None:
    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    day2 = DAY + dt.timedelta(days=1)
    assert ledger.posted_before("research", day2) == frozenset()
    ledger.record_posted("research", DAY, ["2501.00001", "2501.00002"])
    ledger.record_posted("research", day2, ["2501.00002", "2501.00003"])
    ledger.record_posted("other", DAY, ["2501.00009"])
    assert ledger.posted_before("research", DAY) == frozenset()  # its own day does not count
    assert ledger.posted_before("research", day2) == {"2501.00001", "2501.00002"}
    assert ledger.posted_before("research", day2 + dt.timedelta(days=1)) == {
        "2501.00001",
        "2501.00002",
        "2501.00003",
    }
    assert ledger.posted_before("other", day2) == {"2501.00009"}
    assert ledger.posted_before("nobody", day2) == frozenset()


def test_record_posted_is_idempotent_and_keeps_the_earliest_day(database_engine: Engine) -> None:
    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    day2, day3 = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
    ledger.record_posted("research", day2, ["a", "a", "b"])
    ledger.record_posted("research", day2, ["a", "b"])  # a repeated call changes nothing
    ledger.record_posted("research", day3, ["a"])  # a later day does not move it forward
    assert ledger.posted_before("research", day3) == {"a", "b"}
    ledger.record_posted("research", DAY, ["b"])  # a late catch-up of an earlier day does
    assert ledger.posted_before("research", day2) == {"b"}
    ledger.record_posted("research", DAY, [])  # nothing to record is fine
    # Two processes sharing the database record the same keys without a conflict.
    DeliveryLedger(database_engine, "other", clock=ManualClock(T0).now).record_posted(
        "research", day2, ["a", "b", "c"]
    )
    assert ledger.posted_before("research", day3) == {"a", "b", "c"}
    assert ledger.posted_before("research", day2) == {"b"}


def test_a_database_from_before_posted_papers_gets_the_table(database_engine: Engine) -> None:
    from bot.storage.tables import posted_papers

    DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    posted_papers.drop(database_engine)  # as a database created by the previous release
    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    ledger.record_posted("research", DAY, ["a"])
    assert ledger.posted_before("research", DAY + dt.timedelta(days=1)) == {"a"}


def test_a_channels_daily_and_weekly_deliveries_of_one_day_are_apart(
    database_engine: Engine,
) -> None:
    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    weekly = ledger.claim("research", DAY, kind="weekly")
    assert weekly is not None
    assert weekly.kind == "weekly"
    ledger.finish(weekly, 1)
    assert ledger.claim("research", DAY, kind="weekly") is None  # each week once
    assert ledger.get("research", DAY) is None  # the daily digest of that day is not done
    assert ledger.last_delivery("research") is None
    daily = ledger.claim("research", DAY)
    assert daily is not None
    ledger.finish(daily, 3)
    record = ledger.get("research", DAY, kind="weekly")
    assert record is not None
    assert (record.channel, record.kind, record.messages) == ("research", "weekly", 0)
    done = {(r.channel, r.kind) for r in ledger.done_since(T0)}
    assert done == {("research", "daily"), ("research", "weekly")}
    assert ledger.claim_update("research", DAY) is not None  # the daily one is live-updatable


def test_rows_stored_by_earlier_versions_stay_readable(database_engine: Engine) -> None:
    from bot.storage.tables import deliveries

    ledger = DeliveryLedger(database_engine, "me", clock=ManualClock(T0).now)
    with database_engine.begin() as connection:  # as versions before delivery kinds wrote them
        connection.execute(
            deliveries.insert().values(
                channel="research#weekly",
                day=DAY,
                state="done",
                attempts=1,
                created_at=T0,
                updated_at=T0,
                finished_at=T0,
            )
        )
    record = ledger.get("research", DAY, kind="weekly")
    assert record is not None
    assert (record.channel, record.kind, record.state) == ("research", "weekly", "done")
    assert ledger.claim("research", DAY, kind="weekly") is None  # that week stays posted once
