"""The console as a chat: type `/paper 2501.04682` or `/top 3`, get what a channel would."""

from __future__ import annotations

import asyncio
import contextlib

from rich.console import Console

from adapters.console.lines import ReadLine
from adapters.console.render import render_console
from bot.adapter_contract import ContextFactory
from bot.commands import COMMANDS, Caller, CommandRegistry, run_text_command
from bot.messages import Message


def greeting(commands: CommandRegistry = COMMANDS) -> str:
    """The first line at the console: the commands there are, from the registry."""
    names = ", ".join(f"/{name}" for name in commands)
    return f"Type {names}, /help [command] or /quit."


GREETING = greeting()
QUIT_WORDS = frozenset({"/quit", "/exit"})
# The console's own command, added to the core's help where only the console has it.
QUIT_USAGE = "/quit — leave the console (or Ctrl-D)"
# Whoever types at the bot's own terminal runs it: the admin commands are theirs.
OPERATOR = Caller(platform="console", user_id="operator", is_admin=True)


async def command_loop(
    context: ContextFactory,
    read_line: ReadLine,
    console: Console,
    *,
    stop: asyncio.Event | None = None,
    commands: CommandRegistry = COMMANDS,
) -> int:
    """Answer typed commands until /quit, end of input, Ctrl-C or `stop`; return how many ran."""
    console.print(greeting(commands), style="dim", highlight=False, markup=False)
    answered = 0
    while True:
        try:
            line = await _next_line(read_line, stop)
        except (EOFError, _Interrupted):  # Ctrl-D or Ctrl-C: the prompt has ended its line
            return answered
        if line is None:
            return answered
        text = line.strip()
        if not text:
            continue
        if text.split()[0].lower() in QUIT_WORDS:
            return answered
        if not text.startswith("/"):
            console.print("Commands start with '/': try /help", style="dim", markup=False)
            continue
        result = run_text_command(context(OPERATOR), text, commands)
        console.print(render_console(_with_quit(text, result.message)))
        answered += 1


async def _next_line(read_line: ReadLine, stop: asyncio.Event | None) -> str | None:
    """The next line; None once the input runs out or the bot stops (Ctrl-D/Ctrl-C raise)."""
    reading = asyncio.ensure_future(_read(read_line))
    if stop is not None:
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, EOFError, _Interrupted):
                await reading  # the prompt puts the terminal back before the bot goes on
            return None
    return await reading


class _Interrupted(Exception):
    """Ctrl-C at the prompt, carried out of the reading task as an ordinary exception."""


async def _read(read_line: ReadLine) -> str | None:
    # A KeyboardInterrupt escaping an asyncio task ends the whole event loop with a traceback.
    try:
        return await read_line()
    except KeyboardInterrupt:
        raise _Interrupted from None


def _with_quit(typed: str, message: Message) -> Message:
    """`/help` at the console also lists /quit, which no chat platform has."""
    if typed.split()[0].lower() != "/help" or len(typed.split()) > 1:
        return message
    return message.model_copy(update={"text": f"{message.text}\n{QUIT_USAGE}"})
