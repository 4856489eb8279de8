"""Per-channel settings changed in chat with `/digest-config`, kept in the bot's database.

The config file gives every channel its settings; an admin may change some of them from the
channel itself. Only the changed keys are stored, applied over the file's values, and every change
is validated by the same `ChannelConfig` model, with the same messages, as `check-config`. Readers
ask the registry at each use, so a change counts from the next delivery on without a restart; the
scheduler learns of a new time through `on_change`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, delete, insert, select, update

from bot.errors import UserError
from bot.storage import ensure_schema
from bot.storage.tables import channel_overrides
from config.channels import ChannelConfig
from config.settings import describe_errors

log = logging.getLogger(__name__)

# The words of `/digest-config` and the `ChannelConfig` field each one sets.
SETTING_WORDS: dict[str, str] = {
    "time": "schedule",
    "tz": "timezone",
    "timezone": "timezone",
    "top": "top_n",
    "min-votes": "min_votes",
    "keywords": "include_keywords",
    "exclude": "exclude_keywords",
    "language": "language",
    "mode": "mode",
    "post-day": "post_day",
    "seen-before": "seen_before",
    "empty-note": "empty_day_note",
    "weekly": "weekly_schedule",
    "weekly-top": "weekly_top",
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LIST_ACTIONS = ("add", "remove", "clear")
USAGE = (
    "/digest-config [time HH:MM] [tz Area/City] [top N|all] [min-votes N] [language en|ko] "
    "[mode thread|single] [post-day today|yesterday] [seen-before mark|omit|show] "
    "[empty-note on|off] [weekly mon 09:00 | weekly off] [weekly-top N] "
    "[keywords add|remove W1, W2 | keywords clear] "
    "[exclude add|remove W1, W2 | exclude clear] | reset"
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SettingsChange:
    """The channel's settings after a change, and the fields the change set."""

    config: ChannelConfig
    changed: dict[str, Any]


def parse_changes(current: ChannelConfig, text: str) -> dict[str, Any]:
    """The fields `text` sets, as raw values for `ChannelConfig` to validate.

    A keyword list is comma-separated phrases up to the next setting's word, so other settings
    may follow it; a phrase holding such a word is quoted: `keywords add "mode collapse"`.
    """
    words = _words(text)
    changes: dict[str, Any] = {}
    position = 0
    while position < len(words):
        word = words[position].lower()
        field = SETTING_WORDS.get(word)
        if field is None or field not in ChannelConfig.model_fields:
            raise UserError(f"'{words[position]}' is not a setting. Usage: {USAGE}")
        if field in ("include_keywords", "exclude_keywords"):
            end = _list_end(words, position)
            base = changes.get(field, getattr(current, field))
            changes[field] = _edit_list(word, list(base), words[position + 1 : end])
            position = end
            continue
        if position + 1 >= len(words):
            raise UserError(f"{word}: give a value, e.g. {_example(word)}")
        if word == "weekly":
            changes[field], used = _weekly(words[position + 1 : position + 3])
            position += 1 + used
            continue
        value = words[position + 1]
        changes[field] = _value(word, value, current)
        position += 2
    return changes


def _words(text: str) -> list[str]:
    # Double quotes group words; apostrophes are ordinary letters (what's, LLM's). Chat clients
    # turn typed quotes into curly ones.
    lexer = shlex.shlex(text.translate(str.maketrans("“”", '""')), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    try:
        return list(lexer)
    except ValueError:
        raise UserError(f"A quote is not closed in '{text}'. Usage: {USAGE}") from None


def _list_end(words: Sequence[str], position: int) -> int:
    """Where the keyword list starting at `position` ends: at the next setting's word.

    The word after `add`/`remove` always belongs to the list, so `keywords add top` adds "top".
    """
    action = words[position + 1].lower() if position + 1 < len(words) else ""
    first = position + (2 if action == "clear" else 3)
    for index in range(first, len(words)):
        if words[index].lower() in SETTING_WORDS:
            return index
    return len(words)


def _example(word: str) -> str:
    examples = {
        "time": "time 09:00",
        "tz": "tz Asia/Seoul",
        "timezone": "timezone Europe/Berlin",
        "top": "top 10",
        "min-votes": "min-votes 5",
        "language": "language en",
        "mode": "mode thread",
        "post-day": "post-day yesterday",
        "seen-before": "seen-before omit",
        "empty-note": "empty-note on",
        "weekly": "weekly mon 09:00",
        "weekly-top": "weekly-top 10",
    }
    return examples.get(word, USAGE)


def _value(word: str, value: str, current: ChannelConfig) -> Any:
    if word == "time":
        return _schedule_at(value, current.schedule)
    if word == "top" and value.lower() in ("all", "none"):
        return None
    if word == "empty-note":
        if value.lower() not in ("on", "off"):
            raise UserError(f"empty-note: use on or off (got '{value}')")
        return value.lower() == "on"
    return value


def _weekly(given: Sequence[str]) -> tuple[str | None, int]:
    """`off`, or a weekday and a time: the weekly post's cron schedule, and the words used."""
    if given[0].lower() == "off":
        return None, 1
    day = given[0].lower()[:3]
    if day not in WEEKDAYS or len(given) < 2:
        raise UserError("weekly: say off, or a weekday and a time, e.g. weekly mon 09:00")
    return _schedule_at(given[1], f"0 9 * * {day}", what="weekly"), 2


def _schedule_at(value: str, schedule: str, *, what: str = "time") -> str:
    """The channel's cron expression at a new time of day; its days stay as they were."""
    found = _TIME.match(value)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise UserError(f"{what}: '{value}' is not a time of day; use HH:MM, e.g. 09:00")
    days = schedule.split()[2:] or ["*", "*", "*"]
    return " ".join([str(int(found[2])), str(int(found[1])), *days])


def _edit_list(word: str, current: list[str], rest: Sequence[str]) -> list[str]:
    action = rest[0].lower() if rest else ""
    if action not in LIST_ACTIONS:
        raise UserError(f"{word}: say add, remove or clear, e.g. {word} add diffusion, video")
    if action == "clear":
        return []
    given = [part.strip() for part in " ".join(rest[1:]).split(",") if part.strip()]
    if not given:
        raise UserError(f"{word} {action}: which words? e.g. {word} {action} diffusion, video")
    if action == "add":
        known = {item.casefold() for item in current}
        return current + [item for item in given if item.casefold() not in known]
    removing = {item.casefold() for item in given}
    return [item for item in current if item.casefold() not in removing]


class ChannelRegistry:
    """The configured channels with the settings changed in chat applied over the file's."""

    def __init__(
        self,
        channels: Sequence[ChannelConfig],
        engine: Engine,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._base = {channel.name: channel for channel in channels}
        self.engine = engine
        self.clock = clock
        self._listeners: list[Callable[[ChannelConfig], None]] = []
        ensure_schema(engine)

    def on_change(self, listener: Callable[[ChannelConfig], None]) -> None:
        self._listeners.append(listener)

    def names(self) -> list[str]:
        return list(self._base)

    def base(self, name: str) -> ChannelConfig:
        """The channel as the config file has it."""
        try:
            return self._base[name]
        except KeyError:
            known = ", ".join(self._base) or "none configured"
            raise UserError(f"No channel named '{name}' (known: {known}).") from None

    def get(self, name: str) -> ChannelConfig:
        """The channel's settings now: the file's, with the ones changed in chat applied."""
        base = self.base(name)
        return _applied(base, self.overrides(name))

    def all(self) -> list[ChannelConfig]:
        query = select(channel_overrides.c.channel, channel_overrides.c.settings)
        with self.engine.connect() as connection:
            stored = {name: settings for name, settings in connection.execute(query)}
        return [_applied(base, stored.get(name) or {}) for name, base in self._base.items()]

    def find(self, platform: str, channel_id: str) -> ChannelConfig | None:
        """The configured channel a platform channel id belongs to (webhook channels have none)."""
        for name, base in self._base.items():
            if base.platform == platform and base.target == channel_id:
                return self.get(name)
        return None

    def overrides(self, name: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(channel_overrides.c.settings).where(channel_overrides.c.channel == name)
            ).scalar()
        return dict(found or {})

    def change(self, name: str, text: str, *, by: str) -> SettingsChange:
        """Apply `/digest-config` words; UserError with check-config's messages if invalid."""
        base, stored = self.base(name), self.overrides(name)
        current = _applied(base, stored)
        changes = parse_changes(current, text)
        try:
            config = ChannelConfig.model_validate({**current.model_dump(), **changes})
        except ValidationError as error:
            raise UserError("\n".join(describe_errors(error))) from None
        settled = {field: getattr(config, field) for field in changes}
        self._store(name, {**stored, **settled}, by)
        self._notify(config)
        return SettingsChange(config, settled)

    def reset(self, name: str, *, by: str) -> ChannelConfig:
        """Forget every setting changed in chat: the config file's values count again."""
        base = self.base(name)
        with self.engine.begin() as connection:
            connection.execute(delete(channel_overrides).where(channel_overrides.c.channel == name))
        log.info("channel=%s: settings reset to the config file by %s", name, by)
        self._notify(base)
        return base

    def _store(self, name: str, settings: dict[str, Any], by: str) -> None:
        row = {"settings": settings, "updated_by": by, "updated_at": self.clock()}
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(channel_overrides).where(channel_overrides.c.channel == name).values(row)
            ).rowcount
            if not updated:
                connection.execute(insert(channel_overrides).values(channel=name, **row))
        log.info("channel=%s: settings changed by %s: %s", name, by, sorted(settings))

    def _notify(self, config: ChannelConfig) -> None:
        for listener in self._listeners:
            listener(config)


def _applied(base: ChannelConfig, overrides: dict[str, Any]) -> ChannelConfig:
    if not overrides:
        return base
    try:
        return ChannelConfig.model_validate({**base.model_dump(), **overrides})
    except ValidationError as error:
        # Written by an older or newer bot: the file's settings are safe to fall back on.
        log.warning(
            "channel=%s: ignoring settings changed in chat: %s",
            base.name,
            "; ".join(describe_errors(error)),
        )
        return base
