"""`digest-bot` as a user types it: parse, import, paper, top, search, with and without --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest import SAMPLE_ARCHIVE_DIR
from tests.conftest import corpus_files


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DIGEST_BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DIGEST_BOT_DATABASE_URL", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_sample_then_paper_and_top(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "import")
    assert code == 0
    assert "Imported 18 papers from 3 digests: 3 new" in out
    assert (data_dir / "digest-bot.sqlite3").is_file()

    code, out, _ = run(capsys, "paper", "2501.04682", "--json")
    paper = json.loads(out)
    assert paper["arxiv_id"] == "2501.04682"
    assert paper["votes"] == 43
    assert paper["appearances"] == ["2025-01-09"]

    code, out, _ = run(capsys, "top", "--json")
    top = json.loads(out)
    assert top["date"] == "2025-01-10"  # the latest digest by default
    assert [p["votes"] for p in top["papers"]] == [39, 24, 16, 11, 8]

    code, out, _ = run(capsys, "top", "-n", "2", "--date", "2025-01-09")
    assert code == 0
    assert "rStar-Math" in out
    assert "▲ 102" in out

    code, out, _ = run(capsys, "search", "chain", "thought", "--json")
    assert "2501.04682" in [p["arxiv_id"] for p in json.loads(out)["papers"]]


def test_reimport_changes_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", str(SAMPLE_ARCHIVE_DIR))
    code, out, _ = run(capsys, "import", str(SAMPLE_ARCHIVE_DIR), "--json")
    report = json.loads(out)
    assert (code, report["added"], len(report["unchanged"])) == (0, [], 3)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("paper", "hello"), "'hello' is not an arXiv id"),
        (("paper", "2501.99999"), "2501.99999 is not in any digest"),
        (("top", "-n", "0"), "-n must be between 1 and 25"),
        (("top", "--date", "2024-12-31"), "No digest for 2024-12-31. The archive has 3 digests"),
        (("top", "--date", "soon"), "'soon' is not a date"),
        (("import", "/nonexistent/folder"), "no such folder of digests"),
        (("import", "https://example.org/{year}.md"), "unknown placeholder {year}"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    run(capsys, "import")
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("digest-bot: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err + out


def test_empty_archive_says_how_to_fill_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "top")
    assert code == 2
    assert "digest-bot import" in err


@pytest.mark.corpus
def test_parse_json_reads_every_paper_of_a_real_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = next(p for p in corpus_files() if p.name == "2025-01-09.md")
    code, out, _ = run(capsys, "parse", str(path), "--json")
    data = json.loads(out)
    headings = path.read_text(encoding="utf-8").count("\n### [")
    assert code == 0
    assert data["date"] == "2025-01-09"
    assert len(data["papers"]) == headings
    assert set(data["papers"][0]) == {
        "arxiv_id",
        "title",
        "url",
        "votes",
        "authors",
        "thumbnail_url",
        "video_url",
        "sections",
    }
