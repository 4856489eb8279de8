"""The fake Discord API: the adapter finds REST and gateway from `api_base_url` alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.discord_api import FakeDiscordAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    # Nothing is pointed here by hand: REST goes by the settings' api_base_url, and the gateway
    # is the one that API's GET /gateway/bot names.
    async with FakeDiscordAPI() as fake:
        yield fake
