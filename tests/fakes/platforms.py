"""Every platform's fakes at once, and a config pointing every channel kind at them.

Shared by the tests that run `digest-bot post` and `digest-bot run` as real processes: a Slack
bot channel and a Slack webhook, a Discord bot channel and a Discord webhook, with the proxy
trap and DNS guard of `network_guard` around the process.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.discord_api import FakeDiscordAPI
from tests.fakes.network_guard import guarded_env
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlackAPI

SLACK_HOOK = "T0FAKETEAM/B0HOOK/slack-hook-secret"
CHANNEL_NAMES = ("slack-bot", "slack-hook", "discord-bot", "discord-hook")


@dataclass
class Fakes:
    slack: FakeSlackAPI
    discord: FakeDiscordAPI
    discord_channel: str
    discord_hook_channel: str
    discord_hook_url: str
    env: dict[str, str]
    trapped: list[str]


@contextlib.asynccontextmanager
async def platform_fakes(tmp_path: Path, *, discord_shards: int = 1) -> AsyncIterator[Fakes]:
    """Both platforms' fakes and a guarded environment holding every token they accept.

    `discord_shards` is the count the fake's `GET /gateway/bot` recommends (for "auto").
    """
    async with (
        FakeSlackAPI(webhooks={SLACK_HOOK: DEFAULT_CHANNEL}) as slack,
        FakeDiscordAPI(shard_count=discord_shards) as discord,
        guarded_env(tmp_path) as (env, trapped),
    ):
        guild = discord.add_guild()
        channel = discord.add_channel(guild, "papers")
        hook = discord.add_webhook(discord.add_channel(guild, "hooked"))
        env.update(
            SLACK_BOT_TOKEN=FAKE_BOT_TOKEN,
            SLACK_APP_TOKEN=FAKE_APP_TOKEN,
            SLACK_SIGNING_SECRET="a-signing-secret",
            DISCORD_BOT_TOKEN=discord.token,
            DIGEST_BOT_CONFIG="",
        )
        yield Fakes(slack, discord, channel, hook.channel_id, hook.url, env, trapped)


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (just now)."""
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(
    tmp_path: Path,
    fakes: Fakes,
    *,
    slack_mode: str = "socket",
    shards: str = '"auto"',
    slack_api: str | None = None,
    discord_api: str | None = None,
    http_port: int = 0,
    channels: tuple[str, ...] = CHANNEL_NAMES,
    top_level: str = "",
    channel_options: str = "",
) -> Path:
    """`digest-bot.toml` with the named channels; `top_level` and `channel_options` are TOML
    lines added at the top and to every channel (a source, a schedule)."""
    targets = {
        "slack-bot": ("slack", DEFAULT_CHANNEL),
        "slack-hook": ("slack", fakes.slack.webhook_url(SLACK_HOOK)),
        "discord-bot": ("discord", fakes.discord_channel),
        "discord-hook": ("discord", fakes.discord_hook_url),
    }
    tables = "".join(
        f'\n[[channels]]\nname = "{name}"\nplatform = "{targets[name][0]}"\n'
        f'target = "{targets[name][1]}"\n{channel_options}\n'
        for name in channels
    )
    path = tmp_path / "digest-bot.toml"
    path.write_text(
        f"""
data_dir = "{tmp_path / "data"}"
{top_level}

[http]
enabled = true
host = "127.0.0.1"
port = {http_port}

[slack]
mode = "{slack_mode}"
api_base_url = "{slack_api or fakes.slack.base_url}"

[discord]
api_base_url = "{discord_api or fakes.discord.api_base}"
shards = {shards}
{tables}"""
    )
    return path
