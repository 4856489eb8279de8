"""What Discord or the network did, as a `DeliveryError` that says what to fix.

Shared by the publisher (both modes) and the alert DMs: one table of Discord's error codes.
"""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from bot.errors import DeliveryError

_PERMISSIONS = (
    "View Channel, Send Messages, Embed Links, Create Public Threads and Send Messages in Threads"
)
# Discord's error codes that no retry fixes, with what the user should do about them.
_PERMANENT: dict[int, str] = {
    10003: "no such channel; check the channel id in the config",
    10008: "the digest's header message was deleted",
    10015: "the webhook no longer exists; create a new one and update the config",
    50001: f"the bot cannot see this channel; invite it (digest-bot discord invite) and allow "
    f"{_PERMISSIONS}",
    50013: f"the bot lacks a permission here; allow {_PERMISSIONS}",
    50027: "the webhook token is wrong; copy the webhook URL again",
}


def delivery_error(error: Exception, where: str) -> DeliveryError | None:
    """A `DeliveryError` for what Discord or the network did; None for anything else (a bug)."""
    if isinstance(error, discord.RateLimited):  # only when a wait exceeds discord.py's limit
        return DeliveryError(f"{where}: rate limited for {error.retry_after:.0f} s")
    if isinstance(error, discord.HTTPException):
        status, code = error.status, error.code
        if status >= 500:
            return DeliveryError(f"{where}: Discord answered HTTP {status} after retries")
        if status == 401 and code == 0:
            hint = "Discord refused DISCORD_BOT_TOKEN; reset the token in the Developer Portal"
        else:
            hint = _PERMANENT.get(code) or error.text or "Discord refused the message"
        # Every other 4xx is the same on the next attempt: a config change is needed (or a fix).
        return DeliveryError(f"{where}: {hint} (HTTP {status}, code {code})", permanent=True)
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        # The type only: aiohttp's text for some errors holds the URL, i.e. a webhook's token.
        return DeliveryError(f"{where}: cannot reach Discord ({type(error).__name__})")
    return None
