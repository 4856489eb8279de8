"""/paper-alert in Discord, and the alert DM through the adapter's `direct` sender."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.alerts import AlertNotifier, AlertStore
from bot.archive import Archive
from bot.commands import CommandContext
from bot.errors import DeliveryError
from bot.formatter import format_notice
from config import BotSettings
from tests.fakes.discord_adapter import bot_services, running_adapter
from tests.fakes.discord_api import FakeDiscordAPI

EPHEMERAL = 1 << 6
READER = "1310000000000000001"
DAY = dt.date(2025, 1, 9)


@pytest.fixture
def where(api: FakeDiscordAPI) -> tuple[str, str]:
    guild = api.add_guild("Papers Club")
    return guild, api.add_channel(guild, "daily-papers")


@pytest.fixture
def store(sample_archive: Archive) -> AlertStore:
    return AlertStore(sample_archive.engine)


@pytest.fixture
async def adapter(
    api: FakeDiscordAPI, where: tuple[str, str], sample_archive: Archive, store: AlertStore
) -> AsyncIterator[DiscordAdapter]:
    guild, _ = where
    services = bot_services(sample_archive, alerts=store)
    async with running_adapter(api, sample_archive, services, guild) as started:
        yield started


async def ask(
    api: FakeDiscordAPI, channel: str, action: str = "list", **options: str
) -> tuple[dict[str, Any], str]:
    """`/paper-alert <action>` with its options, as Discord sends a sub-command (type 1)."""
    values = [{"name": name, "type": 3, "value": value} for name, value in options.items()]
    asked = await api.dispatch_interaction(
        "paper-alert",
        [{"name": action, "type": 1, "options": values}],
        channel_id=channel,
        user_id=READER,
    )
    answer = await api.final_answer(asked)
    shown = [answer.get("content") or ""]
    for embed in answer.get("embeds") or []:
        shown += [embed.get("title") or "", embed.get("description") or ""]
        shown.append((embed.get("footer") or {}).get("text") or "")
    return answer, "\n".join(shown).replace("\\", "")


async def test_the_command_is_synced_with_its_options(
    api: FakeDiscordAPI, adapter: DiscordAdapter, where: tuple[str, str]
) -> None:
    guild, _ = where
    (command,) = [c for c in api.guild_commands[guild] if c["name"] == "paper-alert"]
    # A group: Discord offers add / list / remove, and asks for the words where they are needed.
    actions = {o["name"]: o for o in command["options"]}
    assert list(actions) == ["add", "list", "remove"]
    assert {o["type"] for o in actions.values()} == {1}
    assert [(o["name"], o["required"]) for o in actions["add"]["options"]] == [("words", True)]
    assert actions["list"].get("options", []) == []
    assert [(o["name"], o["required"]) for o in actions["remove"]["options"]] == [("words", True)]


async def test_an_alert_added_in_discord_sends_one_dm(
    api: FakeDiscordAPI,
    adapter: DiscordAdapter,
    where: tuple[str, str],
    store: AlertStore,
    sample_archive: Archive,
) -> None:
    _, channel = where
    answer, added = await ask(api, channel, action="add", words="Math Reasoning")
    assert answer["flags"] & EPHEMERAL
    assert not answer.get("components")  # about the caller: no Share button
    assert "Alert added: math reasoning" in added
    _, listed = await ask(api, channel)
    assert "Your paper alerts (1 of 20)" in listed
    assert [a.words for a in store.list("discord", READER)] == ["math reasoning"]

    assert adapter.direct is not None
    assert adapter.direct.platform == "discord"
    notifier = AlertNotifier(store, {"discord": adapter.direct})
    digest = sample_archive.get_digest(DAY)
    assert digest is not None
    assert await notifier.send_due(digest) == 1
    await notifier.notify(digest)  # told again: nothing more

    (dm,) = api.dms_to(READER)
    (embed,) = dm["embeds"]
    assert embed["title"].startswith("Paper alert")
    assert "rStar-Math" in embed["description"]
    assert "math reasoning" in embed["footer"]["text"]
    assert api.dm_channels[dm["channel_id"]]["type"] == 1
    assert [r.route for r in api.requests if r.route == "create_dm"] == ["create_dm"]

    _, removed = await ask(api, channel, action="remove", words="1")
    assert "Alert removed: math reasoning" in removed


async def test_a_user_refusing_dms_is_a_permanent_error_and_retried_later(
    api: FakeDiscordAPI, adapter: DiscordAdapter, store: AlertStore, sample_archive: Archive
) -> None:
    assert adapter.direct is not None
    api.dm_refused.add(READER)
    with pytest.raises(DeliveryError, match="accepts no direct messages") as refused:
        await adapter.direct.send_direct(READER, format_notice("hello"))
    assert refused.value.permanent

    store.add("discord", READER, "agents")
    digest = sample_archive.get_digest(DAY)
    assert digest is not None
    notifier = AlertNotifier(store, {"discord": adapter.direct})
    assert await notifier.send_due(digest) == 0
    api.dm_refused.clear()  # they changed their privacy settings
    assert await notifier.send_due(digest) == 1
    assert len(api.dms_to(READER)) == 1


async def test_without_a_bot_token_there_is_no_sender(sample_archive: Archive) -> None:
    adapter = DiscordAdapter(
        BotSettings(), lambda caller=None: CommandContext(sample_archive, DAY, caller=caller)
    )
    assert adapter.direct is None
