"""Failures a user causes end in one line naming what to fix (exit 2), never a traceback and
never the database password: the database, the terminal, and the optional extras."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.archive import Archive
from bot.cli import main
from bot.errors import DatabaseUnavailable
from bot.ingest import SAMPLE_ARCHIVE_DIR
from bot.parser import parse_file
from bot.storage import create_database_engine, sqlite_url
from tests.conftest import PROJECT_ROOT
from tests.fakes.without_sdks import run_without_sdks

SAMPLE = SAMPLE_ARCHIVE_DIR / "2025-01-10.md"


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.splitlines()
    assert line.startswith("digest-bot: error: ")
    return line.removeprefix("digest-bot: error: ")


# -- the database -----------------------------------------------------------------------------


def test_an_unreachable_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://bot:hunter2pw@127.0.0.1:1/digest"  # port 1: refused at once
    assert main(["top", "--database-url", url]) == 2
    line = one_error_line(capsys)
    assert line.startswith(
        "cannot connect to the database postgresql+psycopg://bot:***@127.0.0.1:1/digest ("
    )
    assert line.endswith(
        "check the host, port, user and password in database_url, and that the server is running"
    )
    assert "hunter2pw" not in line


@pytest.mark.postgres
def test_a_refused_login_on_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    test_url = os.environ.get("DIGEST_BOT_TEST_PG_URL")
    if not test_url:
        pytest.skip("DIGEST_BOT_TEST_PG_URL is not set")
    from sqlalchemy.engine import make_url

    url = make_url(test_url).set(username="no_such_role", password="hunter2pw")
    assert main(["top", "--database-url", url.render_as_string(hide_password=False)]) == 2
    line = one_error_line(capsys)
    assert line.startswith("cannot connect to the database postgresql+psycopg://no_such_role:***@")
    assert 'role "no_such_role" does not exist' in line
    assert "hunter2pw" not in line


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://bot:hunter2pw@db:notaport/digest",
        "postgresql+psycopg://bot:hunter2pw@w@db:notaport/digest",  # an @ in the password
        "nonsense",
    ],
)
def test_a_malformed_database_url(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["top", "--database-url", url]) == 2
    line = one_error_line(capsys)
    assert line.startswith("database_url: '")
    assert "is not a database URL" in line
    assert "hunter2pw" not in line


def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    engine = create_database_engine(sqlite_url(tmp_path / "digest-bot.sqlite3"))

    # SQLite's answer when its page limit is reached is the one for a full disk.
    @event.listens_for(engine, "connect")
    def _small(connection: object, _record: object) -> None:
        connection.execute("PRAGMA max_page_count=40")  # type: ignore[attr-defined]

    archive = Archive(engine)
    with pytest.raises(DatabaseUnavailable) as info:
        archive.import_digests(
            [parse_file(path) for path in sorted(SAMPLE_ARCHIVE_DIR.glob("2025-*.md"))]
        )
    assert str(info.value) == (
        f"the database {tmp_path / 'digest-bot.sqlite3'} cannot be written, the disk is full: "
        "free some space, or point --data-dir / database_url at another place"
    )


def as_another_user() -> list[str]:
    """A prefix that runs a command as a user who may not write our files (root may)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only folder is writable to root")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def run_cli(
    argv: list[str], cwd: Path, *, as_owner: bool = False
) -> subprocess.CompletedProcess[str]:
    """`digest-bot argv` in its own process, by default as a user who may not write our files."""
    user = [] if as_owner else as_another_user()
    return subprocess.run(  # noqa: S603 - our own interpreter running a fixed program
        [*user, sys.executable, "-m", "bot", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        check=False,
    )


@pytest.fixture
def read_only_data_dir() -> Iterator[Path]:
    """An imported archive in a folder nobody may write (outside pytest's private tmp)."""
    folder = Path(tempfile.mkdtemp(prefix="digest-bot-ro-"))
    folder.chmod(0o755)
    try:
        imported = run_cli(["import", "--data-dir", str(folder)], folder, as_owner=True)
        assert imported.returncode == 0, imported.stderr
        for path in folder.iterdir():
            path.chmod(0o444)
        folder.chmod(0o555)
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize(
    "argv",
    [["top", "-n", "1"], ["paper", "2501.05366"], ["search", "agentic"], ["render", "2025-01-10"]],
)
def test_read_commands_work_on_a_read_only_data_dir(
    argv: list[str], read_only_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    result = run_cli([*argv, "--data-dir", str(read_only_data_dir)], read_only_data_dir)
    assert result.stderr == ""
    assert result.returncode == 0
    assert "Search-o1" in result.stdout


def test_writing_a_read_only_data_dir_is_one_line(read_only_data_dir: Path) -> None:
    new = Path(tempfile.mkdtemp(prefix="digest-bot-new-"))
    try:
        changed = SAMPLE.read_text(encoding="utf-8").replace("Vote: 39", "Vote: 40")
        (new / SAMPLE.name).write_text(changed, encoding="utf-8")
        new.chmod(0o755)
        (new / SAMPLE.name).chmod(0o644)
        argv = ["import", str(new), "--data-dir", str(read_only_data_dir)]
        result = run_cli(argv, read_only_data_dir)
    finally:
        shutil.rmtree(new)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"digest-bot: error: the database {read_only_data_dir / 'digest-bot.sqlite3'} is "
        "read-only: make its folder and file writable by this user, or point --data-dir / "
        "database_url at another place"
    ]


def test_a_data_dir_that_cannot_be_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["import", "--data-dir", str(blocker / "data")]) == 2
    assert one_error_line(capsys).startswith(
        f"data_dir: cannot create the folder {blocker / 'data'}"
    )


# -- the terminal -----------------------------------------------------------------------------

# In a title, markup and controls without brackets (a `[` or `]` would end the Markdown link
# text); in a summary, escape sequences of every kind.
HOSTILE_TITLE = "[/red] [bold]x \x9b31m done\x07"
TITLE_SHOWN = "[/red] [bold]x 31m done"
HOSTILE = (
    "[/red] \x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example\x07here\x1b]8;;\x07 "
    "\x1bPdcs\x1b\\ ok"
)
SHOWN = "[/red] here  ok"


@pytest.fixture
def hostile_digest(tmp_path: Path) -> Path:
    """The sample digest, its first title and summary holding markup and escape sequences."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("### [Search-o1", f"### [{HOSTILE_TITLE} Search-o1", 1)
    text = text.replace("***What's New***: A reasoning", f"***What's New***: {HOSTILE} A reasoning")
    path = tmp_path / "2025-01-10.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["parse", "render"])
def test_digest_text_is_printed_as_text(
    command: str, hostile_digest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, str(hostile_digest)]) == 0
    out = capsys.readouterr().out
    assert TITLE_SHOWN in out  # shown as written, not taken for markup
    if command == "render":  # `parse` shows titles only
        assert SHOWN in out
    assert "pwned" not in out
    assert "evil.example" not in out
    assert not {"\x1b", "\x9b", "\r", "\x07"} & set(out)


def test_printable_keeps_text_and_drops_every_control() -> None:
    from bot.terminal import printable

    assert printable(HOSTILE) == SHOWN
    assert printable("한국어\tand\nlines") == "한국어\tand\nlines"
    assert (
        printable("".join(map(chr, range(32))) + "\x7f" + "".join(map(chr, range(0x80, 0xA0))))
        == "\t\n"
    )


# -- the optional extras ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needs"),
    [
        (["slack", "manifest"], "slack manifest needs the 'slack' extra"),
        (
            ["discord", "invite", "--application-id", "123"],
            "discord invite needs the 'discord' extra",
        ),
        (
            ["render", str(SAMPLE), "--platform", "slack"],
            "render --platform slack needs the 'slack' extra",
        ),
        (
            ["render", str(SAMPLE), "--platform", "discord"],
            "render --platform discord needs the 'discord' extra",
        ),
    ],
)
def test_a_command_needing_a_missing_extra_says_which(
    argv: list[str], needs: str, tmp_path: Path
) -> None:
    result = run_without_sdks(argv, tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    extra = needs.split("'")[1]
    assert line.startswith(f"digest-bot: error: {needs} (")
    assert line.endswith(f"is not installed): pip install 'daily-papers-digest-bot[{extra}]'")
