"""/paper-alert in the core: any member's own alerts, answered privately."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.alerts import AlertStore
from bot.archive import Archive
from bot.channels import ChannelRegistry
from bot.commands import COMMANDS, BotServices, Caller, CommandContext, run_command
from bot.delivery.ledger import DeliveryLedger
from bot.sources.health import SourceHealth

NOW = dt.datetime(2025, 1, 10, 9, 0, tzinfo=dt.UTC)
ALICE = Caller(platform="slack", user_id="U1", channel_id="C0123")
BOB = Caller(platform="discord", user_id="4242", channel_id="99")


@pytest.fixture
def services(sample_archive: Archive) -> BotServices:
    engine = sample_archive.engine
    return BotServices(
        channels=ChannelRegistry([], engine),
        ledger=DeliveryLedger(engine, "host:1"),
        health=SourceHealth("a folder of digests", started_at=NOW),
        alerts=AlertStore(engine),
    )


def ask(
    archive: Archive, services: BotServices | None, caller: Caller | None, text: str
) -> tuple[bool, str]:
    ctx = CommandContext(
        archive=archive, today=NOW.date(), caller=caller, services=services, now=NOW
    )
    result = run_command(ctx, "paper-alert", text)
    shown = [result.message.text]
    for card in result.message.cards:
        shown += [card.title, card.intro or "", *(i.text for i in card.items), card.footer or ""]
    return result.ok, "\n".join(shown)


def test_it_is_personal_and_for_everyone() -> None:
    spec = COMMANDS["paper-alert"]
    assert spec.personal
    assert "add <words>" in spec.usage


def test_add_list_remove(sample_archive: Archive, services: BotServices) -> None:
    ok, empty = ask(sample_archive, services, ALICE, "")
    assert ok
    assert "You have no paper alerts" in empty
    assert "/paper-alert add diffusion video" in empty

    ok, added = ask(sample_archive, services, ALICE, "add Math  Reasoning")
    assert ok
    assert "Alert added: math reasoning" in added
    assert "In the latest digest (2025-01-10) it finds" in added
    ask(sample_archive, services, ALICE, "add agents")

    ok, listed = ask(sample_archive, services, ALICE, "list")
    assert ok
    assert "Your paper alerts (2 of 20)" in listed
    assert "1. math reasoning\n2. agents" in listed

    ok, removed = ask(sample_archive, services, ALICE, "remove 1")
    assert ok
    assert "Alert removed: math reasoning" in removed
    assert services.alerts is not None
    assert [a.words for a in services.alerts.list("slack", "U1")] == ["agents"]
    # Each caller sees their own alerts only, on their own platform.
    _, bobs = ask(sample_archive, services, BOB, "list")
    assert "You have no paper alerts" in bobs


def test_mistakes_get_a_private_explanation(sample_archive: Archive, services: BotServices) -> None:
    ok, answer = ask(sample_archive, services, ALICE, "subscribe diffusion")
    assert not ok
    assert "'subscribe' is not an action: say add, list or remove" in answer
    ok, answer = ask(sample_archive, services, ALICE, "add")
    assert not ok
    assert "Which words should the alert look for?" in answer
    ok, answer = ask(sample_archive, services, ALICE, "remove 3")
    assert not ok
    assert "no alerts to remove" in answer


def test_it_needs_the_running_bot_and_a_platform_with_direct_messages(
    sample_archive: Archive, services: BotServices
) -> None:
    ok, answer = ask(sample_archive, None, ALICE, "list")
    assert not ok
    assert "needs the running bot" in answer
    no_alerts = BotServices(services.channels, services.ledger, services.health)
    assert "needs the running bot" in ask(sample_archive, no_alerts, ALICE, "list")[1]
    operator = Caller(platform="console", user_id="operator", is_admin=True)
    ok, answer = ask(sample_archive, services, operator, "add diffusion")
    assert not ok
    assert "direct messages in Slack or Discord" in answer
