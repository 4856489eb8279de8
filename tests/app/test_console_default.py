"""The embedded default a new user meets: the latest sample digest, then commands typed in."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from bot.app.main import build_app
from bot.cli import main
from config import BotSettings, ChannelConfig


async def test_run_shows_the_latest_digest_and_answers_commands(tmp_path: Path) -> None:
    out = io.StringIO()
    app = build_app(BotSettings(data_dir=tmp_path), Console(file=out, width=120))
    typed = io.StringIO(
        "/top 2\n/paper 2501.04682\n/paper 2501.99999\n/top -3\nhello\n/quit\n/top\n"
    )
    assert await app.run(typed) == 0
    text = out.getvalue()
    assert "Daily Papers — 2025-01-10" in text  # the latest sample day, as a post
    assert "Top 2 — 2025-01-10" in text
    assert "Towards System 2 Reasoning" in text
    assert "2501.99999 is not in any digest" in text
    assert "n must be between 1 and 25 (got -3)" in text
    assert "Commands start with '/'" in text
    assert text.count("Top ") == 1  # nothing after /quit


def test_post_dry_run_prints_without_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIGEST_BOT_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["post", "--date", "2025-01-09", "--dry-run"]) == 0
    assert "rStar-Math" in capsys.readouterr().out
    assert main(["post", "--date", "2024-01-01"]) == 2
    assert "No digest for 2024-01-01" in capsys.readouterr().err


async def test_with_a_console_channel_typed_commands_are_answered_while_the_scheduler_runs(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    desk = ChannelConfig(name="desk", platform="console")
    app = build_app(BotSettings(data_dir=tmp_path, channels=[desk]), Console(file=out, width=120))
    typed: Iterator[str] = iter(["/top 2\n", "/digest-status desk\n"])
    scheduling: list[bool] = []

    async def read_line() -> str | None:
        # What a person types at the terminal, noting whether the scheduler runs meanwhile.
        scheduling.append(app.scheduler is not None and app.scheduler.running)
        return next(typed, None)

    assert await app.run(io.StringIO(), read_line=read_line) == 0
    text = out.getvalue()
    assert "Top 2 — 2025-01-10" in text
    assert "desk" in text.split("Top 2", 1)[1]  # /digest-status answered for the channel
    assert scheduling == [True, True, True]
    assert app.scheduler is None  # the end of the typed input stopped the bot
