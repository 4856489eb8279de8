"""The fake Discord API with discord.py's gateway pointed at it (modules may define their own)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import yarl
from discord.gateway import DiscordWebSocket

from tests.fakes.discord_api import FakeDiscordAPI


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscordAPI]:
    async with FakeDiscordAPI() as fake:
        # Only the gateway is pointed here by hand: REST goes by the settings' api_base_url.
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
        yield fake
