"""Running `digest-bot` as a real separate process, as an operator (or a crash) would."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping, Sequence

from tests.fakes.slack_api import FAKE_APP_TOKEN, FAKE_BOT_TOKEN

SLACK_ENV = {"SLACK_BOT_TOKEN": FAKE_BOT_TOKEN, "SLACK_APP_TOKEN": FAKE_APP_TOKEN}


async def run_digest_bot(
    args: Sequence[str],
    *,
    env: Mapping[str, str] = SLACK_ENV,
    kill_after: float | None = None,
) -> tuple[int | None, str]:
    """(exit code, output) of `python -m bot ARGS`; None when SIGKILLed after `kill_after` s."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=kill_after)
    except TimeoutError:
        process.send_signal(signal.SIGKILL)
        await process.wait()
        return None, ""
    return process.returncode, out.decode(errors="replace")
