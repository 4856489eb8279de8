"""/digest-status and /digest-config in Discord: admins by Discord's own permission data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.archive import Archive
from bot.commands import BotServices
from config import ChannelConfig
from tests.fakes.discord_adapter import MANAGE_GUILD, ask, bot_services, running_adapter
from tests.fakes.discord_api import MEMBER_PERMISSIONS, FakeDiscordAPI

EPHEMERAL = 1 << 6


@pytest.fixture
def where(api: FakeDiscordAPI) -> tuple[str, str, str]:
    """(guild, channel, the guild's "digest-admins" role)."""
    guild = api.add_guild("Papers Club")
    return guild, api.add_channel(guild, "daily-papers"), api.add_role(guild, "digest-admins")


@pytest.fixture
async def running(
    api: FakeDiscordAPI, where: tuple[str, str, str], sample_archive: Archive
) -> AsyncIterator[BotServices]:
    guild, channel, role = where
    lab = ChannelConfig(name="lab", platform="discord", target=channel, top_n=5)
    services = bot_services(sample_archive, [lab])
    async with running_adapter(api, sample_archive, services, guild, admin_roles=[int(role)]):
        yield services


async def test_members_are_refused_and_managers_and_the_role_may(
    api: FakeDiscordAPI, running: BotServices, where: tuple[str, str, str]
) -> None:
    _, channel, role = where
    member, refused = await ask(api, "digest-config", {"settings": "top 1"}, channel)
    assert member["flags"] & EPHEMERAL
    assert "Only workspace or server admins" in refused
    assert running.channels.get("lab").top_n == 5

    manager = {"permissions": MEMBER_PERMISSIONS | MANAGE_GUILD}
    answer, changed = await ask(
        api, "digest-config", {"settings": "top 3 language ko"}, channel, **manager
    )
    assert answer["flags"] & EPHEMERAL
    assert not answer.get("components")  # settings answers are not for sharing
    assert "lab: changed top_n = 3, language = ko" in changed
    assert running.channels.get("lab").top_n == 3

    _, status = await ask(api, "digest-status", {}, channel, roles=[role])
    assert "Digest status — lab" in status
    assert "Last delivery: nothing delivered yet" in status
    assert "Changed in chat: language, top_n" in status


async def test_the_commands_are_synced_with_their_options(
    api: FakeDiscordAPI, running: BotServices, where: tuple[str, str, str]
) -> None:
    guild, _, _ = where
    commands = {c["name"]: c for c in api.guild_commands[guild]}
    assert {"digest-status", "digest-config"} <= set(commands)
    assert [o["name"] for o in commands["digest-config"]["options"]] == ["settings"]


async def test_a_manager_of_another_server_reaches_none_of_this_servers_channels(
    api: FakeDiscordAPI, sample_archive: Archive
) -> None:
    papers_club = api.add_guild("Papers Club")
    lab_channel = api.add_channel(papers_club, "daily-papers")
    elsewhere = api.add_guild("Another Server")
    general = api.add_channel(elsewhere, "general")
    lab = ChannelConfig(name="lab", platform="discord", target=lab_channel, top_n=5)
    services = bot_services(sample_archive, [lab])
    manager = {"permissions": MEMBER_PERMISSIONS | MANAGE_GUILD}
    async with running_adapter(
        api, sample_archive, services, papers_club, other_guilds=[elsewhere]
    ):
        _, unnamed = await ask(api, "digest-config", {"settings": "top 1"}, general, **manager)
        _, named = await ask(api, "digest-config", {"settings": "lab top 1"}, general, **manager)
        _, status = await ask(api, "digest-status", {"channel": "lab"}, general, **manager)
        _, at_home = await ask(api, "digest-config", {"settings": "top 2"}, lab_channel, **manager)
    assert "This channel gets no digest from this bot" in unnamed
    assert "(configured: none)" in unnamed  # nor does it learn the other server's channels
    assert "'lab' is not a channel of this server" in named
    assert "'lab' is not a channel of this server" in status
    assert "Digest status" not in status
    assert "lab: changed top_n = 2" in at_home  # in its own server, the same manager may
    assert services.channels.get("lab").top_n == 2
