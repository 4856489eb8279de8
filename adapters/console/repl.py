"""The console as a chat: type `/paper 2501.04682` or `/top 3`, get what a channel would."""

from __future__ import annotations

import asyncio
from typing import TextIO

from rich.console import Console

from adapters.console.render import render_console
from bot.app.platform import ContextFactory
from bot.command_context import Caller
from bot.commands import run_text_command

PROMPT = "digest> "
GREETING = (
    "Type /paper <arXiv id>, /top [n] [date|week|month], /digest [date], /search <words>, "
    "/help or /quit."
)
# Whoever types at the bot's own terminal runs it: the admin commands are theirs.
OPERATOR = Caller(platform="console", user_id="operator", is_admin=True)


async def command_loop(
    context: ContextFactory,
    lines: TextIO,
    console: Console,
    *,
    interactive: bool = False,
) -> int:
    """Answer commands read from `lines` until /quit or end of input; return how many ran."""
    console.print(GREETING, style="dim", highlight=False, markup=False)
    answered = 0
    while True:
        if interactive:
            console.print(PROMPT, end="", style="bold")
        line = await asyncio.to_thread(lines.readline)
        if not line:
            return answered
        text = line.strip()
        if not text:
            continue
        if text in {"/quit", "/exit"}:
            return answered
        if not text.startswith("/"):
            console.print("Commands start with '/': try /help", style="dim")
            continue
        result = run_text_command(context(OPERATOR), text)
        console.print(render_console(result.message))
        answered += 1
