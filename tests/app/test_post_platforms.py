"""`digest-bot post` (a real process) across platforms: each starts and fails on its own.

Every endpoint is a 127.0.0.1 fake; the proxy variables point at a trap and DNS of any other
name fails (tests/fakes/network_guard.py, arranged by tests/fakes/platforms.py), so nothing
may leave the configured endpoints.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.bot_process import run_digest_bot
from tests.fakes.platforms import CHANNEL_NAMES, Fakes, closed_port, platform_fakes, write_config

GUARD_SECONDS = 120.0  # the subprocess is killed past this: a hang fails the test


@pytest.fixture
async def fakes(tmp_path: Path) -> AsyncIterator[Fakes]:
    async with platform_fakes(tmp_path) as arranged:
        yield arranged


def outcomes(output: str) -> dict[str, str]:
    return {
        name: line.split(": ", 1)[1]
        for line in output.splitlines()
        for name in CHANNEL_NAMES
        if line.startswith(f"{name}: ")
    }


async def post(config: Path, fakes: Fakes, *extra: str) -> tuple[int | None, str]:
    return await run_digest_bot(
        ["post", "--config", str(config), "--date", "2025-01-09", *extra],
        env=fakes.env,
        kill_after=GUARD_SECONDS,
    )


@pytest.mark.parametrize(
    ("slack_mode", "shards"), [("socket", '"auto"'), ("http", "1"), ("socket", "2")]
)
async def test_every_platform_and_mode_delivers_through_the_configured_endpoints_only(
    tmp_path: Path, fakes: Fakes, slack_mode: str, shards: str
) -> None:
    with socket.socket() as busy:  # a running bot's [http] port: `post` must not want it
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = write_config(
            tmp_path, fakes, slack_mode=slack_mode, shards=shards, http_port=busy.getsockname()[1]
        )
        code, output = await post(config, fakes)

    assert outcomes(output) == dict.fromkeys(CHANNEL_NAMES, "delivered"), output
    assert code == 0
    assert fakes.trapped == []  # nothing went through a proxy
    assert "network guard" not in output  # nor looked up another host
    assert "Traceback" not in output
    # A clean post says what it did and nothing else: no library notes (voice, bolt's token).
    assert "WARNING" not in output, output
    assert fakes.discord.identify_payloads  # the gateway of the configured API was used


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ("discord-token", "failed: Discord login refused (401): check DISCORD_BOT_TOKEN"),
        ("discord-port", "failed: cannot log in to Discord (ClientConnectorError)"),
        ("slack-500", "failed: Slack answered auth.test with internal_error"),
        ("slack-port", "failed: cannot reach the Slack API (ClientConnectorError)"),
    ],
)
async def test_one_platform_failing_to_start_fails_only_its_bot_channels(
    tmp_path: Path, fakes: Fakes, broken: str, reason: str
) -> None:
    options: dict[str, str] = {}
    if broken == "discord-token":
        fakes.env["DISCORD_BOT_TOKEN"] = "a-token-discord-refuses"
    elif broken == "discord-port":
        options["discord_api"] = f"http://127.0.0.1:{closed_port()}/api/v10"
    elif broken == "slack-500":
        fakes.slack.fail_next("auth.test", 500)
    else:
        options["slack_api"] = f"http://127.0.0.1:{closed_port()}/api/"
    config = write_config(
        tmp_path, fakes, slack_api=options.get("slack_api"), discord_api=options.get("discord_api")
    )

    code, output = await post(config, fakes)

    failed = "discord-bot" if broken.startswith("discord") else "slack-bot"
    seen = outcomes(output)
    assert seen.pop(failed).startswith(reason), output
    if broken == "discord-port":  # Discord's webhooks go through the same (closed) API
        assert seen.pop("discord-hook") == "failed", output
    assert set(seen.values()) == {"delivered"}, output  # the others, webhooks included
    assert code == 1  # the exit code says something failed
    assert "Traceback" not in output
    assert "a-token-discord-refuses" not in output
    assert fakes.trapped == []


async def test_dry_run_labels_each_post_with_its_channel(tmp_path: Path, fakes: Fakes) -> None:
    config = write_config(tmp_path, fakes)

    code, output = await post(config, fakes, "--dry-run")

    assert code == 0, output
    for name, platform in [("slack-bot", "slack"), ("discord-hook", "discord")]:
        assert f"channel {name} ({platform})" in output
    assert fakes.slack.calls == []
    assert fakes.trapped == []
