"""The bot's settings: a TOML file for everything but secrets, environment variables for secrets.

`load_settings` reports every problem at once, each naming the key, the bad value and what is
allowed, so a user fixes the file in one go.
"""

from __future__ import annotations

import os
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.ingest import SAMPLE_ARCHIVE_DIR
from bot.storage import default_data_dir, sqlite_url
from config.channels import ChannelConfig

CONFIG_ENV = "DIGEST_BOT_CONFIG"
DEFAULT_CONFIG_FILE = Path("digest-bot.toml")
EXAMPLE_CONFIG = Path(__file__).resolve().parent / "config.example.toml"


class HttpSettings(BaseModel):
    """The HTTP server: Slack's HTTP mode, /healthz and /metrics."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (tests)


class LiveSettings(BaseModel):
    """Live digests, for sources whose day keeps changing (the Hugging Face list)."""

    model_config = ConfigDict(extra="forbid")

    # Post once the day's list has not changed for this long (or once it has closed, 03:00 UTC
    # the next day).
    settle_minutes: float = Field(default=30, ge=0, le=24 * 60)
    # After posting, check this often for late papers and new votes and edit the post in place…
    refresh_minutes: float = Field(default=30, ge=1, le=24 * 60)
    # …for this long after the first post; 0 turns the updates off.
    window_hours: float = Field(default=24, ge=0, le=24 * 7)


class SlackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["socket", "http"] = "socket"
    api_base_url: str = "https://slack.com/api/"  # tests point this at a local fake
    # User groups (S0…) whose members may use /digest-status and /digest-config, besides
    # workspace admins and owners.
    admin_groups: list[str] = Field(default_factory=list)


class DiscordSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    guild_ids: list[int] = Field(default_factory=list)  # empty: commands synced globally
    # Role ids whose members may use /digest-status and /digest-config, besides members with
    # Manage Server or Administrator.
    admin_roles: list[int] = Field(default_factory=list)
    api_base_url: str = "https://discord.com/api/v10"
    # "auto": as many gateway shards as Discord recommends for the bot's guild count (one for
    # a small bot); a number fixes the count, 1 meaning no sharding.
    shards: Literal["auto"] | int = "auto"
    # Discord's global limit per bot token; raise it only if Discord raised it for your bot.
    requests_per_second: int = Field(default=50, ge=1)

    @field_validator("shards", mode="before")
    @classmethod
    def _auto_or_a_count(cls, value: object) -> object:
        # One message for both forms, instead of one per member of the union.
        if value == "auto" or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        ):
            return value
        raise ValueError('use "auto" or a number of shards of 1 or more')


class BotSettings(BaseSettings):
    """Everything the bot needs to run; see config/config.example.toml for each key."""

    model_config = SettingsConfigDict(
        extra="forbid", env_prefix="DIGEST_BOT_", env_nested_delimiter="__"
    )

    source: str = str(SAMPLE_ARCHIVE_DIR)
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    language: Literal["en", "ko"] = "en"
    http: HttpSettings = Field(default_factory=HttpSettings)
    live: LiveSettings = Field(default_factory=LiveSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    channels: list[ChannelConfig] = Field(default_factory=list)

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret")
    )
    discord_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_BOT_TOKEN", "discord_bot_token")
    )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir / "digest-bot.sqlite3")

    def channel(self, name: str) -> ChannelConfig:
        for channel in self.channels:
            if channel.name == name:
                return channel
        names = ", ".join(c.name for c in self.channels) or "none configured"
        raise ConfigError([f"channels: no channel named '{name}' (known: {names})"])

    def webhook_url(self, channel: ChannelConfig) -> str | None:
        if channel.webhook_url_env:
            return os.environ.get(channel.webhook_url_env)
        return channel.target if channel.is_webhook else None


_SECRET_KEYS = {"slack_bot_token", "slack_app_token", "slack_signing_secret", "discord_bot_token"}


def config_path(explicit: Path | None) -> Path | None:
    """The config file to read: --config, else $DIGEST_BOT_CONFIG, else ./digest-bot.toml if any."""
    if explicit is not None:
        return explicit
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(path: Path | None = None) -> BotSettings:
    """Read and validate the config file and the environment; ConfigError lists every problem."""
    path = config_path(path)
    data = _read_toml(path) if path else {}
    secrets_in_file = sorted(_SECRET_KEYS & set(data))
    if secrets_in_file:
        raise ConfigError(
            [
                f"{key}: secrets must not be in the config file; set the environment variable "
                f"{key.upper()} instead"
                for key in secrets_in_file
            ]
        )
    try:
        settings = BotSettings(**data)
    except ValidationError as error:
        raise ConfigError(describe_errors(error, f"{path}: " if path else "")) from None
    problems = _cross_checks(settings)
    if problems:
        raise ConfigError(problems)
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(
            [f"{path}: no such config file (copy {EXAMPLE_CONFIG.name} to start)"]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None


def describe_errors(error: ValidationError, where: str = "") -> list[str]:
    """One line per problem: the key, what is wrong, the value given; /digest-config uses it too."""
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"] if part not in ("function-after",))
        message = item["msg"].removeprefix("Value error, ")
        value = item.get("input")
        shown = "" if isinstance(value, dict) or item["type"] == "missing" else f" (got {value!r})"
        if item["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against config.example.toml"
        problems.append(f"{where}{key}: {message}{shown}")
    return problems


def _cross_checks(settings: BotSettings) -> list[str]:
    problems = []
    for name, count in Counter(c.name for c in settings.channels).items():
        if count > 1:
            problems.append(
                f"channels: the name '{name}' is used {count} times; names must be unique"
            )
    for index, channel in enumerate(settings.channels):
        key = f"channels.{index} ({channel.name})"
        if channel.webhook_url_env and not os.environ.get(channel.webhook_url_env):
            problems.append(
                f"{key}.webhook_url_env: the environment variable "
                f"{channel.webhook_url_env} is not set"
            )
        if channel.platform == "slack" and not channel.is_webhook and not settings.slack_bot_token:
            problems.append(
                f"{key}: a Slack channel id needs the SLACK_BOT_TOKEN environment variable "
                "(or use a webhook URL as target)"
            )
        if (
            channel.platform == "discord"
            and not channel.is_webhook
            and not settings.discord_bot_token
        ):
            problems.append(
                f"{key}: a Discord channel id needs the DISCORD_BOT_TOKEN environment variable "
                "(or use a webhook URL as target)"
            )
    slack_app = any(c.platform == "slack" and not c.is_webhook for c in settings.channels)
    if slack_app and settings.slack.mode == "socket" and not settings.slack_app_token:
        problems.append(
            "slack.mode: 'socket' needs the SLACK_APP_TOKEN environment variable (xapp-…)"
        )
    if slack_app and settings.slack.mode == "http" and not settings.slack_signing_secret:
        problems.append("slack.mode: 'http' needs the SLACK_SIGNING_SECRET environment variable")
    return problems
