"""Problems between settings, and with the environment: a channel needing a token that is not
set, a webhook variable that is empty, a token in the wrong variable."""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from bot.webhooks import mask_webhook, webhook_problem
from config.tokens import misplaced_tokens

if TYPE_CHECKING:
    from config.settings import BotSettings


def cross_checks(settings: BotSettings, indexes: list[int] | None = None) -> list[str]:
    """Problems between keys and with the environment; `indexes`: each channel's in the file."""
    problems = misplaced_tokens(
        {
            "SLACK_BOT_TOKEN": settings.slack_bot_token,
            "SLACK_APP_TOKEN": settings.slack_app_token,
            "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
            "DISCORD_BOT_TOKEN": settings.discord_bot_token,
        }
    )
    for name, count in Counter(c.name for c in settings.channels).items():
        if count > 1:
            problems.append(
                f"channels: the name '{name}' is used {count} times; names must be unique"
            )
    for position, channel in enumerate(settings.channels):
        index = position if indexes is None else indexes[position]
        key = f"channels.{index} ({channel.name})"
        if channel.webhook_url_env:
            problems += _webhook_env_problems(key, channel.platform, channel.webhook_url_env)
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


def _webhook_env_problems(key: str, platform: str, variable: str) -> list[str]:
    """The webhook URL a channel takes from the environment must be set and fit its platform,
    as a `target` written in the file must (`ChannelConfig` checks that one)."""
    url = os.environ.get(variable, "").strip()
    if not url:
        return [f"{key}.webhook_url_env: the environment variable {variable} is not set"]
    problem = webhook_problem(platform, url)
    if problem is None:
        return []
    return [f"{key}.webhook_url_env: {variable}: {problem} (got {mask_webhook(url)})"]
