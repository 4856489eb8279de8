"""`digest-bot run` with no config is a person at the console: no log lines among the answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_embedded_default_prints_no_log_lines(tmp_path: Path) -> None:
    env = {**os.environ, "DIGEST_BOT_DATA_DIR": str(tmp_path / "data"), "DIGEST_BOT_CONFIG": ""}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="/top 1\n/quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # no digest-bot.toml here
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Top 1" in done.stdout
    assert "bundled 3-day sample" in done.stdout
    assert done.stderr == ""  # e.g. no "INFO bot.app.main: archive: 3 digests" line
