"""The `digest-bot` command line: one sub-command module per concern, wired here.

This is the composition root of the command line: it is the only place in `bot/` that may import
adapters, and only inside functions, so the platform SDKs stay optional.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TextIO

from bot import __version__
from bot.errors import DigestBotError
from bot.redaction import escape_controls, install_redaction, redact, register_environment_secrets
from bot.terminal import printable

# Each module defines `register(subparsers)`; its sub-parsers set `handler(args) -> int`.
_COMMAND_MODULES = (
    "bot.cli.parse_cmd",
    "bot.cli.archive_cmds",
    "bot.cli.render_cmd",
    "bot.cli.run_cmds",
    "bot.cli.slack_cmd",
    "bot.cli.discord_cmd",
)

EXIT_USER_ERROR = 2
EXIT_UNEXPECTED = 1
log = logging.getLogger("bot.cli")
# Libraries whose INFO lines (a line per scheduled job, per HTTP request, per reconnect) would
# bury the bot's own; they are shown with -v.
QUIET_LIBRARIES = (
    "aiohttp",
    "apscheduler",
    "discord",
    "httpcore",
    "httpx",
    "slack_bolt",
    "slack_sdk",
    "uvicorn",
)
Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest-bot",
        description="Post the Daily Papers digest to Slack, Discord or the console, and answer "
        "questions about it.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        import_module(name).register(subparsers)
    return parser


def main(
    argv: Sequence[str] | None = None, *, parser: argparse.ArgumentParser | None = None
) -> int:
    """Run the command line; user errors print one line and return exit code 2.

    `parser` is `build_parser()` unless given (tests bring commands of their own).
    """
    parser = parser or build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=args.verbose)
    handler: Handler = args.handler
    try:
        return handler(args)
    except DigestBotError as error:
        print(f"digest-bot: error: {printable(redact(str(error)))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open until exit, on purpose
        return 0
    except Exception as error:  # a bug or a failure nobody foresaw: still one line, no secret
        # The traceback goes to the log (through the redacting filter), shown only with -v.
        log.debug("unexpected error", exc_info=True)
        details = "" if args.verbose else " (details with -v)"
        message = printable(escape_controls(redact(str(error))))
        print(
            f"digest-bot: error: unexpected {type(error).__name__}: {message}{details}",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED


class QuietLibraries(logging.Filter):
    """Drops the libraries' records below WARNING (a handler filter: levels stay as they are)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.partition(".")[0] not in (
            QUIET_LIBRARIES
        )


QUIET_LIBRARIES_FILTER = QuietLibraries()


_console_handlers: list[logging.Handler] = []  # the handlers this module made (basicConfig)


def setup_logging(*, verbose: bool, stream: TextIO | None = None) -> None:
    """Log to stderr through the redacting filter; libraries below WARNING only with -v.

    The settings register their secrets when loaded (`config.load_settings`); the environment's
    are registered here, so that even an error before the settings are read masks them.
    """
    root = logging.getLogger()
    before = list(root.handlers)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=stream,
    )
    _console_handlers.extend(h for h in root.handlers if h not in before)
    # Only on the console handler: other handlers (a test's capture) keep every record.
    for handler in _console_handlers:
        if verbose:
            handler.removeFilter(QUIET_LIBRARIES_FILTER)
        else:
            handler.addFilter(QUIET_LIBRARIES_FILTER)  # a no-op when it is there already
    register_environment_secrets(os.environ)
    install_redaction()
