"""The Slack app manifest shipped with the bot, in Socket Mode or HTTP mode form."""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import yaml

EVENTS_PATH = "/slack/events"


def manifest_text() -> str:
    """The manifest exactly as shipped (Socket Mode), comments included."""
    return files("adapters.slack").joinpath("manifest.yml").read_text(encoding="utf-8")


def load_manifest(http_url: str | None = None) -> dict[str, Any]:
    """The manifest as data; with `http_url`, Slack sends commands and clicks to that server."""
    manifest: dict[str, Any] = yaml.safe_load(manifest_text())
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


def render_manifest(http_url: str | None = None) -> str:
    if http_url is None:
        return manifest_text()
    return yaml.safe_dump(load_manifest(http_url), sort_keys=False, allow_unicode=True)
