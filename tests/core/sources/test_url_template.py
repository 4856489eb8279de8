"""A digest per day at a URL built from a template; httpx.MockTransport plays the server."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from bot.errors import DigestParseError, SourceError
from bot.sources import UrlTemplateSource
from tests.fakes.clock import ManualClock
from tests.fakes.digest_server import DAY, DIGEST, Server


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("https://example.org/logs/{yyyy}/{mm}/{dd}.md", "https://example.org/logs/2025/01/09.md"),
        ("https://example.org/{date}.md", "https://example.org/2025-01-09.md"),
        ("http://127.0.0.1:8000/d?day={date}", "http://127.0.0.1:8000/d?day=2025-01-09"),
    ],
)
async def test_the_template_is_filled_with_the_day_and_the_body_parsed(
    server: Server, clock: ManualClock, template: str, expected: str
) -> None:
    server.will(httpx.Response(200, text=DIGEST))
    digest = await UrlTemplateSource(template, client=server.client, sleep=clock.sleep).fetch(DAY)
    assert server.urls == [expected]
    assert digest is not None
    assert digest.date == DAY
    assert [(p.arxiv_id, p.title, p.votes) for p in digest.papers] == [
        ("2501.04682", "Our Test Paper", 7)
    ]
    assert digest.source == expected.split("?")[0]


async def test_the_day_comes_from_the_url_when_the_body_has_no_date_heading(
    server: Server, clock: ManualClock
) -> None:
    undated = DIGEST.replace("## Daily Papers (2025-01-09)\n", "")
    server.will(httpx.Response(200, text=undated))
    source = UrlTemplateSource("https://example.org/{date}.md", client=server.client)
    digest = await source.fetch(dt.date(2024, 12, 31))
    assert digest is not None
    assert digest.date == dt.date(2024, 12, 31)


async def test_bad_bytes_are_replaced_and_a_bom_is_dropped(server: Server) -> None:
    body = b"\xef\xbb\xbf" + DIGEST.replace("Our Test Paper", "Caf\xff Paper").encode("latin-1")
    server.will(httpx.Response(200, content=body))
    digest = await UrlTemplateSource("https://example.org/{date}.md", client=server.client).fetch(
        DAY
    )
    assert digest is not None
    assert digest.papers[0].title == "Caf\ufffd Paper"


async def test_a_page_that_is_no_digest_is_a_parse_error(server: Server) -> None:
    server.will(httpx.Response(200, text="<html><body>Welcome!</body></html>"))
    source = UrlTemplateSource("https://example.org/{date}.md", client=server.client)
    with pytest.raises(DigestParseError, match=re.escape("example.org/2025-01-09.md")):
        await source.fetch(DAY)


async def test_it_cannot_list_its_days() -> None:
    assert await UrlTemplateSource("https://example.org/{date}.md").list_days() is None


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("https://example.org/{year}.md", r"unknown placeholder \{year\}"),
        ("https://example.org/{date.year}.md", r"unknown placeholder \{date.year\}"),
        ("https://example.org/{0}.md", r"unknown placeholder \{0\}"),
        ("https://example.org/{}.md", r"unknown placeholder \{\}"),
        ("https://example.org/today.md", "no date placeholder"),
        ("https://example.org/{date.md", "expected '}'"),
        # A format spec could make a URL of any size: this one used to raise MemoryError.
        ("https://example.org/{yyyy:>99999999999}/{mm}/{dd}.md", r"\{yyyy\} takes no format"),
        ("https://example.org/{date!r}.md", r"\{date\} takes no format spec or conversion"),
        ("https://example.org/{yyyy}/{mm}/{dd:{mm}}.md", r"\{dd\} takes no format spec"),
        # A day must be named whole, or every day of a month (or year) fetches one file.
        ("https://example.org/{yyyy}/{mm}.md", "placeholders that do not name one day"),
        ("https://example.org/{yyyy}.md", "placeholders that do not name one day"),
    ],
)
def test_bad_templates_say_what_is_allowed(template: str, problem: str) -> None:
    with pytest.raises(SourceError, match=problem) as info:
        UrlTemplateSource(template)
    assert "{yyyy}, {mm}, {dd}, {date}" in str(info.value)


@pytest.mark.parametrize(
    "template", ["ftp://example.org/{date}.md", "file:///srv/{date}.md", "https:///{date}.md"]
)
def test_templates_must_be_http_urls_with_a_host(template: str) -> None:
    with pytest.raises(SourceError, match="not an http:// or https:// URL"):
        UrlTemplateSource(template)


def test_a_bad_template_message_keeps_secrets_out() -> None:
    with pytest.raises(SourceError) as info:
        UrlTemplateSource("https://me:hunter2@example.org/{year}.md?key=s3cret")
    assert "hunter2" not in str(info.value)
    assert "s3cret" not in str(info.value)
