"""A token pasted into the wrong environment variable (`xapp-…` in SLACK_BOT_TOKEN): the bot
would fail at login with a message that does not say which variable to fix."""

from __future__ import annotations

import re
from typing import NamedTuple

from pydantic import SecretStr


class TokenKind(NamedTuple):
    label: str
    home: str | None  # the variable it belongs in; None: no variable of ours takes it


_SLACK_KINDS = {
    "xoxb-": TokenKind("a Slack bot token (xoxb-…)", "SLACK_BOT_TOKEN"),
    "xapp-": TokenKind("a Slack app-level token (xapp-…)", "SLACK_APP_TOKEN"),
    "xoxp-": TokenKind("a Slack user token (xoxp-…)", None),
    "xoxe": TokenKind("a Slack refresh token (xoxe…)", None),
}
_DISCORD = TokenKind("a Discord bot token", "DISCORD_BOT_TOKEN")
# Discord's tokens: a base64 user id, a timestamp and an HMAC, separated by dots.
_DISCORD_SHAPE = re.compile(r"^[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")

# What each variable should hold, said the way the platform's settings page names it.
_EXPECTED = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…, OAuth & Permissions)",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…, Basic Information → App-Level Tokens)",
    "SLACK_SIGNING_SECRET": "the Signing Secret (Basic Information → App Credentials)",
    "DISCORD_BOT_TOKEN": "the bot's token (Developer Portal → your application → Bot)",
}


def token_kind(value: str) -> TokenKind | None:
    """What a token looks like, or None when its shape is not one we know."""
    for prefix, kind in _SLACK_KINDS.items():
        if value.startswith(prefix):
            return kind
    return _DISCORD if _DISCORD_SHAPE.match(value) else None


def misplaced_tokens(tokens: dict[str, SecretStr | None]) -> list[str]:
    """One line per variable holding another kind of token; the values are never shown."""
    problems = []
    for variable, secret in tokens.items():
        if secret is None:
            continue
        value = secret.get_secret_value().strip()
        if variable == "DISCORD_BOT_TOKEN" and value.lower().startswith("bot "):
            problems.append(f"{variable}: give the token alone, without the 'Bot ' prefix")
            continue
        kind = token_kind(value)
        if kind is None or kind.home == variable:
            continue
        moved = f", which belongs in {kind.home}" if kind.home else ""
        problems.append(
            f"{variable}: holds {kind.label}{moved}; set {variable} to {_EXPECTED[variable]}"
        )
    return problems
