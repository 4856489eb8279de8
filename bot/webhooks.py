"""Which channel targets are webhook URLs, and which webhook URLs each platform accepts.

The one answer for the config check and for the publishers: a target that looks like a URL is
a webhook (never a channel id), and it must be a valid webhook URL for its platform. A webhook
URL is a secret, so what is shown of one goes through `mask_webhook`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.redaction import mask_url

# Hosts a webhook may be reached at over plain http: a local relay or a test fake. Nothing sent
# there leaves the machine, so the secret does not travel in clear.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

SLACK_FORM = "https://hooks.slack.com/services/T…/B…/…"
DISCORD_FORM = "https://discord.com/api/webhooks/ID/TOKEN"

_SLACK_PATH = re.compile(r"/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9_-]+")
# What discord.py's `Webhook.from_url` accepts (it sends to the configured API whatever the host).
_DISCORD = re.compile(
    r"https://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api/(?:v\d+/)?"
    r"webhooks/[0-9]{17,20}/[A-Za-z0-9._-]{60,}"
)
_URL_HINTS = ("://", "hooks.slack.com", "discord.com/api/webhooks", "discordapp.com/api/webhooks")


def is_webhook_target(target: str) -> bool:
    """Whether `target` is meant as a webhook URL: it has a scheme, a webhook host, or a `/`.

    Channel ids (`C0123…`, digits) never contain one, so such a target is never sent to a
    channel-id API, valid or not.
    """
    return "/" in target or any(hint in target.lower() for hint in _URL_HINTS)


def webhook_problem(platform: str, url: str) -> str | None:
    """None when `url` is a webhook URL `platform` accepts; otherwise what is wrong with it."""
    if platform == "discord":
        if _DISCORD.fullmatch(url):
            return None
        return f"not a Discord webhook URL of the form {DISCORD_FORM}"
    if platform == "slack":
        return _slack_problem(url)
    return f"platform '{platform}' has no webhooks"


def _slack_problem(url: str) -> str | None:
    wanted = f"not a Slack incoming-webhook URL of the form {SLACK_FORM}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return wanted
    if parts.username or parts.password or parts.query or parts.fragment:
        return wanted
    if not _SLACK_PATH.fullmatch(parts.path):
        return wanted
    if host == "hooks.slack.com" and parts.scheme == "https" and parts.port in (None, 443):
        return None
    if host in LOOPBACK_HOSTS and parts.scheme in ("http", "https"):
        return None
    if parts.scheme == "http":
        return f"{wanted} (https://: plain http would send the secret in clear)"
    return wanted


def mask_webhook(url: str) -> str:
    """`url` as it may be shown; the masking rule is `bot.redaction`'s, the one for all output."""
    return mask_url(url)
