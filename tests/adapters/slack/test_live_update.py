"""A live digest in Slack: late papers and new votes edit the posted thread (chat.update)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from adapters.slack.client import make_web_client
from adapters.slack.pacing import ChannelPacer
from adapters.slack.publisher import SlackPublisher
from bot.delivery.engine import DeliveryEngine, DeliveryTarget
from bot.delivery.ledger import DeliveryLedger
from bot.formatter import FormatOptions
from tests.fakes.clock import ManualClock
from tests.fakes.digests import make_digest, make_paper
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

TARGET = DeliveryTarget("team", "slack", DEFAULT_CHANNEL, FormatOptions())


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as server:
        yield server


def engine_for(api: FakeSlackAPI, database: Engine) -> DeliveryEngine:
    client = make_web_client(FAKE_BOT_TOKEN, api.base_url)
    publisher = SlackPublisher(client, pacer=ChannelPacer(0), sleep=ManualClock().sleep)
    return DeliveryEngine(DeliveryLedger(database, "me"), {"slack": publisher})


async def test_the_thread_is_edited_and_extended_never_posted_again(
    api: FakeSlackAPI, database_engine: Engine
) -> None:
    engine = engine_for(api, database_engine)
    assert await engine.deliver(TARGET, make_digest(make_paper(1, 10), make_paper(2, 5))) == (
        "delivered"
    )
    header, *replies = api.messages(DEFAULT_CHANNEL)
    assert len(replies) == 2
    first_header_text = header.text

    later = make_digest(make_paper(1, 10), make_paper(2, 40), make_paper(3, 7))
    assert await engine.update(TARGET, later) == "updated"

    top_level = [m for m in api.messages(DEFAULT_CHANNEL) if not m.is_reply]
    assert len(top_level) == 1  # never a second post
    header, *replies = api.messages(DEFAULT_CHANNEL)
    assert header.edited_ts is not None
    assert header.text != first_header_text
    assert "Paper 2 (▲ 40)" in header.text  # the header ranks by today's votes
    # Paper 1 kept its message, untouched; paper 2's was edited in place; paper 3 came late.
    assert [(r.edited_ts is not None, "Paper 1" in r.text) for r in replies[:1]] == [(False, True)]
    assert replies[1].edited_ts is not None
    assert "Paper 2" in replies[1].text
    assert "Paper 3" in replies[2].text
    assert {r.thread_ts for r in replies} == {header.ts}
    assert len(api.calls_to("chat.update")) == 2

    assert await engine.update(TARGET, later) == "unchanged"
    assert len(api.calls_to("chat.update")) == 2


async def test_a_webhook_post_is_left_as_it_was(api: FakeSlackAPI, database_engine: Engine) -> None:
    hook = api.add_webhook("T0/B0/hook", DEFAULT_CHANNEL)
    target = DeliveryTarget("hooked", "slack", hook, FormatOptions(mode="single"))
    engine = engine_for(api, database_engine)
    assert await engine.deliver(target, make_digest(make_paper(1, 10))) == "delivered"
    later = make_digest(make_paper(1, 10), make_paper(2, 40))
    assert await engine.update(target, later) == "skipped"
    assert api.calls_to("chat.update") == []
    assert len(api.webhook_messages("T0/B0/hook")) == 1


async def test_an_update_that_fails_keeps_the_post_delivered_and_tries_again(
    api: FakeSlackAPI, database_engine: Engine
) -> None:
    engine = engine_for(api, database_engine)
    day_one = make_digest(make_paper(1, 10))
    assert await engine.deliver(TARGET, day_one) == "delivered"
    api.fail_next("chat.update", 500, count=5)  # every retry of the edit fails
    later = make_digest(make_paper(1, 30))
    assert await engine.update(TARGET, later) == "failed"
    record = engine.ledger.get("team", day_one.date)
    assert record is not None
    assert record.state == "done"
    assert await engine.update(TARGET, later) == "updated"
    (header,) = api.messages(DEFAULT_CHANNEL)[:1]
    assert "▲ 30" in header.text
