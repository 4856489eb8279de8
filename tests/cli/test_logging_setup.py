"""The command line's logging: library chatter only with -v, the bot's own INFO for `run`."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from collections.abc import Iterator

import pytest

from bot.archive import Archive
from bot.cli import setup_logging
from bot.redaction import REDACTING_FILTER


@contextlib.contextmanager
def fresh_console() -> Iterator[io.StringIO]:
    """What the command line's own console handler prints, with the root as on a fresh start.

    Entered in the test itself: pytest puts its capturing handlers on the root for each phase.
    """
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    for handler in saved:
        root.removeHandler(handler)
    stream = io.StringIO()
    try:
        yield stream
    finally:
        restore(root, saved, level)


def restore(root: logging.Logger, saved: list[logging.Handler], level: int) -> None:
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved:
        root.addHandler(handler)
    root.setLevel(level)


LIBRARIES = [
    "apscheduler.scheduler",
    "httpx",
    "discord.gateway",
    "slack_bolt.AsyncApp",
    "uvicorn",
    "aiohttp.access",
    "slack_sdk.webhook.async_client",
]


@pytest.mark.parametrize("name", LIBRARIES)
def test_library_info_lines_stay_off_the_console_unless_verbose(name: str) -> None:
    with fresh_console() as console:
        check_library_lines(console, name)


def check_library_lines(console: io.StringIO, name: str) -> None:
    # A bolt app built elsewhere in the session without a base logger gives its logger the root's
    # level of that moment; start from a library logger as a fresh process has it.
    logging.getLogger(name).setLevel(logging.NOTSET)
    setup_logging(verbose=False, stream=console)
    logging.getLogger().setLevel(logging.INFO)  # what `run` does for the bot's own lines
    logging.getLogger(name).info("library chatter")
    logging.getLogger(name).warning("library trouble")
    logging.getLogger("bot.app.main").info("our own line")
    shown = console.getvalue()
    assert "library chatter" not in shown
    assert "library trouble" in shown
    assert "our own line" in shown

    setup_logging(verbose=True, stream=console)
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger(name).debug("library details")
    assert "library details" in console.getvalue()


def test_the_slack_apps_info_lines_stay_off_the_console_too(sample_archive: Archive) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.adapter import build_bolt_app
    from bot.commands import CommandContext
    from config import BotSettings

    with fresh_console() as console:
        setup_logging(verbose=False, stream=console)
        logging.getLogger().setLevel(logging.INFO)  # as `run` has it when the app is built
        app = build_bolt_app(
            BotSettings(),
            lambda caller=None: CommandContext(archive=sample_archive, today=dt.date(2025, 1, 10)),
            AsyncWebClient(token="xoxb-not-used"),
        )
        app.logger.info("bolt chatter")
        app.logger.warning("bolt trouble")
        assert "bolt chatter" not in console.getvalue()
        assert "bolt trouble" in console.getvalue()


def test_every_handler_there_is_gets_the_redacting_filter() -> None:
    library = logging.getLogger("tests.some_library")
    with fresh_console() as console:
        own = logging.StreamHandler(console)
        library.addHandler(own)
        try:
            setup_logging(verbose=False, stream=console)
            assert REDACTING_FILTER in own.filters
            assert all(REDACTING_FILTER in h.filters for h in logging.getLogger().handlers)
            library.warning("token xoxb-1-2-SECRETINLOG")
            assert "xoxb-***" in console.getvalue()
            assert "SECRETINLOG" not in console.getvalue()
        finally:
            library.removeHandler(own)
