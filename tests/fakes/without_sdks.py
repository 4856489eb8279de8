"""Running `digest-bot` as a base install would: in a child process where no platform SDK loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

SDKS = ("slack_sdk", "slack_bolt", "discord", "yaml", "aiohttp")


def run_without_sdks(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`digest-bot argv` in a process where the platform SDKs cannot be imported."""
    code = (
        "import sys\n"
        f"for name in {SDKS!r}: sys.modules[name] = None\n"
        "from bot.cli import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter running a fixed program
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        check=False,
    )
