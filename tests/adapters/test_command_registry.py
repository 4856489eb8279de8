"""Every platform registers exactly the command registry, and a new command reaches them all.

Slack's manifest and its bolt listeners, Discord's application commands and the console's help
are built from `bot.commands.COMMANDS`. A registry with a command of this test's own, handed to
each adapter as a parameter, shows that adding a command needs no adapter change.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import discord
import jsonschema
import pytest
from discord import app_commands
from rich.console import Console
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.console.repl import command_loop
from adapters.discord.commands import add_commands
from adapters.slack.client import make_web_client
from adapters.slack.commands import register_commands
from adapters.slack.manifest import load_manifest
from adapters.slack.permissions import SlackAdmins
from bot.archive import Archive
from bot.commands import (
    COMMANDS,
    Caller,
    CommandContext,
    CommandRegistry,
    CommandSpec,
    OptionSpec,
    SubcommandSpec,
)
from bot.formatter import format_notice
from bot.messages import Message
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

TODAY = dt.date(2025, 1, 10)
SPEC = (
    Path(__file__).resolve().parents[3] / "shared" / "specs" / "discord-api-spec" / "openapi.json"
)


def echo(ctx: CommandContext, text: str) -> Message:
    return format_notice(f"echo: {text}")


# A command of every kind of option, under another name on Slack, and one with sub-commands.
ECHO = CommandSpec(
    "echo",
    "/echo <words> [times] [plain|loud] [YYYY-MM-DD]",
    "Say the words back",
    echo,
    options=(
        OptionSpec("words", "what to say", required=True),
        OptionSpec("times", "how often", "int", min=1, max=3),
        OptionSpec("tone", "how", "choice", choices=("plain", "loud"), default="plain"),
        OptionSpec("day", "a day of the archive", "date", suggest="archive-dates"),
    ),
    platform_names={"slack": "digest-echo"},
)
NOTE = CommandSpec(
    "note",
    "/note add <words> | clear",
    "Keep a note",
    echo,
    subcommands=(
        SubcommandSpec("add", "Add a note", (OptionSpec("words", "the note", required=True),)),
        SubcommandSpec("clear", "Forget the notes"),
    ),
    personal=True,
)
WITH_NEW = {**COMMANDS, ECHO.name: ECHO, NOTE.name: NOTE}
REGISTRIES = pytest.mark.parametrize("registry", [COMMANDS, WITH_NEW], ids=["shipped", "added"])


def slack_names(registry: CommandRegistry) -> set[str]:
    return {f"/{spec.name_on('slack')}" for spec in registry.values()}


# ----- Slack --------------------------------------------------------------------------------------


@REGISTRIES
def test_the_slack_manifest_declares_exactly_the_registry(registry: CommandRegistry) -> None:
    declared = load_manifest(commands=registry)["features"]["slash_commands"]
    assert {entry["command"] for entry in declared} == slack_names(registry)
    for entry in declared:  # Slack's limits for an app manifest's slash commands
        assert len(entry["command"]) <= 32
        assert 0 < len(entry["description"]) <= 2000
        assert len(entry["usage_hint"]) <= 1000
    http = load_manifest("https://bot.example.org", registry)["features"]["slash_commands"]
    assert {entry["command"] for entry in http} == slack_names(registry)


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as api:
        yield api


def bolt_app(api: FakeSlackAPI, archive: Archive, registry: CommandRegistry) -> AsyncApp:
    client = make_web_client(FAKE_BOT_TOKEN, api.base_url)
    app = AsyncApp(
        client=client,
        request_verification_enabled=False,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )

    def context(caller: Caller | None = None) -> CommandContext:
        return CommandContext(archive, TODAY, caller=caller)

    register_commands(app, context, SlackAdmins(client, []), commands=registry)
    return app


async def slash(app: AsyncApp, api: FakeSlackAPI, command: str, text: str) -> tuple[int, str]:
    body = urlencode(
        {
            "team_id": "T0FAKETEAM",
            "channel_id": DEFAULT_CHANNEL,
            "user_id": "U0HUMAN001",
            "command": command,
            "text": text,
            "response_url": api.response_url("registry"),
            "trigger_id": "trigger.1",
            "api_app_id": "A0FAKEAPP",
        }
    )
    response = await app.async_dispatch(AsyncBoltRequest(body=body, mode="http"))
    return response.status, response.body


@REGISTRIES
async def test_the_bolt_app_answers_exactly_the_registry(
    slack_api: FakeSlackAPI, sample_archive: Archive, registry: CommandRegistry
) -> None:
    app = bolt_app(slack_api, sample_archive, registry)
    for command in slack_names(registry):
        status, body = await slash(app, slack_api, command, "help")
        assert status == 200, command
        assert json.loads(body)["response_type"] == "ephemeral"
    unknown = {"/digest-echo", "/note"} - slack_names(registry)
    for command in unknown:  # not in this registry: bolt has no listener for it
        assert (await slash(app, slack_api, command, "help"))[0] == 404


async def test_a_new_command_runs_on_slack_under_its_slack_name(
    slack_api: FakeSlackAPI, sample_archive: Archive
) -> None:
    app = bolt_app(slack_api, sample_archive, WITH_NEW)
    status, body = await slash(app, slack_api, "/digest-echo", "hello there")
    assert status == 200
    assert "echo: hello there" in body
    _, note = await slash(app, slack_api, "/note", "add milk")
    assert "echo: add milk" in note
    assert "Share in channel" not in note  # personal: no Share button


# ----- Discord ------------------------------------------------------------------------------------


def discord_commands(archive: Archive, registry: CommandRegistry) -> dict[str, dict[str, Any]]:
    """What the tree sends Discord when it syncs, by command name."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none())
    )
    add_commands(tree, lambda caller=None: CommandContext(archive, TODAY), commands=registry)
    return {command.name: command.to_dict(tree) for command in tree.get_commands()}


def assert_options_match(sent: list[dict[str, Any]], options: tuple[OptionSpec, ...]) -> None:
    by_name = {option["name"]: option for option in sent}
    assert set(by_name) == {option.name for option in options}
    for option in options:
        got = by_name[option.name]
        assert got["type"] == (4 if option.type == "int" else 3)  # INTEGER or STRING
        assert got["description"] == option.description
        assert got.get("required", False) is option.required
        assert (got.get("min_value"), got.get("max_value")) == (option.min, option.max)
        assert [choice["value"] for choice in got.get("choices", [])] == list(option.choices)
        assert got.get("autocomplete", False) is (option.suggest is not None)


@REGISTRIES
async def test_the_discord_tree_holds_exactly_the_registry(
    sample_archive: Archive, registry: CommandRegistry
) -> None:
    sent = discord_commands(sample_archive, registry)
    assert set(sent) == {spec.name_on("discord") for spec in registry.values()}
    for spec in registry.values():
        command = sent[spec.name_on("discord")]
        assert command["description"] == spec.description
        if not spec.subcommands:
            assert_options_match(command.get("options", []), spec.options)
            continue
        groups = {option["name"]: option for option in command["options"]}
        assert list(groups) == [sub.name for sub in spec.subcommands]
        for sub in spec.subcommands:
            assert groups[sub.name]["type"] == 1  # SUB_COMMAND
            assert_options_match(groups[sub.name].get("options", []), sub.options)
        validate_discord_command(command)


def validate_discord_command(command: dict[str, Any]) -> None:
    """Discord's own schema for creating a command: name and description lengths, option shapes."""
    if not SPEC.is_file():
        pytest.skip(f"Discord OpenAPI spec not found at {SPEC}")
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    schema = {**spec, "$ref": "#/components/schemas/ApplicationCommandCreateRequest"}
    jsonschema.Draft202012Validator(schema).validate(command)


async def test_every_discord_command_is_valid_for_discord(sample_archive: Archive) -> None:
    for command in discord_commands(sample_archive, WITH_NEW).values():
        validate_discord_command(command)


# ----- the console --------------------------------------------------------------------------------


@REGISTRIES
async def test_the_console_greeting_and_help_list_exactly_the_registry(
    sample_archive: Archive, registry: CommandRegistry
) -> None:
    lines = iter(["/help"])

    async def typed() -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError
        return line

    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    answered = await command_loop(
        lambda caller=None: CommandContext(sample_archive, TODAY), typed, console, commands=registry
    )
    assert answered == 1
    greeting, *help_lines = out.getvalue().splitlines()
    assert [w.strip(",") for w in greeting.split() if w.startswith("/")][: len(registry)] == [
        f"/{name}" for name in registry
    ]
    listed = [line.split()[0] for line in help_lines if line.startswith("/")]
    assert listed == [*(f"/{name}" for name in registry), "/quit"]
