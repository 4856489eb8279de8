"""`digest-bot import` and `run` as a user meets them: nothing they imported is ever lost."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from bot.app.main import build_app
from bot.cli import main
from config import BotSettings
from tests.fakes.bot_process import run_digest_bot

# The sample's own days, so that writing the sample over them would show.
REAL_DAYS = ("2025-01-08", "2025-01-09", "2025-01-10")


def write_digests(folder: Path, days: tuple[str, ...] = REAL_DAYS, papers: int = 12) -> Path:
    """Digests written for these tests: `papers` papers a day, titled 'Real <day> #<n>'."""
    folder.mkdir(parents=True, exist_ok=True)
    for offset, day in enumerate(days):
        lines = [f"## Daily Papers ({day})", ""]
        for n in range(1, papers + 1):
            arxiv = f"2501.{90000 + offset * 100 + n:05d}"
            lines += [f"### [Real {day} #{n}](https://arxiv.org/abs/{arxiv})", f"Vote: {n}"]
            lines += [f"- ***What's New***: words about paper {n} of {day}", ""]
        (folder / f"{day}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIGEST_BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DIGEST_BOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("DIGEST_BOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def top_titles(capsys: pytest.CaptureFixture[str], day: str) -> list[str]:
    assert main(["top", "-n", "25", "--date", day, "--json"]) == 0
    return sorted(p["title"] for p in json.loads(capsys.readouterr().out)["papers"])


def expected_titles(day: str) -> list[str]:
    return sorted(f"Real {day} #{n}" for n in range(1, 13))


def test_run_without_a_config_never_writes_over_the_users_archive(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(write_digests(tmp_path / "mine"))]) == 0
    capsys.readouterr()

    out = io.StringIO()
    app = build_app(BotSettings(data_dir=data_dir), Console(file=out, width=200))
    assert asyncio.run(app.run(io.StringIO("/top 1\n/quit\n"))) == 0
    shown = out.getvalue()
    assert "This is the bundled 3-day sample (2025-01-08 to 2025-01-10)" in shown
    assert "`digest-bot import DIR`" in shown
    assert 'source = "DIR"' in shown

    for day in REAL_DAYS:  # before: the sample's 5/6/7 papers replaced the 12 real ones
        assert top_titles(capsys, day) == expected_titles(day)


def test_import_of_the_sample_refuses_an_archive_holding_real_days(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(write_digests(tmp_path / "mine", days=("2025-01-09",)))]) == 0
    capsys.readouterr()
    assert main(["import"]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("digest-bot: error: the bundled sample is not imported")
    assert err.count("\n") == 1
    assert top_titles(capsys, "2025-01-09") == expected_titles("2025-01-09")


def test_the_sample_can_be_imported_again_into_its_own_archive(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import"]) == 0
    capsys.readouterr()
    assert main(["import", "--json"]) == 0  # an archive of the sample alone takes it again
    assert len(json.loads(capsys.readouterr().out)["unchanged"]) == 3


def test_bad_files_are_one_line_each_and_the_others_land(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_digests(tmp_path / "mine", days=("2025-01-08", "2025-01-10"))
    (folder / "2025-01-09.md").mkdir()
    (folder / "2025-01-11.md").symlink_to(folder / "gone.md")
    (folder / "2025-01-12.md").write_text("just some notes\n", encoding="utf-8")
    code = main(["import", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1  # some files failed, the rest imported: see `digest-bot import --help`
    assert "Traceback" not in out + err
    assert "Imported 24 papers from 5 digests: 2 new" in out
    failed = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert failed == [
        f"failed: {folder / '2025-01-09.md'}: cannot read the file (Is a directory)",
        f"failed: {folder / '2025-01-11.md'}: cannot read the file (No such file or directory)",
        f"failed: {folder / '2025-01-12.md'}: no digest found: expected a '## Daily Papers "
        "(YYYY-MM-DD)' heading followed by '### [title](https://arxiv.org/abs/ID)' paper headings",
    ]
    assert top_titles(capsys, "2025-01-10") == expected_titles("2025-01-10")


async def test_three_imports_at_once_on_a_fresh_data_dir_all_succeed(tmp_path: Path) -> None:
    # Enough days that the imports overlap: before, all but one died of sqlite3.IntegrityError.
    days = tuple(f"2024-{month:02d}-{day:02d}" for month in (1, 2, 3) for day in range(1, 29))
    folder = write_digests(tmp_path / "mine", days=days, papers=40)
    args = ["import", str(folder), "--data-dir", str(tmp_path / "data")]
    results = await asyncio.gather(*(run_digest_bot(args, env={}) for _ in range(3)))
    outputs = "".join(out for _, out in results)
    assert "Traceback" not in outputs
    assert [code for code, _ in results] == [0, 0, 0], outputs
    assert outputs.count("Imported 3360 papers from 84 digests: 84 new") == 1
    # The others found every day imported, whether they waited or started after it was done.
    assert outputs.count("from 84 digests: 0 new, 0 updated, 84 unchanged.") == 2
