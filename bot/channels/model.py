"""One configured channel: where the digest goes, when, and how it looks there.

The config file's `[[channels]]` tables and `/digest-config` both produce this model, so one set
of rules checks both.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.formatter import FormatOptions, SeenBefore
from bot.schedule import cron_trigger, time_zone
from bot.webhooks import is_webhook_target, mask_webhook, webhook_problem

Platform = Literal["slack", "discord", "console"]


class ChannelConfig(BaseModel):
    """A `[[channels]]` table of the config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    platform: Platform
    # A Slack channel id (C0123…), a Discord channel id (digits), or a webhook URL; for the
    # console, any label. `webhook_url_env` names an environment variable holding the webhook
    # URL instead, so the secret stays out of the file.
    target: str | None = None
    webhook_url_env: str | None = None
    schedule: str = "0 9 * * *"
    timezone: str = "UTC"
    post_day: Literal["today", "yesterday"] = "today"
    mode: Literal["thread", "single"] = "thread"
    top_n: int | None = Field(default=None, ge=1, le=100)
    min_votes: int = Field(default=0, ge=0)
    include_keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)
    language: Literal["en", "ko"] = "en"
    # A paper this channel was sent on an earlier day: "mark" it, "omit" it, or "show" it as new.
    seen_before: SeenBefore = "mark"
    catch_up_hours: float = Field(default=24.0, ge=0, le=24 * 14)
    wait_for_digest_hours: float = Field(default=6.0, ge=0, le=48)
    # A day without papers (weekends) gets a short "no papers today" note instead of silence.
    empty_day_note: bool = True
    # A weekly post of the week's most-voted papers, on this cron schedule in `timezone`
    # (e.g. "0 9 * * mon"); None: no weekly post.
    weekly_schedule: str | None = None
    weekly_top: int = Field(default=10, ge=1, le=25)
    # Discord webhooks only: how the poster appears, and a forum thread to post in.
    webhook_username: str | None = Field(default=None, max_length=80)
    webhook_avatar_url: str | None = None
    thread_name: str | None = Field(default=None, max_length=100)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        time_zone(value)
        return value

    @field_validator("schedule", "weekly_schedule")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            cron_trigger(value, "UTC")  # the syntax does not depend on the zone, checked above
        return value

    @model_validator(mode="after")
    def _target_given(self) -> ChannelConfig:
        if self.platform != "console" and not (self.target or self.webhook_url_env):
            raise ValueError(
                "give `target` (a channel id or webhook URL) or `webhook_url_env` (the name of "
                "an environment variable holding the webhook URL)"
            )
        return self

    @model_validator(mode="after")
    def _webhook_valid(self) -> ChannelConfig:
        # A target that looks like a URL is a webhook: a malformed one must not be taken for a
        # channel id. Shown masked: the URL is a secret (and the error names the channel).
        if self.platform != "console" and self.target and is_webhook_target(self.target):
            problem = webhook_problem(self.platform, self.target)
            if problem is not None:
                raise ValueError(
                    f"channel '{self.name}': target: {problem} (got {mask_webhook(self.target)})"
                )
        return self

    @property
    def is_webhook(self) -> bool:
        if self.platform == "console":
            return False
        return bool(self.webhook_url_env) or is_webhook_target(self.target or "")

    def format_options(self) -> FormatOptions:
        return FormatOptions(
            # A webhook cannot reply in a thread: its channel gets the one compact message.
            mode="single" if self.is_webhook else self.mode,
            top_n=self.top_n,
            min_votes=self.min_votes,
            include_keywords=tuple(self.include_keywords),
            exclude_keywords=tuple(self.exclude_keywords),
            language=self.language,
            seen_before=self.seen_before,
        )
