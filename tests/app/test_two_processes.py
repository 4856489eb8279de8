"""Two bot processes sharing one PostgreSQL database deliver each (channel, day) exactly once."""

from __future__ import annotations

import asyncio
import collections
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import PG_URL_ENV
from tests.fakes.bot_process import run_digest_bot
from tests.fakes.slack_api import FakeChannel, FakeSlackAPI

CHANNELS = [f"C{n:09d}" for n in range(30)]

pytestmark = pytest.mark.postgres


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(channels=[FakeChannel(c, c.lower()) for c in CHANNELS]) as server:
        yield server


async def post(config: Path) -> tuple[int | None, str]:
    return await run_digest_bot(["post", "--date", "2025-01-09", "--config", str(config)])


async def test_two_processes_on_one_database_post_each_channel_once(
    api: FakeSlackAPI, tmp_path: Path
) -> None:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"no PostgreSQL for this run (set {PG_URL_ENV}; .ci/run does)")
    from tests.conftest import _reset_postgres

    engine: Engine = _reset_postgres(url)
    engine.dispose()
    lines = [f'database_url = "{url}"', "[slack]", f'api_base_url = "{api.base_url}"']
    for channel in CHANNELS:
        lines += ["[[channels]]", f'name = "{channel.lower()}"', 'platform = "slack"']
        lines += [f'target = "{channel}"', "top_n = 3"]
    config = tmp_path / "digest-bot.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    (first_code, first), (second_code, second) = await asyncio.gather(post(config), post(config))

    assert (first_code, second_code) == (0, 0), first + second
    outcomes = collections.Counter(
        line.split(": ", 1)[1].strip()
        for line in (first + second).splitlines()
        if line.startswith("c0") and ": " in line
    )
    assert outcomes == {"delivered": len(CHANNELS), "skipped": len(CHANNELS)}
    for channel in CHANNELS:
        parts = [m.metadata["event_payload"]["part"] for m in api.messages(channel) if m.metadata]
        assert sorted(parts) == [f"{channel.lower()}:2025-01-09:{i}" for i in range(4)]
