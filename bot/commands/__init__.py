"""The slash commands, once for every platform: declared in `registry`, run by `run_command`.

`spec` is how a command is declared (name, typed options, visibility), `context` what it runs with;
the handlers live by capability: `archive_queries` (/paper, /top, /digest, /search),
`channel_admin` (/digest-status, /digest-config) and `alerts` (/paper-alert). `answer_cache`
keeps the answers that are the same for everybody. To add a command: one entry in
`registry.COMMANDS` plus its handler.
"""

from bot.commands.answer_cache import AnswerCache
from bot.commands.archive_queries import (
    TOP_DEFAULT,
    TOP_MAX,
    TOP_PERIODS,
    parse_day,
    resolve_day,
)
from bot.commands.context import BotServices, Caller, CommandContext, CommandResult
from bot.commands.registry import (
    COMMANDS,
    CommandRegistry,
    help_message,
    run_command,
    run_text_command,
    unknown_command,
)
from bot.commands.spec import (
    CommandSpec,
    OptionSpec,
    OptionType,
    SubcommandSpec,
    Suggestions,
    command_text,
)

__all__ = [
    "COMMANDS",
    "TOP_DEFAULT",
    "TOP_MAX",
    "TOP_PERIODS",
    "AnswerCache",
    "BotServices",
    "Caller",
    "CommandContext",
    "CommandRegistry",
    "CommandResult",
    "CommandSpec",
    "OptionSpec",
    "OptionType",
    "SubcommandSpec",
    "Suggestions",
    "command_text",
    "help_message",
    "parse_day",
    "resolve_day",
    "run_command",
    "run_text_command",
    "unknown_command",
]
