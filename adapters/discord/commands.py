"""Application commands on a discord.py `CommandTree`: every command of the registry.

Each is built from its `CommandSpec`: options with types, ranges, choices and descriptions, so
Discord validates them before we see them; a command with sub-commands becomes a group.

Each command defers at once (Discord allows 3 s for the first answer; the archive is a database),
runs the one core function and answers privately with a "Share in channel" button that posts
the same answer for everyone. A usage error is answered privately, without the button.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord.render import NO_MENTIONS, DiscordPayload, render_message
from bot.adapter_contract import ContextFactory
from bot.commands import (
    COMMANDS,
    Caller,
    CommandRegistry,
    CommandSpec,
    OptionSpec,
    Suggestions,
    command_text,
    run_command,
)

log = logging.getLogger(__name__)

CHOICES_MAX = 25  # Discord shows at most 25 autocomplete choices
# An interaction's token expires after 15 minutes; the button cannot answer after that anyway.
SHARE_SECONDS = 14 * 60
# Runs a command for an interaction with the words built from its options.
Answer = Callable[[discord.Interaction, CommandSpec, str], Awaitable[None]]
AutocompleteCallback = Callable[
    [discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
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
    commands: CommandRegistry = COMMANDS,
) -> None:
    """Add each command of `commands` to `tree`: to these guilds (synced at once), else globally."""

    async def answer(interaction: discord.Interaction, spec: CommandSpec, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ctx = context(_caller(interaction, admin_roles)) if spec.personal else context()
        result = run_command(ctx, spec.name, text, commands)
        payloads = render_message(result.message) or [DiscordPayload("Nothing to show.")]
        options: dict[str, Any] = {"ephemeral": True}
        if result.ok and not spec.personal:
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

    suggestions: dict[Suggestions, AutocompleteCallback] = {"archive-dates": archive_dates}
    guilds = [discord.Object(guild_id) for guild_id in guild_ids]
    for spec in commands.values():
        command = application_command(spec, answer, suggestions)
        if guilds:
            tree.add_command(command, guilds=guilds)
        else:
            tree.add_command(command)


def application_command(
    spec: CommandSpec, answer: Answer, suggestions: Mapping[Suggestions, AutocompleteCallback]
) -> app_commands.Command[Any, ..., None] | app_commands.Group:
    """The Discord command of one spec; a spec with sub-commands becomes a group of them."""
    name = spec.name_on("discord")
    if not spec.subcommands:
        return _command(spec, name, spec.description, spec.options, None, answer, suggestions)
    group = app_commands.Group(name=name, description=spec.description)
    for sub in spec.subcommands:
        group.add_command(
            _command(spec, sub.name, sub.description, sub.options, sub.name, answer, suggestions)
        )
    return group


def _command(
    spec: CommandSpec,
    name: str,
    description: str,
    options: Sequence[OptionSpec],
    subcommand: str | None,
    answer: Answer,
    suggestions: Mapping[Suggestions, AutocompleteCallback],
) -> app_commands.Command[Any, ..., None]:
    async def callback(interaction: discord.Interaction, **values: object) -> None:
        await answer(interaction, spec, command_text(spec, values, subcommand))

    # discord.py reads a command's options from its callback's signature: this one is built
    # from the spec's typed options, so Discord validates types, ranges and choices itself.
    interaction = inspect.Parameter(
        "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
    )
    parameters = [
        inspect.Parameter(
            option.name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=_annotation(option),
            default=inspect.Parameter.empty if option.required else None,
        )
        for option in options
    ]
    callback.__signature__ = inspect.Signature([interaction, *parameters])  # type: ignore[attr-defined]
    if options:
        app_commands.describe(**{option.name: option.description for option in options})(callback)
    choices = {
        option.name: [app_commands.Choice(name=choice, value=choice) for choice in option.choices]
        for option in options
        if option.choices
    }
    if choices:
        app_commands.choices(**choices)(callback)
    suggested = {option.name: suggestions[option.suggest] for option in options if option.suggest}
    if suggested:
        app_commands.autocomplete(**suggested)(callback)
    return app_commands.Command(name=name, description=description, callback=callback)


def _annotation(option: OptionSpec) -> Any:
    """The discord.py type of an option: what Discord checks before the bot sees the value."""
    if option.type == "int":
        if option.min is None and option.max is None:
            return int
        return app_commands.Range[int, option.min, option.max]
    return str  # text, dates (suggested as the user types) and choices (listed by Discord)


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
