"""Application commands through a real gateway INTERACTION_CREATE, and the adapter's life cycle.

The adapter logs in to the fake Discord API, connects to its gateway, syncs the commands to the
configured guild and answers interactions the fake dispatches, all through discord.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from pydantic import SecretStr

from adapters.discord.adapter import DEFAULT_API_BASE, DiscordAdapter
from bot.archive import Archive
from bot.commands import CommandContext
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.errors import ConfigError
from bot.formatter import FormatOptions, format_digest
from config import BotSettings
from config.settings import DiscordSettings
from tests.fakes.discord_api import FakeDiscordAPI

TODAY = dt.date(2025, 1, 10)
EPHEMERAL = 1 << 6
EVERY_COMMAND = {
    "paper",
    "top",
    "digest",
    "search",
    "digest-status",
    "digest-config",
    "paper-alert",
}


@pytest.fixture
def guild_id(api: FakeDiscordAPI) -> str:
    return api.add_guild("Papers Club")


@pytest.fixture
def channel_id(api: FakeDiscordAPI, guild_id: str) -> str:
    return api.add_channel(guild_id, "daily-papers")


def quick_client(**options: Any) -> discord.Client:
    # READY comes after the guilds' GUILD_CREATEs plus this pause (2 s by default).
    return discord.Client(guild_ready_timeout=0.05, **options)


def settings_for(api: FakeDiscordAPI, guild_ids: list[int], token: str | None) -> BotSettings:
    return BotSettings(
        discord=DiscordSettings(guild_ids=guild_ids, api_base_url=api.api_base),
        discord_bot_token=SecretStr(token) if token else None,
    )


@pytest.fixture
async def adapter(
    api: FakeDiscordAPI, guild_id: str, channel_id: str, sample_archive: Archive
) -> AsyncIterator[DiscordAdapter]:
    settings = settings_for(api, [int(guild_id)], api.token)
    running = DiscordAdapter(
        settings, lambda: CommandContext(sample_archive, TODAY), client_factory=quick_client
    )
    await running.start()
    try:
        yield running
    finally:
        await running.close()


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [button for row in message["components"] for button in row["components"]]


async def test_commands_are_synced_to_the_configured_guild(
    api: FakeDiscordAPI, adapter: DiscordAdapter, guild_id: str
) -> None:
    commands = {c["name"]: c for c in api.guild_commands[guild_id]}
    assert set(commands) == EVERY_COMMAND
    assert api.global_commands == []
    options = {o["name"]: o for o in commands["top"]["options"]}
    assert (options["n"]["min_value"], options["n"]["max_value"]) == (1, 25)
    assert options["date"]["autocomplete"] is True
    assert api.identify_payloads[0]["intents"] == discord.Intents(guilds=True).value


async def test_paper_answers_privately_with_a_share_button(
    api: FakeDiscordAPI, adapter: DiscordAdapter, channel_id: str
) -> None:
    asked = await api.dispatch_interaction("paper", {"id": "2501.04682"}, channel_id=channel_id)
    answer = await api.final_answer(asked)

    assert asked.response_type == 5  # deferred first: the archive is a database
    assert answer["flags"] & EPHEMERAL
    assert answer["embeds"][0]["title"].startswith("Towards System 2 Reasoning in LLMs")
    (share,) = buttons(answer)
    assert share["label"] == "Share in channel"
    assert api.messages_in(channel_id) == []  # private so far
    followups = [r.body for r in api.requests if r.route == "create_followup"]
    assert followups[0]["allowed_mentions"] == {"parse": []}

    clicked = await api.dispatch_component(answer, share["custom_id"])
    await api.wait_until(lambda: len(api.messages_in(channel_id)) == 1)

    (shared,) = api.messages_in(channel_id)
    assert shared["embeds"] == answer["embeds"]
    assert not shared["flags"] & EPHEMERAL
    assert clicked.response_type == 7  # the private answer loses its button
    assert answer["components"] == []


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("paper", {"id": "hello"}, "'hello' is not an arXiv id"),
        # Discord enforces 1..25 itself; a client that skips that still gets the helpful line.
        ("top", {"n": 1000}, "n must be between 1 and 25"),
        ("top", {"date": "2024-12-31"}, "No digest for 2024-12-31"),
    ],
)
async def test_bad_input_gets_a_private_helpful_answer_without_share(
    api: FakeDiscordAPI,
    adapter: DiscordAdapter,
    channel_id: str,
    name: str,
    options: dict[str, object],
    expected: str,
) -> None:
    asked = await api.dispatch_interaction(name, options, channel_id=channel_id)
    answer = await api.final_answer(asked)

    assert expected in answer["content"]
    assert answer["flags"] & EPHEMERAL
    assert buttons(answer) == []


async def test_top_for_a_day(api: FakeDiscordAPI, adapter: DiscordAdapter, channel_id: str) -> None:
    asked = await api.dispatch_interaction(
        "top", {"n": 2, "date": "2025-01-09"}, channel_id=channel_id
    )
    answer = await api.final_answer(asked)

    assert answer["embeds"][0]["title"] == "Top 2 — 2025-01-09"
    assert len(buttons(answer)) == 1


async def test_top_for_a_week_or_a_month(
    api: FakeDiscordAPI, adapter: DiscordAdapter, guild_id: str, channel_id: str
) -> None:
    (top,) = [c for c in api.guild_commands[guild_id] if c["name"] == "top"]
    (period,) = [o for o in top["options"] if o["name"] == "period"]
    assert [(c["name"], c["value"]) for c in period["choices"]] == [
        ("day", "day"),
        ("week", "week"),
        ("month", "month"),
    ]
    assert period.get("required", False) is False

    week = await api.dispatch_interaction("top", {"period": "week"}, channel_id=channel_id)
    month = await api.dispatch_interaction(
        "top", {"n": 2, "period": "month"}, channel_id=channel_id
    )
    day = await api.dispatch_interaction("top", {"n": 1, "period": "day"}, channel_id=channel_id)
    both = await api.dispatch_interaction(
        "top", {"date": "2025-01-09", "period": "week"}, channel_id=channel_id
    )

    week_answer = await api.final_answer(week)
    assert week_answer["embeds"][0]["title"] == "Top 5 — week 2025-01-04 … 2025-01-10"
    assert len(buttons(week_answer)) == 1
    month_answer = await api.final_answer(month)
    assert month_answer["embeds"][0]["title"] == "Top 2 — month 2024-12-12 … 2025-01-10"
    assert (await api.final_answer(day))["embeds"][0]["title"] == "Top 1 — 2025-01-10"
    refused = await api.final_answer(both)
    assert "Give week, month or one date" in refused["content"]
    assert buttons(refused) == []


async def test_date_autocomplete_offers_archive_dates_newest_first(
    api: FakeDiscordAPI, adapter: DiscordAdapter, channel_id: str
) -> None:
    typed = await api.dispatch_interaction(
        "top", {"date": "2025-01"}, channel_id=channel_id, focused="date"
    )
    await api.wait_until(lambda: bool(typed.callbacks))
    narrowed = await api.dispatch_interaction(
        "digest", {"date": "2025-01-0"}, channel_id=channel_id, focused="date"
    )
    await api.wait_until(lambda: bool(narrowed.callbacks))

    days = ["2025-01-10", "2025-01-09", "2025-01-08"]
    choices = [{"name": day, "value": day} for day in days]
    assert typed.callbacks[0] == {"type": 8, "data": {"choices": choices}}
    assert narrowed.callbacks[0]["data"]["choices"] == choices[1:]  # what was typed so far


async def test_digest_and_search(
    api: FakeDiscordAPI, adapter: DiscordAdapter, channel_id: str
) -> None:
    digest = await api.dispatch_interaction("digest", {}, channel_id=channel_id)
    search = await api.dispatch_interaction("search", {"words": "math"}, channel_id=channel_id)

    assert "2025-01-10" in (await api.final_answer(digest))["embeds"][0]["title"]
    assert (await api.final_answer(search))["embeds"][0]["title"] == "Search: math"


# ----- the adapter's life cycle ---------------------------------------------------------------


async def test_a_refused_token_is_a_config_error_naming_the_variable(
    api: FakeDiscordAPI, sample_archive: Archive
) -> None:
    bad = "not-the-bot-token-at-all"
    adapter = DiscordAdapter(
        settings_for(api, [], bad), lambda: CommandContext(sample_archive, TODAY)
    )

    with pytest.raises(ConfigError) as refused:
        await adapter.start()

    assert "DISCORD_BOT_TOKEN" in str(refused.value)
    assert bad not in str(refused.value)
    assert adapter.client is None  # the bot side is closed; webhook channels go on
    await adapter.close()
    assert discord.http.Route.BASE == DEFAULT_API_BASE


async def test_without_a_token_only_webhooks_are_served(
    api: FakeDiscordAPI, sample_archive: Archive
) -> None:
    hook = api.add_webhook(api.add_channel(api.add_guild()))
    adapter = DiscordAdapter(
        settings_for(api, [], None), lambda: CommandContext(sample_archive, TODAY)
    )
    await adapter.close()  # safe before start
    await adapter.start()
    sent: list[SentMessage] = []

    async def record(message: SentMessage) -> None:
        sent.append(message)

    digest = sample_archive.get_digest(TODAY)
    assert digest is not None
    post = format_digest(digest, FormatOptions(mode="single"))
    await adapter.publisher.publish(
        hook.url, post, key=DeliveryKey("hook", TODAY), already_sent=[], record=record
    )
    await adapter.close()
    await adapter.close()

    assert adapter.client is None
    assert api.identify_payloads == []  # nothing connected to the gateway
    assert [m.index for m in sent] == [0]
    assert discord.http.Route.BASE == DEFAULT_API_BASE


async def test_global_commands_when_no_guild_is_configured(
    api: FakeDiscordAPI, sample_archive: Archive
) -> None:
    adapter = DiscordAdapter(
        settings_for(api, [], api.token),
        lambda: CommandContext(sample_archive, TODAY),
        client_factory=quick_client,
    )
    await adapter.start()
    await adapter.start()  # a second start changes nothing
    await adapter.close()
    await adapter.close()

    assert {c["name"] for c in api.global_commands} == EVERY_COMMAND
    assert len(api.identify_payloads) == 1
