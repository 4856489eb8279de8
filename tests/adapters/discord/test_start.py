"""The adapter's start: the gateway comes from the configured API, and every failure is bounded.

Nothing here points discord.py at the fake by hand: the settings' `api_base_url` is all it gets.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from functools import partial

import pytest
from discord.gateway import DiscordWebSocket
from pydantic import SecretStr

from adapters.discord.adapter import DiscordAdapter, make_client
from bot.archive import Archive
from bot.commands import CommandContext
from bot.errors import ConfigError, PlatformUnavailable
from config import BotSettings
from config.settings import DiscordSettings
from tests.fakes.discord_api import FakeDiscordAPI

TODAY = dt.date(2025, 1, 10)
# A bound for the test only, so a hang fails instead of stalling the suite; not a timing claim.
GUARD_SECONDS = 20.0


def closed_port() -> int:
    """A local port nothing listens on: connecting there is refused at once."""
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def adapter_for(
    api: FakeDiscordAPI, archive: Archive, shards: int | str, token: str, ready: float = 10.0
) -> DiscordAdapter:
    settings = BotSettings(
        discord=DiscordSettings(api_base_url=api.api_base, shards=shards),
        discord_bot_token=SecretStr(token),
    )
    factory = partial(make_client, settings.discord, guild_ready_timeout=0.05)
    return DiscordAdapter(
        settings,
        lambda caller=None: CommandContext(archive, TODAY),
        client_factory=factory,
        ready_seconds=ready,
    )


@pytest.mark.parametrize("shards", [1, 2, "auto"])
async def test_the_gateway_is_the_one_the_configured_api_names_for_every_shard_setting(
    api: FakeDiscordAPI, sample_archive: Archive, shards: int | str
) -> None:
    default_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    adapter = adapter_for(api, sample_archive, shards, api.token)
    try:
        await asyncio.wait_for(adapter.start(), GUARD_SECONDS)
        count = 1 if shards == "auto" else int(shards)
        assert len(api.identify_payloads) == count  # every shard reached the fake's gateway
        assert "get_bot_gateway" in {r.route for r in api.requests}
    finally:
        await adapter.close()
    assert default_gateway == DiscordWebSocket.DEFAULT_GATEWAY  # put back on close


@pytest.mark.parametrize("shards", [1, 2, "auto"])
async def test_an_unreachable_gateway_gives_up_with_one_line_and_closes(
    api: FakeDiscordAPI, sample_archive: Archive, shards: int | str
) -> None:
    api.advertised_gateway = f"ws://127.0.0.1:{closed_port()}/gateway"
    # Long enough for a fixed-shard client to fail its reconnect, which it does after a few s.
    adapter = adapter_for(api, sample_archive, shards, api.token, ready=15.0)

    with pytest.raises(PlatformUnavailable) as failed:
        await asyncio.wait_for(adapter.start(), GUARD_SECONDS)
    # discord.py keeps retrying a shard after its client is closed: close must still end.
    await asyncio.wait_for(adapter.close(), GUARD_SECONDS)

    assert "cannot connect to the Discord gateway" in str(failed.value)
    # The cause, not discord.py's own follow-up error after a failed reconnect.
    assert "AttributeError" not in str(failed.value), str(failed.value)
    assert "\n" not in str(failed.value)
    assert not failed.value.permanent
    assert adapter.client is None


async def test_a_refused_token_says_which_variable_and_keeps_the_webhook_side(
    api: FakeDiscordAPI, sample_archive: Archive
) -> None:
    adapter = adapter_for(api, sample_archive, 1, "not-the-token")
    with pytest.raises(ConfigError) as refused:
        await adapter.start()
    try:
        assert str(refused.value).startswith("Discord login refused (401): check DISCORD_BOT_TOKEN")
        assert "not-the-token" not in str(refused.value)
        assert adapter.publisher.session is not None  # webhook channels need no login
    finally:
        await adapter.close()


@pytest.mark.parametrize("status", [503, None])
async def test_a_login_outage_or_a_closed_port_is_unavailable_not_a_crash(
    api: FakeDiscordAPI, sample_archive: Archive, status: int | None
) -> None:
    if status is None:  # nothing listens at the configured API
        port = closed_port()
        api_base = f"http://127.0.0.1:{port}/api/v10"
        settings = BotSettings(
            discord=DiscordSettings(api_base_url=api_base),
            discord_bot_token=SecretStr(api.token),
        )
        adapter = DiscordAdapter(
            settings, lambda caller=None: CommandContext(sample_archive, TODAY)
        )
    else:
        api.fail_next("get_current_user", status)
        adapter = adapter_for(api, sample_archive, 1, api.token)
    with pytest.raises(PlatformUnavailable) as failed:
        await asyncio.wait_for(adapter.start(), GUARD_SECONDS)
    await adapter.close()

    assert str(failed.value).startswith("cannot log in to Discord (")
    assert adapter.client is None
