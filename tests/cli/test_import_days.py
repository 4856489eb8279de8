"""`digest-bot import --since/--until` read days as `top --date` does; huggingface needs none."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from bot.sources import HuggingFaceSource


class _Nothing(BaseHTTPRequestHandler):
    """Every day is missing (404); the paths asked are recorded on the server."""

    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nothing)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_since_and_until_take_yesterday_and_today(
    local_server: ThreadingHTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DIGEST_BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DIGEST_BOT_DATABASE_URL", raising=False)
    template = f"http://127.0.0.1:{local_server.server_address[1]}/{{date}}.md"
    today = dt.date.today()
    code = main(["import", template, "--since", "Yesterday", "--until", "today"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "from 2 digests" in out
    assert local_server.paths == [  # type: ignore[attr-defined]
        f"/{today - dt.timedelta(days=1)}.md",
        f"/{today}.md",
    ]


def test_a_day_that_is_no_day_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["import", "https://example.org/{date}.md", "--since", "last week"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "'last week' is not a date. Use YYYY-MM-DD" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("now", "days"),
    [
        # 01:00 in Seoul is still the day before in UTC: the API's days are UTC.
        (dt.datetime(2025, 1, 10, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), (8, 9)),
        (dt.datetime(2025, 1, 10, 23, 0, tzinfo=dt.UTC), (9, 10)),
    ],
)
def test_huggingface_without_since_imports_yesterday_and_today_utc(
    now: dt.datetime, days: tuple[int, int]
) -> None:
    recent = HuggingFaceSource().recent_days(now)
    assert recent == [dt.date(2025, 1, day) for day in days]
