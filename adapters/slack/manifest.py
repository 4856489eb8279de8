"""The Slack app manifest shipped with the bot, in Socket Mode or HTTP mode form.

`manifest.yml` holds what the app is (scopes, interactivity, events); its slash commands are
generated from the command registry, so Slack declares exactly the commands the bot handles.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.commands import COMMANDS, CommandRegistry

EVENTS_PATH = "/slack/events"
# The line of manifest.yml that the generated commands replace.
_COMMANDS_LINE = "  slash_commands: []\n"


def slash_command_entries(commands: CommandRegistry = COMMANDS) -> list[dict[str, Any]]:
    """The manifest's `slash_commands`: one per command, under its Slack name."""
    entries = []
    for spec in commands.values():
        # The usage shown after the name as the user types; `help` works after every command.
        arguments = spec.usage.removeprefix(f"/{spec.name}").strip()
        entries.append(
            {
                "command": f"/{spec.name_on('slack')}",
                "description": spec.description,
                "usage_hint": f"{arguments} | help" if arguments else "help",
                "should_escape": False,
            }
        )
    return entries


def manifest_text(commands: CommandRegistry = COMMANDS) -> str:
    """The manifest as shipped (Socket Mode), comments included, with the commands filled in."""
    shipped = files("adapters.slack").joinpath("manifest.yml").read_text(encoding="utf-8")
    if _COMMANDS_LINE not in shipped:
        raise RuntimeError(f"manifest.yml lost its line {_COMMANDS_LINE.strip()!r}")
    section = yaml.safe_dump(
        {"slash_commands": slash_command_entries(commands)},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    indented = "".join(f"  {line}" for line in section.splitlines(keepends=True))
    return shipped.replace(_COMMANDS_LINE, indented, 1)


def load_manifest(
    http_url: str | None = None, commands: CommandRegistry = COMMANDS
) -> dict[str, Any]:
    """The manifest as data; with `http_url`, Slack sends commands and clicks to that server."""
    manifest: dict[str, Any] = yaml.safe_load(manifest_text(commands))
    if http_url is None:
        return manifest
    parts = urlsplit(http_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"--http-url must be a public https:// URL, not '{http_url}'")
    request_url = http_url.rstrip("/") + ("" if parts.path.endswith(EVENTS_PATH) else EVENTS_PATH)
    for command in manifest["features"]["slash_commands"]:
        command["url"] = request_url
    manifest["settings"]["interactivity"]["request_url"] = request_url
    manifest["settings"]["socket_mode_enabled"] = False
    return manifest


def render_manifest(http_url: str | None = None, commands: CommandRegistry = COMMANDS) -> str:
    if http_url is None:
        return manifest_text(commands)
    return yaml.safe_dump(load_manifest(http_url, commands), sort_keys=False, allow_unicode=True)
