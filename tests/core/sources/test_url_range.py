"""Importing a range of days from a URL template: a bad day is named, the others land."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from bot.archive import Archive
from bot.ingest import BREAKER_DAYS, days_between, import_from_source
from bot.sources import UrlTemplateSource
from tests.fakes.clock import ManualClock
from tests.fakes.digest_server import DIGEST, Server

TEMPLATE = "https://example.org/digests/{date}.md"
# The day comes from the URL, so one body serves every day.
UNDATED = DIGEST.replace("## Daily Papers (2025-01-09)\n", "")
FIRST = dt.date(2025, 1, 1)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive.from_url(f"sqlite:///{tmp_path / 'range.sqlite3'}")


def source(server: Server, clock: ManualClock, retries: int = 0) -> UrlTemplateSource:
    return UrlTemplateSource(TEMPLATE, client=server.client, sleep=clock.sleep, retries=retries)


async def test_an_html_or_empty_day_is_named_and_the_other_days_land(
    archive: Archive, server: Server, clock: ManualClock
) -> None:
    server.will(
        httpx.Response(200, text=UNDATED),
        httpx.Response(200, html="<!DOCTYPE html><html><body>Sign in</body></html>"),
        httpx.Response(200, text=""),
        httpx.Response(200, text=" \n\ufeff\n"),
        httpx.Response(200, text="<html>error</html>", headers={"Content-Type": "text/plain"}),
        httpx.Response(200, text=UNDATED),
    )
    days = days_between(FIRST, FIRST + dt.timedelta(days=5))
    report = await import_from_source(archive, source(server, clock), days)
    assert archive.dates() == [days[0], days[5]]
    assert report.failed == [
        "2025-01-02: https://example.org/digests/2025-01-02.md: not a digest (HTML): the server "
        "sent a web page, e.g. a login or error page",
        "2025-01-03: https://example.org/digests/2025-01-03.md: empty: the server answered 200 "
        "with no text",
        "2025-01-04: https://example.org/digests/2025-01-04.md: empty: the server answered 200 "
        "with no text",
        "2025-01-05: https://example.org/digests/2025-01-05.md: not a digest (HTML): the server "
        "sent a web page, e.g. a login or error page",
    ]


async def test_a_page_with_text_but_no_digest_is_named_too(
    archive: Archive, server: Server, clock: ManualClock
) -> None:
    server.will(httpx.Response(200, text="just some notes\n"), httpx.Response(200, text=UNDATED))
    report = await import_from_source(
        archive, source(server, clock), days_between(FIRST, FIRST + dt.timedelta(days=1))
    )
    assert archive.dates() == [FIRST + dt.timedelta(days=1)]
    assert len(report.failed) == 1
    assert report.failed[0].startswith("2025-01-01: https://example.org/digests/2025-01-01.md")


async def test_an_offline_host_stops_the_range_with_one_line_naming_it(
    archive: Archive, server: Server, clock: ManualClock
) -> None:
    server.will(httpx.Response(200, text=UNDATED))
    server.will(*[httpx.ConnectError("connection refused")] * (BREAKER_DAYS * 2))
    days = days_between(FIRST, FIRST + dt.timedelta(days=29))
    report = await import_from_source(archive, source(server, clock, retries=1), days)
    # The day fetched before the outage is kept; each offline day cost its retries, no more.
    assert archive.dates() == [FIRST]
    assert len(server.requests) == 1 + BREAKER_DAYS * 2
    assert report.failed[-1] == (
        f"stopped: example.org did not answer for {BREAKER_DAYS} days in a row; "
        f"{30 - 1 - BREAKER_DAYS} days not fetched (2025-01-05 to 2025-01-30); "
        "import them again once it is back"
    )
    assert len(report.failed) == BREAKER_DAYS + 1
    assert "network error (ConnectError) after 2 attempts" in report.failed[0]


async def test_an_answer_between_outages_resets_the_breaker(
    archive: Archive, server: Server, clock: ManualClock
) -> None:
    down = httpx.ConnectError("connection refused")
    script = [down] * (BREAKER_DAYS - 1) + [httpx.Response(404)] + [down] * (BREAKER_DAYS - 1)
    server.will(*script, httpx.Response(200, text=UNDATED))
    days = days_between(FIRST, FIRST + dt.timedelta(days=len(script)))
    report = await import_from_source(archive, source(server, clock), days)
    assert archive.dates() == [days[-1]]
    assert not any(line.startswith("stopped") for line in report.failed)
    assert len(report.failed) == 2 * (BREAKER_DAYS - 1)
