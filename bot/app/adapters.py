"""The platform adapters of the running bot: which platforms it needs, and where each lives.

Each adapter implements `bot.adapter_contract.PlatformAdapter`; its module is imported only when
a configured channel or a bot token asks for its platform, so the SDKs stay optional extras.
"""

from __future__ import annotations

from importlib import import_module
from typing import NamedTuple

from rich.console import Console

from bot.adapter_contract import ContextFactory, PlatformAdapter
from bot.extras import import_extra
from config import BotSettings


class AdapterEntry(NamedTuple):
    """Where a platform's `PlatformAdapter` class lives, constructed `(settings, context)`."""

    module: str
    class_name: str
    extra: str | None  # the optional extra holding its SDK; None: built in
    terminal: bool = False  # also given the bot's terminal (`Console`), after `context`


# Adapters by platform, imported only when a channel or a token asks for that platform.
ADAPTERS = {
    "console": AdapterEntry("adapters.console.adapter", "ConsoleAdapter", None, terminal=True),
    "slack": AdapterEntry("adapters.slack.adapter", "SlackAdapter", "slack"),
    "discord": AdapterEntry("adapters.discord.adapter", "DiscordAdapter", "discord"),
}


def wanted_platforms(settings: BotSettings) -> list[str]:
    """Platforms with a configured channel, or whose bot token is set (slash commands only)."""
    wanted = {c.platform for c in settings.channels}
    if settings.slack_bot_token:
        wanted.add("slack")
    if settings.discord_bot_token:
        wanted.add("discord")
    return sorted(wanted)


def build_adapters(
    settings: BotSettings, context: ContextFactory, console: Console
) -> dict[str, PlatformAdapter]:
    adapters: dict[str, PlatformAdapter] = {}
    for platform in wanted_platforms(settings):
        entry = ADAPTERS[platform]
        needed_for = f"channels: platform '{platform}'"
        module = (
            import_module(entry.module)
            if entry.extra is None
            else import_extra(entry.module, entry.extra, needed_for)
        )
        terminal = (console,) if entry.terminal else ()
        adapters[platform] = getattr(module, entry.class_name)(settings, context, *terminal)
    return adapters
