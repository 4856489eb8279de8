"""Ctrl-C (SIGINT) and SIGTERM end `digest-bot run` at once and quietly, whatever it waits on.

The bot runs as a real process: its console waits on a pipe or a terminal nobody types at, the
case where a reading thread used to keep the process alive. pytest-timeout is the guard; nothing
here measures time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import PROJECT_ROOT

CONSOLE_CHANNEL = """
[[channels]]
name = "desk"
platform = "console"
"""
GREETING_START = "Type /paper"


def bot_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_BOT_")}
    env.update(DIGEST_BOT_DATA_DIR=str(data_dir), PYTHONPATH=str(PROJECT_ROOT))
    env.pop("FORCE_COLOR", None)
    return env


def wait_for(stream: IO[str], text: str) -> str:
    """Read the bot's output up to the line holding `text` (pytest-timeout guards the wait)."""
    seen = []
    for line in stream:
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"the bot ended before printing {text!r}:\n{''.join(seen)}")


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A pseudo-terminal: (the end we type into, the end the bot reads as its stdin)."""
    typing_end, bot_end = os.openpty()
    yield typing_end, bot_end
    for fd in (typing_end, bot_end):
        os.close(fd)


def start_bot(workdir: Path, stdin: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=workdir,
        env=bot_env(workdir / "data"),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stopped_quietly(bot: subprocess.Popen[str], sig: signal.Signals) -> str:
    bot.send_signal(sig)
    _, errors = bot.communicate()
    assert bot.returncode == 0, errors
    assert "Traceback" not in errors
    return errors


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
@pytest.mark.parametrize("stdin", ["pipe", "terminal"])
def test_a_signal_ends_the_console_waiting_for_a_line(
    tmp_path: Path, terminal: tuple[int, int], sig: signal.Signals, stdin: str
) -> None:
    # Both stay open and silent: the pipe of a service manager, a terminal nobody types at.
    bot = start_bot(tmp_path, subprocess.PIPE if stdin == "pipe" else terminal[1])
    assert bot.stdout is not None
    wait_for(bot.stdout, GREETING_START)
    stopped_quietly(bot, sig)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_with_a_console_channel_a_terminal_is_answered_and_a_signal_ends_the_bot(
    tmp_path: Path, terminal: tuple[int, int], sig: signal.Signals
) -> None:
    (tmp_path / "digest-bot.toml").write_text(CONSOLE_CHANNEL, encoding="utf-8")
    typing_end, bot_end = terminal
    bot = start_bot(tmp_path, bot_end)
    assert bot.stdout is not None
    wait_for(bot.stdout, GREETING_START)  # the scheduler runs and the console listens
    os.write(typing_end, b"/top 2\n")
    answer = wait_for(bot.stdout, "2. ")
    assert "Top 2 — 2025-01-10" in answer
    errors = stopped_quietly(bot, sig)
    assert "apscheduler" not in errors  # the scheduler's INFO lines stay off the console
