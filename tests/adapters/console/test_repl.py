"""The console chat: typed commands in, answers out; Ctrl-D, Ctrl-C and /quit end it cleanly.

The plain path reads a stream (a pipe, a file, StringIO here); the interactive path is a
prompt_toolkit prompt, driven here through a pipe input and a VT100 terminal drawn into a string.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console

from adapters.console.lines import HISTORY_FILE, plain_reader, prompt_reader
from adapters.console.repl import GREETING, QUIT_USAGE, command_loop
from bot.adapter_contract import ContextFactory
from bot.archive import Archive
from bot.commands import Caller, CommandContext
from bot.formatter import FormatOptions

CTRL_C = "\x03"
CTRL_D = "\x04"


@pytest.fixture
def context(sample_archive: Archive) -> ContextFactory:
    def make(caller: Caller | None = None) -> CommandContext:
        return CommandContext(
            archive=sample_archive,
            today=dt.date(2025, 1, 11),
            options=FormatOptions(),
            caller=caller,
        )

    return make


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as typed:
        yield typed


def console_on(out: io.StringIO) -> Console:
    return Console(file=out, width=120, force_terminal=False, color_system=None)


async def typed_plainly(context: ContextFactory, text: str) -> tuple[int, str]:
    out = io.StringIO()
    answered = await command_loop(context, plain_reader(io.StringIO(text)), console_on(out))
    return answered, out.getvalue()


async def test_top_and_search_show_the_arxiv_ids_that_paper_takes(context: ContextFactory) -> None:
    answered, text = await typed_plainly(context, "/top 2\n/search reasoning\n")
    assert answered == 2
    top = text[text.index("Top 2") : text.index("Search:")]
    ids = [word for word in top.split() if word.startswith("2501.")]
    assert len(ids) == 2
    # Each id shown is one /paper answers.
    _, paper = await typed_plainly(context, f"/paper {ids[0]}\n")
    assert "is not in any digest" not in paper
    assert "In digests:" in paper
    assert any(word.startswith("2501.") for word in text[text.index("Search:") :].split())


async def test_an_unknown_command_says_so_in_one_line_and_points_at_help(
    context: ContextFactory,
) -> None:
    answered, text = await typed_plainly(context, "/foo bar\n")
    assert answered == 1
    answer = " ".join(text.split()).removeprefix(" ".join(GREETING.split()) + " ")
    assert answer.startswith("Unknown command /foo. Commands: /paper, /top, /digest, /search")
    assert answer.endswith("/help shows how.")
    assert "most-voted papers" not in text  # not the whole help


async def test_help_lists_quit_and_quit_ends_the_loop(context: ContextFactory) -> None:
    answered, text = await typed_plainly(context, "/help\n/quit\n/top\n")
    assert answered == 1
    assert QUIT_USAGE in text
    assert "/paper <arXiv id or link>" in text
    assert "Top " not in text  # nothing after /quit
    _, one = await typed_plainly(context, "/help top\n")
    assert QUIT_USAGE not in one  # the help of one command stays that command's


async def test_the_end_of_piped_input_ends_the_loop_without_a_blank_line(
    context: ContextFactory,
) -> None:
    answered, text = await typed_plainly(context, "hello\n\n/top 1")
    assert answered == 1
    assert "Commands start with '/'" in text
    assert not text.endswith("\n\n")


@pytest.fixture
def silent_pipe() -> Iterator[TextIO]:
    """A pipe nobody writes to: a thread reading it blocks until it is closed."""
    read_end, write_end = os.pipe()
    with open(read_end, encoding="utf-8") as never, open(write_end, "w"):
        yield never


async def test_stopping_the_bot_ends_a_loop_waiting_for_a_line(
    context: ContextFactory, silent_pipe: TextIO
) -> None:
    stop = asyncio.Event()
    out = io.StringIO()
    loop = asyncio.create_task(
        command_loop(context, plain_reader(silent_pipe), console_on(out), stop=stop)
    )
    await asyncio.sleep(0)
    stop.set()
    assert await loop == 0


# ----- the interactive prompt -----------------------------------------------------------------


ANSI_CODE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


async def run_prompt(
    context: ContextFactory, pipe: PipeInput, keys: str, history: Path | None = None
) -> tuple[int, str, str]:
    """(commands answered, what the console printed, what the prompt drew on the terminal)."""
    out, screen = io.StringIO(), io.StringIO()
    pipe.send_text(keys)
    terminal = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")
    reader = prompt_reader(history, input=pipe, output=terminal)
    answered = await command_loop(context, reader, console_on(out))
    return answered, out.getvalue(), ANSI_CODE.sub("", screen.getvalue())


# Ctrl-D ends the input on an empty line (elsewhere it deletes); Ctrl-C also drops a half line.
@pytest.mark.parametrize("keys", [CTRL_D, "/to" + CTRL_C], ids=["ctrl-d", "ctrl-c"])
async def test_ctrl_d_and_ctrl_c_end_the_prompt_on_a_new_line(
    context: ContextFactory, pipe: PipeInput, keys: str
) -> None:
    answered, text, screen = await run_prompt(context, pipe, f"/top 1\r{keys}")
    assert answered == 1
    assert "Top 1 — 2025-01-10" in text
    assert screen.count("digest> ") >= 2
    # The last prompt's line is ended, so the shell's own prompt starts on a line of its own.
    assert screen.rstrip(" \r").endswith("\n")
    assert not text.endswith("\n\n")  # and no blank line besides


async def test_the_prompt_edits_the_line_and_keeps_a_history(
    context: ContextFactory, pipe: PipeInput, tmp_path: Path
) -> None:
    history = tmp_path / HISTORY_FILE
    # "/tpo 1", then Left Left Backspace Backspace "op" fixes it to "/top 1" before Enter.
    answered, text, _ = await run_prompt(
        context, pipe, "/tpo 1\x1b[D\x1b[D\x7f\x7fop\r" + CTRL_D, history
    )
    assert answered == 1
    assert "Top 1 — 2025-01-10" in text
    assert "/top 1" in history.read_text(encoding="utf-8")
    # The next session recalls it with Up.
    with create_pipe_input() as again:
        answered, text, _ = await run_prompt(context, again, "\x1b[A\r" + CTRL_D, history)
    assert answered == 1
    assert "Top 1 — 2025-01-10" in text


async def test_a_history_that_cannot_be_written_loses_only_the_history(
    context: ContextFactory, pipe: PipeInput, tmp_path: Path
) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be", encoding="utf-8")
    history = blocked / HISTORY_FILE  # every read and write of it fails
    answered, text, _ = await run_prompt(context, pipe, "/top 1\r" + CTRL_D, history)
    assert answered == 1
    assert "Top 1 — 2025-01-10" in text
    assert blocked.read_text(encoding="utf-8").startswith("a file")


async def test_the_history_folder_is_made_when_missing(
    context: ContextFactory, pipe: PipeInput, tmp_path: Path
) -> None:
    history = tmp_path / "new-data-dir" / HISTORY_FILE  # a bot on PostgreSQL has no data dir yet
    await run_prompt(context, pipe, "/top 1\r" + CTRL_D, history)
    assert "/top 1" in history.read_text(encoding="utf-8")
