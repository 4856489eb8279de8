"""/digest-status and /digest-config in the core: admins only, for the channel they are typed in."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.archive import Archive
from bot.channels import (
    DIGEST_CONFIG,
    SETTINGS,
    ChannelConfig,
    ChannelRegistry,
    Setting,
    Vocabulary,
)
from bot.commands import BotServices, Caller, CommandContext, run_command
from bot.delivery.ledger import DeliveryLedger
from bot.sources.health import SourceHealth

NOW = dt.datetime(2025, 1, 10, 0, 30, tzinfo=dt.UTC)  # 09:30 in Seoul
CHANNEL = ChannelConfig(
    name="ml-papers",
    platform="slack",
    target="C0123",
    schedule="0 9 * * *",
    timezone="Asia/Seoul",
    top_n=3,
)
OTHER = ChannelConfig(name="lab", platform="discord", target="4242")
ADMIN = Caller(platform="slack", user_id="U1", channel_id="C0123", is_admin=True)
MEMBER = Caller(platform="slack", user_id="U2", channel_id="C0123", is_admin=False)


@pytest.fixture
def services(sample_archive: Archive) -> BotServices:
    engine = sample_archive.engine
    health = SourceHealth("huggingface.co daily papers API", started_at=NOW - dt.timedelta(hours=2))
    return BotServices(
        channels=ChannelRegistry([CHANNEL, OTHER], engine),
        ledger=DeliveryLedger(engine, "host:1", clock=lambda: NOW - dt.timedelta(minutes=30)),
        health=health,
    )


def ask(archive: Archive, services: BotServices, caller: Caller, line: str) -> tuple[bool, str]:
    ctx = CommandContext(
        archive=archive, today=NOW.date(), caller=caller, services=services, now=NOW
    )
    name, _, text = line.partition(" ")
    result = run_command(ctx, name, text)
    card = result.message.cards[0] if result.message.cards else None
    shown = [result.message.text]
    if card is not None:
        shown += [card.title, *(f"{f.name}: {f.value}" for f in card.facts), card.footer or ""]
    return result.ok, "\n".join(shown)


def test_status_answers_why_and_when(sample_archive: Archive, services: BotServices) -> None:
    claim = services.ledger.claim("ml-papers", dt.date(2025, 1, 9))
    assert claim is not None
    services.ledger.finish(claim, 4)
    services.health.fetched(dt.date(2025, 1, 10), found=False, at=NOW - dt.timedelta(minutes=5))
    services.health.failed("HTTP 503 after 3 tries", at=NOW - dt.timedelta(minutes=1))

    ok, text = ask(sample_archive, services, ADMIN, "digest-status")

    assert ok
    assert "Digest status — ml-papers" in text
    assert (
        "Last delivery: 2025-01-09, 3 papers, posted 2025-01-10 09:00 Asia/Seoul (30 min ago)"
        in text
    )
    assert (
        "Next run: 2025-01-11 09:00 Asia/Seoul (in 23 h 30 min), posting that day's digest" in text
    )
    assert "last fetch 2025-01-10 09:25 Asia/Seoul (5 min ago) (2025-01-10: not there yet)" in text
    assert "failing: HTTP 503 after 3 tries" in text


def test_status_says_why_a_later_day_did_not_arrive(
    sample_archive: Archive, services: BotServices
) -> None:
    done = services.ledger.claim("ml-papers", dt.date(2025, 1, 8))
    assert done is not None
    services.ledger.finish(done, 4)
    failing = services.ledger.claim("ml-papers", dt.date(2025, 1, 9))
    assert failing is not None
    services.ledger.fail(failing, "Slack: channel_not_found", permanent=True)

    _, text = ask(sample_archive, services, ADMIN, "digest-status")

    assert "Last delivery: 2025-01-08, 3 papers, posted" in text
    assert (
        "Latest attempt: 2025-01-09: given up after 1 attempt(s): Slack: channel_not_found" in text
    )
    again = services.ledger.claim("ml-papers", dt.date(2025, 1, 10))
    assert again is not None  # being posted at this moment
    _, text = ask(sample_archive, services, ADMIN, "digest-status")
    assert "Latest attempt: 2025-01-10: being posted now (0 messages so far)" in text


def test_status_before_anything_happened(sample_archive: Archive, services: BotServices) -> None:
    ok, text = ask(sample_archive, services, ADMIN, "digest-status")
    assert ok
    assert "Last delivery: nothing delivered yet" in text
    assert "not asked since the bot started" in text


@pytest.mark.parametrize("line", ["digest-status", "digest-config top 3", "digest-config"])
def test_members_who_are_not_admins_are_refused(
    sample_archive: Archive, services: BotServices, line: str
) -> None:
    ok, text = ask(sample_archive, services, MEMBER, line)
    assert not ok
    assert "Only workspace or server admins, or members of the bot's admin role" in text
    assert services.channels.overrides("ml-papers") == {}


def test_config_changes_the_channel_it_is_typed_in(
    sample_archive: Archive, services: BotServices
) -> None:
    ok, text = ask(sample_archive, services, ADMIN, "digest-config time 07:00 tz Europe/Berlin")
    assert ok
    assert "ml-papers: changed schedule = 0 7 * * *, timezone = Europe/Berlin" in text
    assert "Next run: 2025-01-10 07:00 Europe/Berlin (in 5 h 30 min)" in text
    assert services.channels.get("ml-papers").timezone == "Europe/Berlin"
    # Shown settings say which ones came from chat.
    ok, text = ask(sample_archive, services, ADMIN, "digest-config")
    assert "tz (changed in chat): Europe/Berlin" in text
    assert "top: 3" in text

    ok, text = ask(sample_archive, services, ADMIN, "digest-config reset")
    assert ok
    assert "back to the config file's settings" in text
    assert services.channels.get("ml-papers") == CHANNEL


def test_config_mistakes_change_nothing(sample_archive: Archive, services: BotServices) -> None:
    ok, text = ask(sample_archive, services, ADMIN, "digest-config top 5 tz Mars/Olympus")
    assert not ok
    assert "timezone: 'Mars/Olympus' is not a time zone" in text
    assert services.channels.overrides("ml-papers") == {}


def test_a_channel_may_be_named_but_only_on_the_same_platform(
    sample_archive: Archive, services: BotServices
) -> None:
    elsewhere = Caller(platform="discord", user_id="9", channel_id="777", is_admin=True)
    ok, text = ask(sample_archive, services, elsewhere, "digest-config lab top 2")
    assert ok
    assert services.channels.get("lab").top_n == 2
    ok, text = ask(sample_archive, services, elsewhere, "digest-config ml-papers top 2")
    assert not ok  # a Discord admin cannot change a Slack channel
    assert "'ml-papers' is a slack channel: use /digest-config from slack." in text
    assert services.channels.overrides("ml-papers") == {}


def test_a_channel_without_a_digest_is_told_which_ones_exist(
    sample_archive: Archive, services: BotServices
) -> None:
    two = BotServices(
        ChannelRegistry(
            [CHANNEL, CHANNEL.model_copy(update={"name": "b", "target": "C9"})],
            sample_archive.engine,
        ),
        services.ledger,
        services.health,
    )
    stranger = Caller(platform="slack", user_id="U1", channel_id="C0999", is_admin=True)
    ok, text = ask(sample_archive, two, stranger, "digest-status")
    assert not ok
    assert "This channel gets no digest from this bot" in text
    assert "(configured: ml-papers, b)" in text


def test_without_the_running_bot_the_commands_say_so(sample_archive: Archive) -> None:
    ctx = CommandContext(archive=sample_archive, today=NOW.date(), caller=ADMIN)
    result = run_command(ctx, "digest-status")
    assert not result.ok
    assert "needs the running bot" in result.message.text


@pytest.mark.parametrize(
    "word",
    [word for setting in SETTINGS for word in (setting.word, *setting.aliases)],
)
def test_every_word_of_the_vocabulary_is_accepted_by_digest_config(
    sample_archive: Archive, services: BotServices, word: str
) -> None:
    setting = next(s for s in SETTINGS if word in (s.word, *s.aliases))
    assert setting.field in ChannelConfig.model_fields

    ok, text = ask(sample_archive, services, ADMIN, f"digest-config {word} {setting.example}")

    assert ok, text
    assert f"ml-papers: changed {setting.field} = " in text
    assert list(services.channels.overrides("ml-papers")) == [setting.field]
    assert f"[{setting.word} {setting.value}]" in DIGEST_CONFIG.usage


def test_digest_config_help_names_every_setting_of_the_vocabulary(
    sample_archive: Archive, services: BotServices
) -> None:
    ok, text = ask(sample_archive, services, MEMBER, "digest-config help")

    assert ok
    assert text.startswith("/digest-config [channel] ")
    for setting in SETTINGS:
        assert f"[{setting.word} {setting.value}]" in text, setting.word
    assert "| reset — " in text


def test_a_setting_added_to_the_vocabulary_once_is_parsed_shown_and_in_the_usage(
    sample_archive: Archive,
) -> None:
    catch_up = Setting("catch-up", "catch_up_hours", "HOURS", "12")
    extended = Vocabulary([*SETTINGS, catch_up])
    registry = ChannelRegistry([CHANNEL], sample_archive.engine, vocabulary=extended)
    ledger = DeliveryLedger(sample_archive.engine, "host:1", clock=lambda: NOW)
    services = BotServices(registry, ledger, SourceHealth("test", started_at=NOW))

    ok, text = ask(sample_archive, services, ADMIN, "digest-config catch-up 12")
    assert ok, text
    assert "ml-papers: changed catch_up_hours = 12.0" in text
    assert services.channels.get("ml-papers").catch_up_hours == 12.0
    _, text = ask(sample_archive, services, ADMIN, "digest-config")
    assert "catch-up (changed in chat): 12.0" in text
    assert "[catch-up HOURS]" in text  # the usage line of the card's footer


def test_a_vocabulary_word_for_no_channel_field_is_refused() -> None:
    with pytest.raises(ValueError, match="not ChannelConfig fields: colour"):
        Vocabulary([*SETTINGS, Setting("colour", "colour", "NAME", "blue")])
