"""Stopping the bot (SIGTERM, Ctrl-C) while a scheduled job runs: the event loop cancels the job,
and that is a shutdown, not a failure logged with a CancelledError traceback."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.schedule import ChannelScheduler


def test_a_job_cancelled_by_the_shutdown_logs_no_error(caplog: pytest.LogCaptureFixture) -> None:
    started: list[str] = []

    async def serve_until_a_signal() -> None:
        running = asyncio.Event()

        async def slow_job() -> None:
            started.append("job")
            running.set()
            await asyncio.Event().wait()  # e.g. a post waiting on a slow platform

        scheduler = ChannelScheduler(lambda _channel, _time: slow_job())
        scheduler.every("catch-up", 0.01, slow_job)
        scheduler.start()
        await running.wait()
        scheduler.shutdown()
        # Returning ends asyncio.run, which cancels the job still running, as after SIGTERM.

    with caplog.at_level(logging.INFO):
        asyncio.run(serve_until_a_signal())
    assert started == ["job"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "CancelledError" not in caplog.text
