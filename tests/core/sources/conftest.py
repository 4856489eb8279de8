"""Fixtures for the source tests: a scripted digest server and the one test clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.clock import ManualClock
from tests.fakes.digest_server import Server


@pytest.fixture
def clock() -> ManualClock:
    # Sources sleep between retries through `sleep=clock.sleep`; `clock.slept` records each delay.
    return ManualClock()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    fake = Server()
    yield fake
    await fake.client.aclose()
