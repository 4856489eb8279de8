"""The invite link: exactly the scopes and permissions the bot uses; the CLI that prints it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from adapters.discord.adapter import DEFAULT_API_BASE
from adapters.discord.invite import invite_url
from bot.cli import main
from tests.fakes.discord_api import FakeDiscordAPI


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_invite_asks_for_exactly_what_the_bot_uses() -> None:
    asked = query(invite_url(123456789012345678))

    assert asked["client_id"] == ["123456789012345678"]
    assert asked["scope"] == ["bot applications.commands"]
    # Discord's bits: view channel 10, send messages 11, embed links 14, create public threads
    # 35, send messages in threads 38; nothing else (no mention @everyone, no manage anything).
    expected = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 35) | (1 << 38)
    assert int(asked["permissions"][0]) == expected


def test_cli_prints_the_link_for_a_given_application_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discord", "invite", "--application-id", "42"]) == 0

    assert query(capsys.readouterr().out.strip())["client_id"] == ["42"]


def test_cli_refuses_an_application_id_that_is_no_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discord", "invite", "--application-id", "my-bot"]) == 2
    assert "--application-id" in capsys.readouterr().err


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[FakeDiscordAPI]:
    """The fake, with the environment the CLI reads pointing at it and no config file."""
    async with FakeDiscordAPI() as fake:
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("DIGEST_BOT_CONFIG", raising=False)
        monkeypatch.setenv("DIGEST_BOT_DISCORD__API_BASE_URL", fake.api_base)
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake.token)
        yield fake


async def run_cli(*argv: str) -> int:
    # In a thread: the CLI runs its own event loop while the fake serves on this one.
    return await asyncio.to_thread(main, list(argv))


async def test_cli_asks_discord_for_the_application_id(
    api: FakeDiscordAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli("discord", "invite") == 0

    assert query(capsys.readouterr().out.strip())["client_id"] == [api.application_id]
    assert "get_application_info" in {r.route for r in api.requests}
    assert discord.http.Route.BASE == DEFAULT_API_BASE


async def test_cli_with_a_refused_token_names_the_variable(
    api: FakeDiscordAPI, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "revoked-token-text")

    assert await run_cli("discord", "invite") == 2

    error = capsys.readouterr().err
    assert "DISCORD_BOT_TOKEN" in error
    assert "revoked-token-text" not in error


async def test_cli_without_token_or_id_says_what_to_give(
    api: FakeDiscordAPI, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN")

    assert await run_cli("discord", "invite") == 2

    assert "--application-id" in capsys.readouterr().err
