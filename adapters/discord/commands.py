"""Application commands on a discord.py `CommandTree`: /paper, /top, /digest, /search.

Options are declared with types, ranges and descriptions so Discord validates them before we see
them. Each command defers at once (Discord allows 3 s for the first answer; the archive is a
database), runs the one core function and answers privately with a "Share in channel" button
that posts the same answer for everyone. A usage error is answered privately, without the button.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord.render import NO_MENTIONS, DiscordPayload, render_message
from bot.app.platform import ContextFactory
from bot.command_context import Caller
from bot.commands import TOP_MAX, TOP_PERIODS, run_command

log = logging.getLogger(__name__)

CHOICES_MAX = 25  # Discord shows at most 25 autocomplete choices
# An interaction's token expires after 15 minutes; the button cannot answer after that anyway.
SHARE_SECONDS = 14 * 60
# The /top `period` option: a day's digest (the default), or the days ending on the latest one.
TOP_PERIOD_CHOICES = [app_commands.Choice(name=name, value=name) for name in ("day", *TOP_PERIODS)]
# The /paper-alert `action` option; without one the user's alerts are listed.
ALERT_ACTION_CHOICES = [
    app_commands.Choice(name=name, value=name) for name in ("add", "list", "remove")
]


async def _send(
    interaction: discord.Interaction, payloads: Sequence[DiscordPayload], **options: Any
) -> None:
    """Post payloads as follow-ups (the first one fills in a deferred answer); ping nobody."""
    for payload in payloads:
        await interaction.followup.send(
            content=payload.content, embeds=payload.embeds, allowed_mentions=NO_MENTIONS, **options
        )
        options.pop("view", None)  # the button goes on the first message only


class ShareView(discord.ui.View):
    """The "Share in channel" button under a private answer; one press posts it publicly."""

    def __init__(self, payloads: Sequence[DiscordPayload]) -> None:
        super().__init__(timeout=SHARE_SECONDS)
        self.payloads = list(payloads)

    @discord.ui.button(label="Share in channel", style=discord.ButtonStyle.primary)
    async def share(
        self, interaction: discord.Interaction, button: discord.ui.Button[ShareView]
    ) -> None:
        # Drop the button from the private answer, then post the same answer for everyone.
        await interaction.response.edit_message(view=None)
        await _send(interaction, self.payloads, ephemeral=False)
        self.stop()


def add_commands(
    tree: app_commands.CommandTree[Any],
    context: ContextFactory,
    guild_ids: Sequence[int] = (),
    admin_roles: Sequence[int] = (),
) -> None:
    """Add the commands to `tree`: to these guilds (synced at once), else globally."""

    async def answer(
        interaction: discord.Interaction, name: str, text: str, *, personal: bool = False
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ctx = context(_caller(interaction, admin_roles)) if personal else context()
        result = run_command(ctx, name, text)
        payloads = render_message(result.message) or [DiscordPayload("Nothing to show.")]
        options: dict[str, Any] = {"ephemeral": True}
        if result.ok and not personal:
            options["view"] = ShareView(payloads)
        await _send(interaction, payloads, **options)

    async def archive_dates(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip()
        days = [day.isoformat() for day in reversed(context().archive.dates())]
        return [app_commands.Choice(name=day, value=day) for day in days if day.startswith(typed)][
            :CHOICES_MAX
        ]

    @app_commands.command(name="paper", description="Show one paper from the digest archive")
    @app_commands.describe(id="arXiv id or link, e.g. 2501.04682")
    async def paper(interaction: discord.Interaction, id: str) -> None:
        await answer(interaction, "paper", id)

    @app_commands.command(name="top", description="Most-voted papers of a day, a week or a month")
    @app_commands.describe(
        n="how many papers (default 5)",
        date="YYYY-MM-DD (default: latest)",
        period="day (default), or week / month: the 7 or 30 days up to the latest digest",
    )
    @app_commands.autocomplete(date=archive_dates)
    @app_commands.choices(period=TOP_PERIOD_CHOICES)
    async def top(
        interaction: discord.Interaction,
        n: app_commands.Range[int, 1, TOP_MAX] | None = None,
        date: str | None = None,
        period: app_commands.Choice[str] | None = None,
    ) -> None:
        # "day" is what no period means; "week" and "month" are words the core understands.
        span = period.value if period is not None and period.value != "day" else None
        await answer(interaction, "top", " ".join(str(word) for word in (n, date, span) if word))

    @app_commands.command(name="digest", description="A day's overview: count and top papers")
    @app_commands.describe(date="YYYY-MM-DD, today or yesterday (default: latest)")
    @app_commands.autocomplete(date=archive_dates)
    async def digest(interaction: discord.Interaction, date: str | None = None) -> None:
        await answer(interaction, "digest", date or "")

    @app_commands.command(name="search", description="Search titles, authors and summaries")
    @app_commands.describe(words="what to look for, e.g. diffusion video")
    async def search(interaction: discord.Interaction, words: str) -> None:
        await answer(interaction, "search", words)

    @app_commands.command(
        name="digest-status",
        description="This channel's last delivery, next run and source health (admins)",
    )
    @app_commands.describe(channel="a configured channel name (default: this channel)")
    async def digest_status(interaction: discord.Interaction, channel: str | None = None) -> None:
        await answer(interaction, "digest-status", channel or "", personal=True)

    @app_commands.command(
        name="digest-config", description="Show or change this channel's digest settings (admins)"
    )
    @app_commands.describe(
        settings="e.g. time 09:00 tz Asia/Seoul top 10 min-votes 5 | reset (empty: show them)"
    )
    async def digest_config(interaction: discord.Interaction, settings: str | None = None) -> None:
        await answer(interaction, "digest-config", settings or "", personal=True)

    @app_commands.command(
        name="paper-alert",
        description="A direct message when a digest has papers with your words",
    )
    @app_commands.describe(
        action="add an alert, list yours (the default) or remove one",
        words="add: the words to look for, e.g. diffusion video; remove: a number or the words",
    )
    @app_commands.choices(action=ALERT_ACTION_CHOICES)
    async def paper_alert(
        interaction: discord.Interaction,
        action: app_commands.Choice[str] | None = None,
        words: str | None = None,
    ) -> None:
        text = " ".join(part for part in (action.value if action else "", words or "") if part)
        await answer(interaction, "paper-alert", text, personal=True)

    guilds = [discord.Object(guild_id) for guild_id in guild_ids]
    commands: list[app_commands.Command[Any, ..., None]] = [
        paper,
        top,
        digest,
        search,
        digest_status,
        digest_config,
        paper_alert,
    ]
    for command in commands:
        if guilds:
            tree.add_command(command, guilds=guilds)
        else:
            tree.add_command(command)


def _caller(interaction: discord.Interaction, admin_roles: Sequence[int]) -> Caller:
    """Who asked: an admin by Discord's own data (Manage Server, Administrator, or a role)."""
    permissions = interaction.permissions  # the member's, resolved by Discord for this channel
    member = interaction.user
    roles = {role.id for role in member.roles} if isinstance(member, discord.Member) else set()
    return Caller(
        platform="discord",
        user_id=str(member.id),
        channel_id=None if interaction.channel_id is None else str(interaction.channel_id),
        is_admin=permissions.administrator
        or permissions.manage_guild
        or bool(roles & set(admin_roles)),
        channels_here=_channels_here(interaction),
    )


def _channels_here(interaction: discord.Interaction) -> frozenset[str] | None:
    """The ids of the caller's server's channels and threads, if the bot is in several servers.

    A Manage Server permission in one server must not reach the digest channels of another.
    """
    if len(interaction.client.guilds) <= 1:
        return None
    guild = interaction.guild
    if guild is None:  # a DM: no server's channels are the caller's to manage
        return frozenset()
    return frozenset(str(place.id) for place in (*guild.channels, *guild.threads))


async def sync_commands(tree: app_commands.CommandTree[Any], guild_ids: Sequence[int]) -> None:
    """Register the commands with Discord: per guild (at once) or globally (up to an hour)."""
    if not guild_ids:
        await tree.sync()
        return
    for guild_id in guild_ids:
        try:
            await tree.sync(guild=discord.Object(guild_id))
        except discord.Forbidden:
            # Posting still works; only the commands are missing in this guild.
            log.error(
                "discord: cannot add slash commands to guild %s: invite the bot there with the "
                "applications.commands scope (digest-bot discord invite)",
                guild_id,
            )
