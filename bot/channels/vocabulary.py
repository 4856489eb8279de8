"""The words of `/digest-config`: one table of settings, read by the parser and by what is shown.

Each `Setting` names the word typed in chat, the `ChannelConfig` field it sets, how its value is
written and an example. `ChannelRegistry.change` parses with it, `/digest-config` shows the
settings in its order and tells a channel's name from a setting's word with it, and its usage line
is built from it: a setting added here reaches all of them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.channels.model import ChannelConfig
from bot.errors import UserError

Kind = Literal["value", "time", "count", "switch", "weekly", "list"]
"""How a setting's value is read: as typed (`ChannelConfig` validates it), a time of day that
moves the schedule, a count or `all`, `on`/`off`, a weekday and a time or `off`, or a list edit."""


@dataclass(frozen=True)
class Setting:
    """One word of `/digest-config` and the `ChannelConfig` field it sets."""

    word: str
    field: str
    value: str  # how the value is written, for the usage line
    example: str  # a value that is accepted, for "give a value, e.g. …"
    kind: Kind = "value"
    aliases: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("time", "schedule", "HH:MM", "09:00", kind="time"),
    Setting("tz", "timezone", "Area/City", "Asia/Seoul", aliases=("timezone",)),
    Setting("post-day", "post_day", "today|yesterday", "yesterday"),
    Setting("mode", "mode", "thread|single", "thread"),
    Setting("top", "top_n", "N|all", "10", kind="count"),
    Setting("min-votes", "min_votes", "N", "5"),
    Setting("keywords", "include_keywords", "add|remove W1, W2 | clear", "add agent", kind="list"),
    Setting("exclude", "exclude_keywords", "add|remove W1, W2 | clear", "add survey", kind="list"),
    Setting("language", "language", "en|ko", "en"),
    Setting("seen-before", "seen_before", "mark|omit|show", "omit"),
    Setting("empty-note", "empty_day_note", "on|off", "on", kind="switch"),
    Setting("weekly", "weekly_schedule", "mon 09:00 | off", "mon 09:00", kind="weekly"),
    Setting("weekly-top", "weekly_top", "N", "10"),
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LIST_ACTIONS = ("add", "remove", "clear")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class Vocabulary:
    """The settings `/digest-config` knows, by word, and the parser of its words."""

    def __init__(self, settings: Sequence[Setting] = SETTINGS) -> None:
        unknown = [s.field for s in settings if s.field not in ChannelConfig.model_fields]
        if unknown:
            raise ValueError(f"not ChannelConfig fields: {', '.join(unknown)}")
        self.settings = tuple(settings)
        self._by_word = {word: s for s in self.settings for word in (s.word, *s.aliases)}
        shown = " ".join(f"[{s.word} {s.value}]" for s in self.settings)
        self.usage = f"/digest-config {shown} | reset"

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._by_word

    def parse(self, current: ChannelConfig, text: str) -> dict[str, Any]:
        """The fields `text` sets, as raw values for `ChannelConfig` to validate.

        A keyword list is comma-separated phrases up to the next setting's word, so other
        settings may follow it; a phrase holding such a word is quoted: `keywords add "mode
        collapse"`.
        """
        words = self._words(text)
        changes: dict[str, Any] = {}
        position = 0
        while position < len(words):
            word = words[position].lower()
            setting = self._by_word.get(word)
            if setting is None:
                raise UserError(f"'{words[position]}' is not a setting. Usage: {self.usage}")
            field = setting.field
            if setting.kind == "list":
                end = self._list_end(words, position)
                base = changes.get(field, getattr(current, field))
                changes[field] = _edit_list(word, list(base), words[position + 1 : end])
                position = end
                continue
            if position + 1 >= len(words):
                raise UserError(f"{word}: give a value, e.g. {word} {setting.example}")
            if setting.kind == "weekly":
                changes[field], used = _weekly(word, words[position + 1 : position + 3])
                position += 1 + used
                continue
            changes[field] = _value(setting, word, words[position + 1], current)
            position += 2
        return changes

    def _words(self, text: str) -> list[str]:
        # Double quotes group words; apostrophes are ordinary letters (what's, LLM's). Chat
        # clients turn typed quotes into curly ones.
        lexer = shlex.shlex(text.translate(str.maketrans("“”", '""')), posix=True)
        lexer.whitespace_split = True
        lexer.quotes = '"'
        lexer.escape = ""
        try:
            return list(lexer)
        except ValueError:
            raise UserError(f"A quote is not closed in '{text}'. Usage: {self.usage}") from None

    def _list_end(self, words: Sequence[str], position: int) -> int:
        """Where the keyword list starting at `position` ends: at the next setting's word.

        The word after `add`/`remove` always belongs to the list, so `keywords add top` adds "top".
        """
        action = words[position + 1].lower() if position + 1 < len(words) else ""
        first = position + (2 if action == "clear" else 3)
        for index in range(first, len(words)):
            if words[index] in self:
                return index
        return len(words)


def _value(setting: Setting, word: str, value: str, current: ChannelConfig) -> Any:
    if setting.kind == "time":
        return _schedule_at(value, getattr(current, setting.field), what=word)
    if setting.kind == "count" and value.lower() in ("all", "none"):
        return None
    if setting.kind == "switch":
        if value.lower() not in ("on", "off"):
            raise UserError(f"{word}: use on or off (got '{value}')")
        return value.lower() == "on"
    return value


def _weekly(word: str, given: Sequence[str]) -> tuple[str | None, int]:
    """`off`, or a weekday and a time: the weekly post's cron schedule, and the words used."""
    if given[0].lower() == "off":
        return None, 1
    day = given[0].lower()[:3]
    if day not in WEEKDAYS or len(given) < 2:
        raise UserError(f"{word}: say off, or a weekday and a time, e.g. {word} mon 09:00")
    return _schedule_at(given[1], f"0 9 * * {day}", what=word), 2


def _schedule_at(value: str, schedule: str, *, what: str) -> str:
    """The cron expression `schedule` at a new time of day; its days stay as they were."""
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


DIGEST_CONFIG = Vocabulary()
"""The vocabulary of `/digest-config`."""
