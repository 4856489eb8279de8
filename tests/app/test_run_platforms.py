"""`digest-bot run` (a real process) for every platform and mode, through configured endpoints only.

Each bot connects to 127.0.0.1 fakes, delivers the day it missed at start-up (catch-up of a
midnight schedule), answers /healthz, and ends on SIGTERM with exit code 0. The proxy variables
point at a trap and DNS of any other name fails (tests/fakes/network_guard.py), so a request to
anywhere the config did not name shows up. pytest-timeout guards every wait; nothing is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.slack.commands import SHARE_ACTION
from bot.ingest import SAMPLE_ARCHIVE_DIR
from tests.fakes.platforms import CHANNEL_NAMES, SLACK_HOOK, Fakes, closed_port, platform_fakes
from tests.fakes.platforms import write_config as write_platform_config
from tests.fakes.slack_api import DEFAULT_CHANNEL
from tests.fakes.slack_bot import SECRET as SIGNING_SECRET
from tests.fakes.slack_bot import slash

# Midnight UTC fired within the last 24 hours, so every channel has that day to catch up on.
SCHEDULE = """schedule = "0 0 * * *"
timezone = "UTC"
catch_up_hours = 24
"""
POLL_SECONDS = 0.2
MAX_POLLS = 600  # a bound on the readiness loop; pytest-timeout is the guard on the whole test
WEBHOOKS = ("slack-hook", "discord-hook")
SOCKET_ANSWER_SECONDS = 60.0  # generous on a loaded machine; the answer itself is immediate


@dataclass
class Case:
    slack_mode: str
    shards: str  # as written in the TOML
    recommended: int  # the shard count the fake's GET /gateway/bot recommends ("auto")
    gateway_sessions: int  # the shards the bot must IDENTIFY on the fake's gateway
    channels: tuple[str, ...] = CHANNEL_NAMES
    tokens: bool = True


CASES = {
    "slack-socket,discord-auto": Case("socket", '"auto"', 1, 1),
    "slack-http,discord-1-of-2-recommended": Case("http", "1", 2, 1),
    "slack-socket,discord-2": Case("socket", "2", 1, 2),
    "slack-http,discord-auto-2": Case("http", '"auto"', 2, 2),
    "webhooks-only,no-tokens": Case("socket", '"auto"', 1, 0, channels=WEBHOOKS, tokens=False),
}


@pytest.fixture(params=list(CASES.values()), ids=list(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    chosen: Case = request.param
    return chosen


@pytest.fixture
async def fakes(tmp_path: Path, case: Case) -> AsyncIterator[Fakes]:
    async with platform_fakes(tmp_path, discord_shards=case.recommended) as arranged:
        arranged.env["SLACK_SIGNING_SECRET"] = SIGNING_SECRET  # what `slash` signs with
        if not case.tokens:  # webhooks need none: no app, no bot
            for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
                del arranged.env[name]
            del arranged.env["DISCORD_BOT_TOKEN"]
        yield arranged


def digest_folder(tmp_path: Path) -> Path:
    """A folder source holding a digest for yesterday and today (UTC): whichever day the
    catch-up finds, even across midnight, it has papers to post."""
    folder = tmp_path / "digests"
    folder.mkdir()
    sample = (SAMPLE_ARCHIVE_DIR / "2025-01-09.md").read_text(encoding="utf-8")
    today = dt.datetime.now(dt.UTC).date()
    for day in (today - dt.timedelta(days=1), today):
        text = sample.replace("(2025-01-09)", f"({day.isoformat()})")
        (folder / f"{day.isoformat()}.md").write_text(text, encoding="utf-8")
    return folder


@dataclass
class Running:
    process: asyncio.subprocess.Process
    stdout: asyncio.Task[bytes]
    stderr: asyncio.Task[bytes]


@contextlib.asynccontextmanager
async def running_bot(config: Path, fakes: Fakes) -> AsyncIterator[Running]:
    """`digest-bot run` with a service's stdin; killed on the way out if still running."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "run", "--config", str(config)),
        env={**_inherited(), **fakes.env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    # Read both pipes all along: a full pipe would block the bot, not the test.
    bot = Running(
        process,
        asyncio.create_task(process.stdout.read()),
        asyncio.create_task(process.stderr.read()),
    )
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await asyncio.gather(bot.stdout, bot.stderr, return_exceptions=True)


def _inherited() -> dict[str, str]:
    """The test's environment without a config, data dir or platform token of its own."""
    mine = ("DIGEST_BOT_", "SLACK_", "DISCORD_")
    return {k: v for k, v in os.environ.items() if not k.startswith(mine)}


async def healthz(port: int) -> dict[str, Any] | None:
    """/healthz's answer once it is 200, else None (not serving yet, or still catching up)."""
    async with httpx.AsyncClient(trust_env=False) as client:  # the test's own, unproxied
        try:
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
        except httpx.TransportError:
            return None
    if response.status_code != 200:
        return None
    answer: dict[str, Any] = response.json()
    return answer


async def until_ready(bot: Running, port: int) -> dict[str, Any]:
    """Poll until /healthz answers 200: the bot serves it from the start, but healthy only once
    its adapters started and the start-up catch-up is over (the scheduler runs)."""
    for _ in range(MAX_POLLS):
        if bot.process.returncode is not None:
            break
        answer = await healthz(port)
        if answer is not None:
            return answer
        await asyncio.sleep(POLL_SECONDS)
    if bot.process.returncode is None:
        bot.process.kill()
        await bot.process.wait()
    output = (await bot.stdout) + (await bot.stderr)
    raise AssertionError(f"the bot never got ready:\n{output.decode(errors='replace')}")


async def stopped(bot: Running) -> tuple[int | None, str]:
    """SIGTERM, then (exit code, stderr + stdout) once it ended (pytest-timeout on a hang)."""
    bot.process.send_signal(signal.SIGTERM)
    code = await bot.process.wait()
    return code, ((await bot.stderr) + (await bot.stdout)).decode(errors="replace")


@pytest.mark.timeout(240)
async def test_run_delivers_through_the_configured_endpoints_and_stops_on_sigterm(
    tmp_path: Path, fakes: Fakes, case: Case
) -> None:
    port = closed_port()
    config = write_platform_config(
        tmp_path,
        fakes,
        slack_mode=case.slack_mode,
        shards=case.shards,
        http_port=port,
        channels=case.channels,
        top_level=f'source = "{digest_folder(tmp_path)}"',
        channel_options=SCHEDULE,
    )

    async with running_bot(config, fakes) as bot:
        health = await until_ready(bot, port)
        if case.tokens:  # a command through the mode's own door, answered at once
            answer = await slash_command(fakes, case, port)
            assert "Top 2 — " in json.dumps(answer.get("blocks"), ensure_ascii=False), answer
            if case.slack_mode == "socket":  # Share: bolt's `respond` to the response_url
                await share_over_socket(fakes, answer)
        code, output = await stopped(bot)

    assert code == 0, output
    assert "Traceback" not in output
    assert fakes.trapped == []  # nothing went through a proxy
    assert "network guard" not in output  # nor looked up another host
    delivered = {name: (day or {}).get("state") for name, day in health["channels"].items()}
    assert delivered == dict.fromkeys(case.channels, "done"), output
    assert_delivered_once(fakes, case)
    sessions = fakes.discord.identify_payloads
    assert len(sessions) == case.gateway_sessions  # on the gateway the configured API named
    if case.gateway_sessions > 1:
        assert sorted(tuple(s["shard"]) for s in sessions) == [
            (n, case.gateway_sessions) for n in range(case.gateway_sessions)
        ]
    socket_mode = fakes.slack.calls_to("apps.connections.open")
    assert bool(socket_mode) == (case.tokens and case.slack_mode == "socket")


async def slash_command(fakes: Fakes, case: Case, port: int) -> dict[str, Any]:
    """/top 2 over the socket the configured API named, or signed to the bot's /slack/events."""
    if case.slack_mode == "http":
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
            response = await slash(http, fakes.slack, "/top", "2")
        assert response.status_code == 200, response.text
        answered: dict[str, Any] = response.json()
        return answered
    ack = await fakes.slack.socket_mode_request(
        "slash_commands",
        {
            "command": "/top",
            "text": "2",
            "team_id": "T0FAKETEAM",
            "channel_id": DEFAULT_CHANNEL,
            "user_id": "U0HUMAN001",
            "response_url": fakes.slack.response_url("run1"),
            "trigger_id": "trigger.run",
        },
        within=SOCKET_ANSWER_SECONDS,
    )
    answer: dict[str, Any] = ack["payload"]
    return answer


async def share_over_socket(fakes: Fakes, answer: dict[str, Any]) -> None:
    """Press the answer's Share button; the shared post goes to the (fake) response_url."""
    share = next(
        element
        for block in answer["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == SHARE_ACTION
    )
    action = {"type": "button", "action_id": SHARE_ACTION, "block_id": "b", "value": share["value"]}
    payload = {
        "type": "block_actions",
        "team": {"id": "T0FAKETEAM"},
        "user": {"id": "U0HUMAN001"},
        "channel": {"id": DEFAULT_CHANNEL},
        "container": {"type": "message", "is_ephemeral": True},
        "trigger_id": "trigger.share",
        "response_url": fakes.slack.response_url("share1"),
        "actions": [{**action, "action_ts": "1736400000.000100"}],
    }
    await fakes.slack.socket_mode_request("interactive", payload, within=SOCKET_ANSWER_SECONDS)
    for _ in range(MAX_POLLS):  # the ack comes first; the shared post right after it
        if len(fakes.slack.responses) >= 2 or fakes.trapped:
            break
        await asyncio.sleep(POLL_SECONDS)
    kinds = [body.get("response_type") for _, body in fakes.slack.responses]
    assert "in_channel" in kinds, (fakes.slack.responses, fakes.trapped)


def assert_delivered_once(fakes: Fakes, case: Case) -> None:
    """Each configured channel got the day once: one thread (bot) or one message (webhook)."""
    slack = [m for m in fakes.slack.messages(DEFAULT_CHANNEL) if not m.is_reply]
    hooked = fakes.slack.webhook_messages(SLACK_HOOK)
    assert len(hooked) == ("slack-hook" in case.channels)
    assert len(slack) - len(hooked) == ("slack-bot" in case.channels)
    discord = fakes.discord
    assert len(discord.messages_in(fakes.discord_channel)) == ("discord-bot" in case.channels)
    assert len(discord.threads_of(fakes.discord_channel)) == ("discord-bot" in case.channels)
    assert len(discord.messages_in(fakes.discord_hook_channel)) == ("discord-hook" in case.channels)
