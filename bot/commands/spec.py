"""How a command is declared, once for every platform: name, description, typed options.

Each adapter builds what its platform registers from these declarations (Slack's manifest and
listeners, Discord's application commands, the console's help), so a command added to the
registry (`bot/commands/registry.py`) reaches every platform. Typed options come back as values;
the core reads words, and `command_text` is the one way the values become those words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.commands.context import CommandContext
    from bot.messages import Message

# text: free words; int: a whole number (min/max); choice: one of `choices`;
# date: YYYY-MM-DD, today or yesterday (platforms show them as text).
OptionType = Literal["text", "int", "choice", "date"]
# Where a platform that suggests values while the user types finds them.
Suggestions = Literal["archive-dates"]

# What every platform accepts as a command or option name (Discord's rule is the strictest).
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
DESCRIPTION_MAX = 100  # Discord's limit for a command's or an option's description


@dataclass(frozen=True)
class OptionSpec:
    """One typed option of a command, in the order its value goes into the command's words."""

    name: str
    description: str
    type: OptionType = "text"
    required: bool = False
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()
    # A choice that means what leaving the option out means: it adds no word to the text.
    default: str | None = None
    suggest: Suggestions | None = None

    def __post_init__(self) -> None:
        _check_name(self.name, self.description)
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"option {self.name}: choices go with type 'choice', and only there")
        if self.default is not None and self.default not in self.choices:
            raise ValueError(f"option {self.name}: the default must be one of its choices")
        if (self.min is not None or self.max is not None) and self.type != "int":
            raise ValueError(f"option {self.name}: min and max go with type 'int'")


@dataclass(frozen=True)
class SubcommandSpec:
    """One sub-command such as `/paper-alert add`: its name is the first word of the text."""

    name: str
    description: str
    options: tuple[OptionSpec, ...] = ()

    def __post_init__(self) -> None:
        _check_name(self.name, self.description)


@dataclass(frozen=True)
class CommandSpec:
    """A slash command: what it is called, what it takes, who sees the answer, what runs it."""

    name: str
    usage: str
    description: str
    run: Callable[[CommandContext, str], Message]
    options: tuple[OptionSpec, ...] = ()
    subcommands: tuple[SubcommandSpec, ...] = ()
    # Where a platform reserves the name (Slack's /search): {"slack": "papers-search"}.
    platform_names: Mapping[str, str] = field(default_factory=dict)
    # Answers that depend on who asks, where and when are never served from an answer cache,
    # and are not offered for sharing in the channel.
    personal: bool = False
    # Only for admins, as the platform's own permission data says (adapters check it for these).
    admin: bool = False

    def __post_init__(self) -> None:
        _check_name(self.name, self.description)
        for name in self.platform_names.values():
            _check_name(name, self.description)
        if self.options and self.subcommands:
            raise ValueError(f"command {self.name}: options or sub-commands, not both")

    def name_on(self, platform: str) -> str:
        """The command's name on `platform`, without the slash."""
        return self.platform_names.get(platform, self.name)


def _check_name(name: str, description: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"'{name}': use 1-32 lowercase letters, digits, '-' or '_'")
    if not 0 < len(description) <= DESCRIPTION_MAX:
        raise ValueError(f"'{name}': the description needs 1-{DESCRIPTION_MAX} characters")


def command_text(
    spec: CommandSpec, values: Mapping[str, object], subcommand: str | None = None
) -> str:
    """The words the core reads for typed option values: sub-command first, then each value."""
    options = spec.options
    words: list[str] = []
    if subcommand is not None:
        (chosen,) = [sub for sub in spec.subcommands if sub.name == subcommand]
        options, words = chosen.options, [chosen.name]
    for option in options:
        value = values.get(option.name)
        word = "" if value is None else str(value).strip()
        if word and word != option.default:
            words.append(word)
    return " ".join(words)
