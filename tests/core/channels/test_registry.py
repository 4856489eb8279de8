"""Settings changed in chat: parsed, validated like check-config, stored, applied, reset."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.channels import ChannelRegistry
from bot.errors import ConfigError, UserError
from config import ChannelConfig, load_settings

SLACK = ChannelConfig(
    name="ml-papers",
    platform="slack",
    target="C0123",
    schedule="30 8 * * 1-5",
    timezone="UTC",
    include_keywords=["agent"],
)
DISCORD = ChannelConfig(name="lab", platform="discord", target="111222333")


def registry(engine: Engine) -> ChannelRegistry:
    return ChannelRegistry([SLACK, DISCORD], engine)


def test_a_change_is_stored_applied_and_seen_by_another_process(database_engine: Engine) -> None:
    changed: list[ChannelConfig] = []
    first = registry(database_engine)
    first.on_change(changed.append)

    change = first.change("ml-papers", "time 07:05 tz Asia/Seoul top 10", by="slack:U1")

    # The time replaces minute and hour; the weekdays of the file's schedule stay.
    assert change.changed == {"schedule": "5 7 * * 1-5", "timezone": "Asia/Seoul", "top_n": 10}
    assert [c.schedule for c in changed] == ["5 7 * * 1-5"]
    other = registry(database_engine)  # e.g. a second bot process on the same database
    assert other.get("ml-papers").timezone == "Asia/Seoul"
    assert other.get("ml-papers").top_n == 10
    assert other.get("lab") == DISCORD  # the other channel is untouched
    assert {c.name: c.top_n for c in other.all()} == {"ml-papers": 10, "lab": None}
    # Only the changed keys are kept: the file's other values still count.
    assert sorted(other.overrides("ml-papers")) == ["schedule", "timezone", "top_n"]


def test_later_changes_add_to_earlier_ones_and_reset_forgets_them(
    database_engine: Engine,
) -> None:
    channels = registry(database_engine)
    channels.change("ml-papers", "min-votes 5", by="slack:U1")
    channels.change("ml-papers", "mode single language ko", by="slack:U2")
    current = channels.get("ml-papers")
    assert (current.min_votes, current.mode, current.language) == (5, "single", "ko")

    assert channels.reset("ml-papers", by="slack:U1") == SLACK
    assert channels.get("ml-papers") == SLACK
    assert channels.overrides("ml-papers") == {}


def test_keyword_lists_are_edited_with_add_remove_and_clear(database_engine: Engine) -> None:
    channels = registry(database_engine)
    channels.change("ml-papers", "keywords add diffusion, video generation, Agent", by="u")
    assert channels.get("ml-papers").include_keywords == ["agent", "diffusion", "video generation"]
    channels.change("ml-papers", "keywords remove AGENT", by="u")
    assert channels.get("ml-papers").include_keywords == ["diffusion", "video generation"]
    channels.change("ml-papers", "exclude add survey", by="u")
    assert channels.get("ml-papers").exclude_keywords == ["survey"]
    channels.change("ml-papers", "keywords clear", by="u")
    assert channels.get("ml-papers").include_keywords == []


def test_top_all_lifts_the_limit_and_empty_note_takes_on_or_off(database_engine: Engine) -> None:
    channels = registry(database_engine)
    channels.change("ml-papers", "top 3 empty-note off", by="u")
    assert (channels.get("ml-papers").top_n, channels.get("ml-papers").empty_day_note) == (3, False)
    channels.change("ml-papers", "top all", by="u")
    assert channels.get("ml-papers").top_n is None


def test_a_bad_value_gets_check_configs_message_and_changes_nothing(
    database_engine: Engine, tmp_path: pytest.TempPathFactory
) -> None:
    channels = registry(database_engine)
    with pytest.raises(UserError) as chat:
        channels.change("ml-papers", "top 5 tz Mars/Olympus", by="u")
    assert channels.overrides("ml-papers") == {}  # nothing of the command was kept

    config = tmp_path / "bot.toml"  # type: ignore[operator]
    config.write_text('[[channels]]\nname = "x"\nplatform = "console"\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError) as file:
        load_settings(config)
    # The same words as check-config, without the file's path and list position.
    assert str(chat.value) in file.value.problems[0]
    assert "is not a time zone; use an IANA name" in str(chat.value)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("colour blue", "'colour' is not a setting. Usage: /digest-config"),
        ("top", "top: give a value, e.g. top 10"),
        ("time 25:00", "time: '25:00' is not a time of day; use HH:MM"),
        ("min-votes five", "min_votes: Input should be a valid integer"),
        ("top 0", "top_n: Input should be greater than or equal to 1"),
        ("mode carousel", "mode: Input should be 'thread' or 'single'"),
        ("keywords paint", "keywords: say add, remove or clear"),
        ("keywords add", "keywords add: which words?"),
        ("empty-note maybe", "empty-note: use on or off (got 'maybe')"),
    ],
)
def test_mistakes_say_what_to_write(database_engine: Engine, words: str, expected: str) -> None:
    with pytest.raises(UserError) as error:
        registry(database_engine).change("ml-papers", words, by="u")
    assert expected in str(error.value)


def test_channels_are_found_by_platform_and_channel_id(database_engine: Engine) -> None:
    channels = registry(database_engine)
    assert channels.find("slack", "C0123") == SLACK
    assert channels.find("discord", "C0123") is None
    assert channels.find("discord", "111222333") == DISCORD
    with pytest.raises(UserError, match="No channel named 'nope' \\(known: ml-papers, lab\\)"):
        channels.get("nope")


def test_the_weekly_post_is_set_by_day_and_time_or_turned_off(database_engine: Engine) -> None:
    channels = registry(database_engine)
    change = channels.change("ml-papers", "weekly Monday 07:30 weekly-top 5", by="u")
    assert change.changed == {"weekly_schedule": "30 7 * * mon", "weekly_top": 5}
    channels.change("ml-papers", "weekly off", by="u")
    assert channels.get("ml-papers").weekly_schedule is None
    for words, expected in [
        ("weekly funday 09:00", "weekly: say off, or a weekday and a time"),
        ("weekly fri 9am", "weekly: '9am' is not a time of day"),
        ("weekly-top 50", "weekly_top: Input should be less than or equal to 25"),
    ]:
        with pytest.raises(UserError) as error:
            channels.change("ml-papers", words, by="u")
        assert expected in str(error.value)


def test_other_settings_may_follow_a_keyword_list(database_engine: Engine) -> None:
    channels = registry(database_engine)
    change = channels.change("ml-papers", "keywords add diffusion language ko mode single", by="u")
    assert change.changed == {
        "include_keywords": ["agent", "diffusion"],  # "agent" from the config file
        "language": "ko",
        "mode": "single",
    }
    # A phrase holding a setting's word is quoted (typed quotes may arrive curly); apostrophes
    # are letters.
    change = channels.change(
        "ml-papers", "keywords add “mode collapse”, LLM's tricks top 4", by="u"
    )
    assert change.config.include_keywords == ["agent", "diffusion", "mode collapse", "LLM's tricks"]
    assert change.config.top_n == 4
    with pytest.raises(UserError, match="A quote is not closed"):
        channels.change("ml-papers", 'exclude add "survey', by="u")
