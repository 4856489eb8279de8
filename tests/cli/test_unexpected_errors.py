"""An error nobody foresaw still ends in one line without a secret; the traceback only with -v."""

from __future__ import annotations

import argparse
import logging

import pytest

from bot.cli import main

SECRET_URL = "https://bot:hunter2pw@db.example/x?token=QUERYSECRET"


def parser_raising(error: Exception) -> argparse.ArgumentParser:
    """The command line with one more command, whose handler fails as a bug would."""
    parser = argparse.ArgumentParser(prog="digest-bot")
    parser.add_argument("-v", "--verbose", action="store_true")
    subparsers = parser.add_subparsers(dest="command", required=True)

    def fail(_args: argparse.Namespace) -> int:
        raise error

    subparsers.add_parser("explode").set_defaults(handler=fail)
    return parser


def test_an_unexpected_error_is_one_redacted_line(capsys: pytest.CaptureFixture[str]) -> None:
    error = RuntimeError(f"cannot open {SECRET_URL}\n\x1b[31mforged line")

    assert main(["explode"], parser=parser_raising(error)) == 1

    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.splitlines()
    assert line.startswith(
        "digest-bot: error: unexpected RuntimeError: cannot open https://bot:***@"
    )
    assert line.endswith("(details with -v)")
    assert "hunter2pw" not in line
    assert "QUERYSECRET" not in line
    assert "\x1b" not in line


def test_with_verbose_the_traceback_is_logged_redacted(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    assert main(["-v", "explode"], parser=parser_raising(ValueError(SECRET_URL))) == 1

    assert "Traceback" in caplog.text
    assert "in fail" in caplog.text
    assert "hunter2pw" not in caplog.text
    assert "QUERYSECRET" not in caplog.text
    err = capsys.readouterr().err
    assert "hunter2pw" not in err
    assert "QUERYSECRET" not in err
    assert "digest-bot: error: unexpected ValueError: https://bot:***@" in err
