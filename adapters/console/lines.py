"""Where the console's typed lines come from: a prompt with editing and history at a terminal,
plain lines from a pipe or a file.

A reader is an async function returning the next line, or None when a pipe or file has ended. A
person at a terminal ends it with a key instead: the reader raises `EOFError` for Ctrl-D and
`KeyboardInterrupt` for Ctrl-C (the prompt has then moved to a new line, for the shell's prompt).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout

PROMPT = "digest> "
HISTORY_FILE = "console-history"

ReadLine = Callable[[], Awaitable[str | None]]


def plain_reader(stream: TextIO) -> ReadLine:
    """Lines read one by one from a stream, by a daemon thread.

    The thread is a daemon rather than asyncio's executor because a `readline` blocked on a pipe
    or a terminal cannot be interrupted: the executor would keep the process from exiting on
    Ctrl-C until another line came.
    """

    async def read() -> str | None:
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str] = loop.create_future()

        def deliver(result: str | BaseException) -> None:
            if line.done():  # the loop stopped waiting for this line
                return
            if isinstance(result, BaseException):
                line.set_exception(result)
            else:
                line.set_result(result)

        def work() -> None:
            try:
                result: str | BaseException = stream.readline()
            except (OSError, ValueError):  # a closed or broken stream ends the input
                result = ""
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                loop.call_soon_threadsafe(deliver, result)

        threading.Thread(target=work, name="console-input", daemon=True).start()
        text = await line
        if text:
            return text
        if is_terminal(stream):
            raise EOFError  # Ctrl-D typed at a terminal
        return None

    return read


class _KeptHistory(FileHistory):
    """The history file in the data dir; a read-only or full disk only loses the history."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(str(path))

    def load_history_strings(self) -> Iterable[str]:
        try:
            return list(super().load_history_strings())
        except (OSError, UnicodeError):
            return []

    def store_string(self, string: str) -> None:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)  # not there with a PostgreSQL URL
            super().store_string(string)


def prompt_reader(
    history: Path | None,
    *,
    input: Input | None = None,
    output: Output | None = None,
) -> ReadLine:
    """A `digest> ` prompt with line editing and the history kept in `history` (a file)."""
    kept: History = InMemoryHistory() if history is None else _KeptHistory(history)
    session: PromptSession[str] = PromptSession(history=kept, input=input, output=output)

    async def read() -> str | None:
        # Ctrl-C is a key at the prompt (raw mode): prompt_toolkit raises KeyboardInterrupt
        # and leaves the process's own SIGINT handler (the bot's stop) in place.
        with _above_the_prompt() if output is None else contextlib.nullcontext():
            return await session.prompt_async(PROMPT, handle_sigint=False)

    return read


@contextlib.contextmanager
def _above_the_prompt() -> Iterator[None]:
    """Posts and log lines printed while the prompt waits go above it, not through its line.

    `patch_stdout` swaps sys.stdout and sys.stderr; a log handler keeps the stream it was made
    with, so the ones writing to the terminal are pointed at the swapped stream meanwhile.
    """
    terminal = {sys.__stdout__, sys.__stderr__}
    with patch_stdout(raw=True):
        moved: list[tuple[logging.StreamHandler[TextIO], TextIO]] = []
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream in terminal:
                before = handler.setStream(sys.stderr)
                if before is not None:
                    moved.append((handler, before))
        try:
            yield
        finally:
            for handler, stream in moved:
                handler.setStream(stream)


def reader_for(stdin: TextIO, stdout: IO[str], data_dir: Path) -> ReadLine:
    """The prompt when both ends are a terminal; plain lines otherwise (pipes, files, tests)."""
    if is_terminal(stdin) and is_terminal(stdout):
        return prompt_reader(data_dir / HISTORY_FILE)
    return plain_reader(stdin)


def is_terminal(stream: IO[str]) -> bool:
    """Whether a person may be typing at (or reading) this stream."""
    try:
        return stream.isatty()
    except (OSError, ValueError):  # closed
        return False
