"""What `import` reports quotes names and digest text written by others: printed as text only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest import SAMPLE_ARCHIVE_DIR


def test_failures_and_warnings_carry_no_escape_sequence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "\x1b]0;PWNED\x07digests\x1b[31m"
    folder.mkdir()
    (folder / "2025-01-09.md").mkdir()  # unreadable: a failure naming the file
    text = (SAMPLE_ARCHIVE_DIR / "2025-01-10.md").read_text()
    # The file name decides the day: a warning quoting the heading's own (hostile) text.
    (folder / "2025-01-11.md").write_text(text.replace("Vote: ", "Vote: 99999999999999999999", 1))
    data = tmp_path / "data"

    code = main(["import", str(folder), "--data-dir", str(data)])

    err = capsys.readouterr().err
    assert code == 1
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "failed: " in err
    assert "digests/2025-01-09.md: cannot read the file" in err
    assert "warning: " in err
