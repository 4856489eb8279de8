"""The bot's settings: a TOML file for everything but secrets, environment variables for secrets.

`load_settings` reports every problem at once, each naming the key, the bad value and what is
allowed, so a user fixes the file in one go.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

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

from bot.channels import ChannelConfig
from bot.channels.problems import Location, describe_problems
from bot.errors import ConfigError, SourceError
from bot.ingest import SAMPLE_ARCHIVE_DIR, archive_file_for
from bot.redaction import register_secrets
from bot.sources import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, check_source_spec
from bot.storage import default_data_dir, sqlite_url
from config.cross_checks import cross_checks
from config.validation import build_settings, nearest_key, strict_type_errors, valid_part

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
    # One day's fetch from a URL or Hugging Face source: the largest answer (decoded bytes; a
    # digest is < 200 KB) and the longest time, every retry and wait included.
    source_max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1024, le=1024**3)
    source_deadline_seconds: float = Field(default=DEFAULT_DEADLINE, gt=0, le=3600)
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

    @field_validator("source")
    @classmethod
    def _usable_source(cls, value: str) -> str:
        try:
            check_source_spec(value)  # a folder is checked by check-config: it may come later
        except SourceError as error:
            raise ValueError(str(error)) from None
        return value

    @property
    def resolved_database_url(self) -> str:
        # The bundled sample (no `source` set) has its own file: it never overwrites real days.
        return self.database_url or sqlite_url(self.data_dir / archive_file_for(self.source))

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

    def secret_values(self) -> list[str]:
        """Every configured secret: tokens, webhook URLs, the database password."""
        tokens = (
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.discord_bot_token,
        )
        values = [token.get_secret_value() for token in tokens if token is not None]
        values += [url for url in map(self.webhook_url, self.channels) if url]
        # A target written without https:// is still a webhook URL to the person who wrote it.
        values += [c.target for c in self.channels if c.target and "/" in c.target]
        if self.database_url:
            values.append(urlsplit(self.database_url).password or "")
        return values


# The models a ValidationError's title may name, for the nearest-key suggestion.
_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        BotSettings,
        ChannelConfig,
        HttpSettings,
        LiveSettings,
        SlackSettings,
        DiscordSettings,
    )
}

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
    settings, problems = check_settings(path)
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def check_settings(path: Path | None = None) -> tuple[BotSettings | None, list[str]]:
    """The settings and every problem in one round: the file's and the environment's.

    With schema errors, the settings are the parts that did validate (None if none could), so
    the environment is checked too; `check-config` checks them further.
    """
    path = config_path(path)
    data = _read_toml(path) if path else {}
    # Any case: the upper-case names are also accepted as field aliases (for the environment).
    secrets_in_file = sorted(key for key in data if key.lower() in _SECRET_KEYS)
    # Refused, yet the rest of the file is still checked (every problem in one round); the
    # value is masked from now on and never used.
    problems: list[str] = [
        f"{key}: secrets belong in the environment: set {key.upper()} there"
        for key in secrets_in_file
    ]
    register_secrets(str(data.pop(key)) for key in secrets_in_file)
    where = f"{path}: " if path else ""
    indexes: list[int] | None = None
    try:
        settings: BotSettings | None = build_settings(BotSettings, data)
        reported: list[tuple[int | str, ...]] = []
    except ValidationError as error:
        problems += describe_errors(error, where)
        reported = [tuple(item["loc"]) for item in error.errors()]
        settings, indexes = valid_part(BotSettings, data, error)
    except ConfigError as error:
        return None, problems + error.problems
    strict = strict_type_errors(BotSettings, data, reported)
    if strict is not None:
        problems += describe_errors(strict, where)
    if settings is not None:
        register_secrets(settings.secret_values())  # masked in every output from now on
        problems += cross_checks(settings, indexes)
    return settings, problems


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
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(
            [
                f"{path}:{line}: not UTF-8 text (byte 0x{error.object[error.start]:02x}); save "
                "the file as UTF-8"
            ]
        ) from None
    except OSError as error:
        raise ConfigError([f"{path}: cannot read the config file ({error.strerror})"]) from None


def describe_errors(error: ValidationError, where: str = "") -> list[str]:
    """One line per problem of the config file, as /digest-config words them too."""
    return describe_problems(error, where, unknown_key=_unknown_key)


def _unknown_key(error: ValidationError, loc: Location) -> str:
    guess = nearest_key(_MODELS.get(error.title, BotSettings), loc)
    if guess:
        return f"unknown key; did you mean {guess}?"
    return "unknown key; check its spelling against config.example.toml"
