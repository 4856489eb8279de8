"""The command line's logging: library chatter only with -v, the bot's own INFO for `run`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest

from bot.archive import Archive
from bot.cli import QUIET_LIBRARIES, setup_logging
from bot.redaction import REDACTING_FILTER


@pytest.fixture(autouse=True)
def restore_levels() -> Iterator[None]:
    names = ["", *QUIET_LIBRARIES]
    saved = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(
    "name",
    [
        "apscheduler.scheduler",
        "httpx",
        "discord.gateway",
        "slack_bolt",
        "uvicorn",
        "aiohttp.access",
        "slack_sdk.webhook.async_client",
    ],
)
def test_library_info_lines_stay_off_the_console_unless_verbose(name: str) -> None:
    setup_logging(verbose=False)
    logging.getLogger().setLevel(logging.INFO)  # what `run` does for the bot's own lines
    assert not logging.getLogger(name).isEnabledFor(logging.INFO)
    assert logging.getLogger(name).isEnabledFor(logging.WARNING)
    assert logging.getLogger("bot.app.main").isEnabledFor(logging.INFO)

    setup_logging(verbose=True)
    logging.getLogger().setLevel(logging.DEBUG)
    assert logging.getLogger(name).isEnabledFor(logging.DEBUG)


def test_the_slack_apps_loggers_follow_the_command_line_not_the_roots_level(
    sample_archive: Archive,
) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.adapter import build_bolt_app
    from bot.commands import CommandContext
    from config import BotSettings

    setup_logging(verbose=False)
    logging.getLogger().setLevel(logging.INFO)  # as `run` has it when the app is built
    app = build_bolt_app(
        BotSettings(),
        lambda caller=None: CommandContext(archive=sample_archive, today=dt.date(2025, 1, 10)),
        AsyncWebClient(token="xoxb-not-used"),
    )
    assert not app.logger.isEnabledFor(logging.INFO)


def test_every_handler_there_is_gets_the_redacting_filter() -> None:
    library = logging.getLogger("tests.some_library")
    own = logging.StreamHandler()
    library.addHandler(own)
    try:
        setup_logging(verbose=False)
        assert REDACTING_FILTER in own.filters
        assert all(REDACTING_FILTER in h.filters for h in logging.getLogger().handlers)
    finally:
        library.removeHandler(own)
