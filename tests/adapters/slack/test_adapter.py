"""The Slack adapter's start-up: Socket Mode end to end, refused tokens, and the app manifest."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator

import pytest
import yaml
from pydantic import SecretStr

from adapters.slack.adapter import SlackAdapter
from adapters.slack.commands import SLASH_COMMANDS
from adapters.slack.manifest import load_manifest, render_manifest
from bot.archive import Archive
from bot.cli import main
from bot.commands import CommandContext
from bot.errors import ConfigError
from config import BotSettings
from config.settings import SlackSettings
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlackAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as server:
        yield server


def settings_for(api: FakeSlackAPI, **tokens: str) -> BotSettings:
    values = {"slack_bot_token": FAKE_BOT_TOKEN, "slack_app_token": FAKE_APP_TOKEN, **tokens}
    return BotSettings(
        slack=SlackSettings(mode="socket", api_base_url=api.base_url),
        **{name: SecretStr(value) for name, value in values.items()},
    )


async def test_socket_mode_answers_a_slash_command(
    api: FakeSlackAPI, sample_archive: Archive
) -> None:
    adapter = SlackAdapter(
        settings_for(api),
        lambda: CommandContext(archive=sample_archive, today=dt.date(2025, 1, 10)),
    )
    await adapter.start()
    try:
        ack = await api.socket_mode_request(
            "slash_commands",
            {
                "command": "/top",
                "text": "2 2025-01-09",
                "team_id": "T0FAKETEAM",
                "channel_id": DEFAULT_CHANNEL,
                "user_id": "U0HUMAN001",
                "response_url": api.response_url("socket1"),
                "trigger_id": "trigger.socket",
            },
        )
    finally:
        await adapter.close()
    answer = ack["payload"]
    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Top 2 — 2025-01-09" in shown
    assert "rStar-Math" in shown
    assert adapter.http_routes == {}  # nothing to serve over HTTP in Socket Mode


@pytest.mark.parametrize(
    ("tokens", "variable"),
    [
        ({"slack_bot_token": "xoxb-revoked-000"}, "SLACK_BOT_TOKEN"),
        ({"slack_app_token": "xapp-1-wrong"}, "SLACK_APP_TOKEN"),
    ],
)
async def test_a_refused_token_is_a_config_error_naming_the_variable(
    api: FakeSlackAPI, sample_archive: Archive, tokens: dict[str, str], variable: str
) -> None:
    adapter = SlackAdapter(
        settings_for(api, **tokens),
        lambda: CommandContext(archive=sample_archive, today=dt.date(2025, 1, 10)),
    )
    with pytest.raises(ConfigError) as raised:
        await adapter.start()
    await adapter.close()
    assert variable in str(raised.value)
    assert "invalid_auth" in str(raised.value)
    assert next(iter(tokens.values())) not in str(raised.value)


async def test_without_a_bot_token_only_webhooks_are_served(api: FakeSlackAPI) -> None:
    adapter = SlackAdapter(
        BotSettings(slack=SlackSettings(api_base_url=api.base_url)),
        lambda: pytest.fail("no command runs"),
    )
    await adapter.start()  # nothing to connect
    await adapter.close()
    assert adapter.app is None
    assert api.calls == []


def test_the_manifest_declares_every_command_the_app_handles() -> None:
    manifest = load_manifest()
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == set(SLASH_COMMANDS)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "channels:history"} <= scopes
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_http_mode_manifest_points_commands_and_buttons_at_the_bot() -> None:
    manifest = yaml.safe_load(render_manifest("https://bot.example.org"))
    url = "https://bot.example.org/slack/events"
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_slack_manifest_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest"]) == 0
    printed = capsys.readouterr().out
    assert yaml.safe_load(printed) == load_manifest()
    assert main(["slack", "manifest", "--http-url", "http://insecure.example.org"]) == 2
    assert "public https:// URL" in capsys.readouterr().err
