"""Every slash command, declared once, and how one is run by name with the user's words.

An adapter passes the command name and the user's words to `run_command` and renders the `Message`
it gets back. Bad input becomes a short helpful answer; an unexpected failure becomes a generic
answer with a reference id while the traceback goes to the log (never the error text into chat).
Each platform registers what `COMMANDS` declares: adding a command is one entry here plus its
handler.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping

from bot.channels import DIGEST_CONFIG
from bot.commands.alerts import alert_command
from bot.commands.archive_queries import (
    TOP_DEFAULT,
    TOP_MAX,
    TOP_PERIODS,
    digest_command,
    paper_command,
    search_command,
    top_command,
)
from bot.commands.channel_admin import config_command, status_command
from bot.commands.context import CommandContext, CommandResult
from bot.commands.spec import CommandSpec, OptionSpec, SubcommandSpec
from bot.errors import UserError
from bot.formatter import format_notice
from bot.messages import Message
from bot.metrics import COMMAND_SECONDS
from bot.metrics import COMMANDS as COMMANDS_RUN

log = logging.getLogger(__name__)

# Command name → its declaration. Adapters take a registry as a parameter (this one by default),
# so a test can hand them one with a command of its own.
CommandRegistry = Mapping[str, CommandSpec]


# Where a day is asked for: the platforms that suggest values offer the archive's dates.
_DAY = "YYYY-MM-DD, today or yesterday (default: latest)"


def _digest_config_usage() -> str:
    """The settings' usage line of the one vocabulary, with the channel that may be named first."""
    prefix = "/digest-config "
    return f"{prefix}[channel] {DIGEST_CONFIG.usage.removeprefix(prefix)}"


COMMANDS: CommandRegistry = {
    spec.name: spec
    for spec in (
        CommandSpec(
            "paper",
            "/paper <arXiv id or link>",
            "Show one paper from the digest archive",
            paper_command,
            options=(OptionSpec("id", "arXiv id or link, e.g. 2501.04682", required=True),),
        ),
        CommandSpec(
            "top",
            "/top [n] [YYYY-MM-DD|yesterday] or /top [n] [week|month]",
            "Most-voted papers of a day, a week or a month",
            top_command,
            options=(
                OptionSpec(
                    "n", f"how many papers (default {TOP_DEFAULT})", "int", min=1, max=TOP_MAX
                ),
                OptionSpec("date", "YYYY-MM-DD (default: latest)", "date", suggest="archive-dates"),
                OptionSpec(
                    "period",
                    "day (default), or week / month: the 7 or 30 days up to the latest digest",
                    "choice",
                    choices=("day", *TOP_PERIODS),
                    default="day",
                ),
            ),
        ),
        CommandSpec(
            "digest",
            "/digest [YYYY-MM-DD|yesterday]",
            "A day's overview: count and top papers",
            digest_command,
            options=(OptionSpec("date", _DAY, "date", suggest="archive-dates"),),
        ),
        CommandSpec(
            "search",
            "/search <words>",
            "Search titles, authors and summaries",
            search_command,
            options=(OptionSpec("words", "what to look for, e.g. diffusion video", required=True),),
            platform_names={"slack": "papers-search"},  # Slack reserves /search
        ),
        CommandSpec(
            "digest-status",
            "/digest-status [channel]",
            "This channel's last delivery, next run and source health (admins)",
            status_command,
            options=(OptionSpec("channel", "a configured channel name (default: this channel)"),),
            personal=True,
            admin=True,
        ),
        CommandSpec(
            "digest-config",
            _digest_config_usage(),
            "Show or change this channel's digest settings (admins)",
            config_command,
            options=(
                OptionSpec(
                    "settings",
                    "e.g. time 09:00 tz Asia/Seoul top 10 min-votes 5 | reset (empty: show them)",
                ),
            ),
            personal=True,
            admin=True,
        ),
        CommandSpec(
            "paper-alert",
            "/paper-alert add <words> | list | remove <number|words>",
            "A direct message when a digest has papers with your words",
            alert_command,
            subcommands=(
                SubcommandSpec(
                    "add",
                    "Add an alert: a direct message when a digest has papers with these words",
                    (
                        OptionSpec(
                            "words", "the words to look for, e.g. diffusion video", required=True
                        ),
                    ),
                ),
                SubcommandSpec("list", "List your alerts"),
                SubcommandSpec(
                    "remove",
                    "Remove one of your alerts",
                    (OptionSpec("words", "its number in the list, or its words", required=True),),
                ),
            ),
            personal=True,
        ),
    )
}


def help_message(name: str | None = None, commands: CommandRegistry = COMMANDS) -> Message:
    """Usage of one command, or of all of them."""
    spec = commands.get(name or "")
    specs = [spec] if spec is not None else list(commands.values())
    lines = [f"{spec.usage} — {spec.description}" for spec in specs]
    return format_notice("\n".join(lines))


def unknown_command(name: str, commands: CommandRegistry = COMMANDS) -> Message:
    """A command we do not have: say so in one line, with the names, not the whole help."""
    names = ", ".join(f"/{spec}" for spec in commands)
    return format_notice(f"Unknown command /{name[:40]}. Commands: {names}. /help shows how.")


def run_command(
    ctx: CommandContext, name: str, text: str = "", commands: CommandRegistry = COMMANDS
) -> CommandResult:
    """Run one command of `commands` by name with the user's words; never raises."""
    name = name.strip().lstrip("/").lower()
    label = name if name in commands else "help"
    with COMMAND_SECONDS.labels(label).time():
        result = _run_command(ctx, name, text, commands)
    COMMANDS_RUN.labels(label, "yes" if result.ok else "no").inc()
    return result


def _run_command(
    ctx: CommandContext, name: str, text: str, commands: CommandRegistry
) -> CommandResult:
    spec = commands.get(name)
    if spec is None:
        if name not in {"", "help"}:
            return CommandResult(unknown_command(name, commands), ok=False)
        return CommandResult(help_message(text.strip().lstrip("/") or None, commands), ok=True)
    if text.strip().lower() == "help":
        return CommandResult(help_message(name, commands), ok=True)
    try:
        return CommandResult(spec.run(ctx, text), ok=True)
    except UserError as error:
        return CommandResult(format_notice(str(error)), ok=False)
    except Exception:
        reference = secrets.token_hex(4)
        log.exception("command /%s failed (ref %s)", name, reference)
        notice = f"Sorry, something went wrong on our side (ref {reference})."
        return CommandResult(format_notice(notice), ok=False)


def run_text_command(
    ctx: CommandContext, line: str, commands: CommandRegistry = COMMANDS
) -> CommandResult:
    """Run a typed line such as `/top 3 yesterday` (the console and plain-text platforms)."""
    name, _, rest = line.strip().partition(" ")
    return run_command(ctx, name or "help", rest, commands)
