"""Typed option values become the words the core reads, one way for every platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.archive import Archive
from bot.commands import (
    COMMANDS,
    CommandContext,
    CommandSpec,
    OptionSpec,
    SubcommandSpec,
    command_text,
    run_command,
)
from bot.formatter import format_notice
from bot.messages import Message


def test_values_become_words_in_the_declared_order() -> None:
    top = COMMANDS["top"]
    assert command_text(top, {"period": "week", "n": 3}) == "3 week"
    assert command_text(top, {"n": None, "date": "2025-01-09"}) == "2025-01-09"
    # "day" means what no period means: the core is not told a word it would refuse.
    assert command_text(top, {"n": 2, "period": "day"}) == "2"
    assert command_text(COMMANDS["search"], {"words": "  diffusion video "}) == "diffusion video"


def test_a_subcommand_is_the_first_word() -> None:
    alert = COMMANDS["paper-alert"]
    assert command_text(alert, {"words": "math reasoning"}, "add") == "add math reasoning"
    assert command_text(alert, {}, "list") == "list"


def test_the_words_of_every_choice_are_ones_the_command_accepts() -> None:
    periods = COMMANDS["top"].options[2]
    for choice in periods.choices:
        assert command_text(COMMANDS["top"], {"period": choice}) in {"", *periods.choices}


def say(ctx: CommandContext, text: str) -> Message:
    return format_notice(text)


@pytest.mark.parametrize(
    ("build", "complaint"),
    [
        (lambda: OptionSpec("Bad Name", "x"), "lowercase"),
        (lambda: OptionSpec("tone", "x", "choice"), "choices go with type 'choice'"),
        (lambda: OptionSpec("tone", "x", choices=("a",)), "choices go with type 'choice'"),
        (lambda: OptionSpec("tone", "x", "choice", choices=("a",), default="b"), "default"),
        (lambda: OptionSpec("n", "x", min=1), "min and max"),
        (lambda: OptionSpec("n", "x" * 101), "description"),
        (
            lambda: CommandSpec(
                "c",
                "/c",
                "x",
                say,
                options=(OptionSpec("a", "x"),),
                subcommands=(SubcommandSpec("s", "x"),),
            ),
            "not both",
        ),
        (lambda: CommandSpec("c", "/c", "x", say, platform_names={"slack": "/c"}), "lowercase"),
    ],
)
def test_a_declaration_no_platform_would_accept_is_refused(
    build: Callable[[], object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        build()


def test_every_shipped_command_answers_its_own_help(sample_archive: Archive) -> None:
    ctx = CommandContext(sample_archive, dt.date(2025, 1, 10))
    for name, spec in COMMANDS.items():
        result = run_command(ctx, name, "help")
        assert result.ok
        assert spec.usage in result.message.text
