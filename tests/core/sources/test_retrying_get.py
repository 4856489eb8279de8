"""Outage handling shared by both network sources, seen through the URL-template source."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.errors import SourceError
from bot.sources import UrlTemplateSource
from bot.sources.fetching import MAX_DELAY, safe_url
from tests.fakes.clock import ManualClock
from tests.fakes.digest_server import DAY, DIGEST, Server

TEMPLATE = "https://example.org/digests/{date}.md"


def source(server: Server, clock: ManualClock, **options: Any) -> UrlTemplateSource:
    return UrlTemplateSource(TEMPLATE, client=server.client, sleep=clock.sleep, **options)


@pytest.mark.parametrize("status", [404, 410])
async def test_missing_day_is_none_after_one_request(
    server: Server, clock: ManualClock, status: int
) -> None:
    server.will(httpx.Response(status))
    assert await source(server, clock).fetch(DAY) is None
    assert len(server.requests) == 1
    assert clock.slept == []


async def test_server_errors_and_network_errors_are_retried_with_doubling_waits(
    server: Server, clock: ManualClock
) -> None:
    server.will(
        httpx.Response(502),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("no answer"),
        httpx.Response(500),
        httpx.Response(200, text=DIGEST),
    )
    digest = await source(server, clock, backoff=0.5).fetch(DAY)
    assert digest is not None
    assert [p.arxiv_id for p in digest.papers] == ["2501.04682"]
    assert len(server.requests) == 5
    assert clock.slept == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds_are_honoured(
    server: Server, clock: ManualClock, status: int
) -> None:
    server.will(
        httpx.Response(status, headers={"Retry-After": "7"}), httpx.Response(200, text=DIGEST)
    )
    assert await source(server, clock).fetch(DAY) is not None
    assert clock.slept == [7.0]


async def test_retry_after_as_a_date_is_read_against_the_servers_clock(
    server: Server, clock: ManualClock
) -> None:
    headers = {
        "Date": "Thu, 09 Jan 2025 08:00:00 GMT",
        "Retry-After": "Thu, 09 Jan 2025 08:00:30 GMT",
    }
    server.will(httpx.Response(503, headers=headers), httpx.Response(200, text=DIGEST))
    assert await source(server, clock).fetch(DAY) is not None
    assert clock.slept == [30.0]


async def test_long_retry_after_and_long_backoff_are_capped(
    server: Server, clock: ManualClock
) -> None:
    server.will(
        httpx.Response(429, headers={"Retry-After": "86400"}),
        *[httpx.Response(500)] * 9,
        httpx.Response(200, text=DIGEST),
    )
    assert await source(server, clock, retries=10, backoff=1.0).fetch(DAY) is not None
    assert clock.slept[0] == MAX_DELAY
    assert clock.slept[1:5] == [2.0, 4.0, 8.0, 16.0]
    assert max(clock.slept) == MAX_DELAY
    assert len(clock.slept) == 10


@pytest.mark.parametrize("header", ["soon", "nan", ""])
async def test_unreadable_retry_after_falls_back_to_backoff(
    server: Server, clock: ManualClock, header: str
) -> None:
    server.will(
        httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200, text=DIGEST)
    )
    assert await source(server, clock, backoff=0.25).fetch(DAY) is not None
    assert clock.slept == [0.25]


async def test_retry_after_on_a_plain_500_is_not_trusted(
    server: Server, clock: ManualClock
) -> None:
    server.will(
        httpx.Response(500, headers={"Retry-After": "40"}), httpx.Response(200, text=DIGEST)
    )
    assert await source(server, clock, backoff=0.5).fetch(DAY) is not None
    assert clock.slept == [0.5]


async def test_giving_up_names_the_url_and_status_but_no_secrets(
    server: Server, clock: ManualClock
) -> None:
    server.will(*[httpx.Response(503)] * 3)
    secret = UrlTemplateSource(
        "https://digest-user:hunter2@example.org/{date}.md?token=s3cret#frag",
        client=server.client,
        retries=2,
        sleep=clock.sleep,
    )
    with pytest.raises(SourceError) as info:
        await secret.fetch(DAY)
    message = str(info.value)
    assert "https://example.org/2025-01-09.md" in message
    assert "HTTP 503 after 3 attempts" in message
    for leaked in ("hunter2", "digest-user", "s3cret", "token", "frag"):
        assert leaked not in message
        assert leaked not in secret.description
    assert len(server.requests) == 3
    assert len(clock.slept) == 2
    # The credentials and the query string are still used for the request itself.
    assert server.requests[0].url.params["token"] == "s3cret"
    assert server.requests[0].headers["Authorization"].startswith("Basic ")


async def test_timeouts_exhaust_into_a_source_error(server: Server, clock: ManualClock) -> None:
    server.will(*[httpx.ReadTimeout("no answer")] * 3)
    with pytest.raises(SourceError, match=r"no answer within 3s after 3 attempts"):
        await source(server, clock, retries=2, timeout=3.0).fetch(DAY)
    assert len(server.requests) == 3


async def test_the_timeout_applies_to_an_injected_client_too(
    server: Server, clock: ManualClock
) -> None:
    server.will(httpx.Response(200, text=DIGEST))
    await source(server, clock, timeout=3.0).fetch(DAY)
    assert server.requests[0].extensions["timeout"]["read"] == 3.0


@pytest.mark.parametrize("status", [400, 401, 403, 418])
async def test_other_client_errors_fail_at_once(
    server: Server, clock: ManualClock, status: int
) -> None:
    server.will(httpx.Response(status))
    with pytest.raises(SourceError, match=f"HTTP {status}; check the URL"):
        await source(server, clock).fetch(DAY)
    assert len(server.requests) == 1
    assert clock.slept == []


async def test_errors_that_retrying_cannot_fix_fail_at_once(
    server: Server, clock: ManualClock
) -> None:
    server.will(httpx.UnsupportedProtocol("no such scheme"))
    with pytest.raises(SourceError, match="request failed"):
        await source(server, clock).fetch(DAY)
    assert clock.slept == []


async def test_zero_retries_means_one_attempt(server: Server, clock: ManualClock) -> None:
    server.will(httpx.Response(502))
    with pytest.raises(SourceError, match="after 1 attempts"):
        await source(server, clock, retries=0).fetch(DAY)
    assert clock.slept == []


def test_nonsense_retry_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="retries"):
        UrlTemplateSource(TEMPLATE, retries=-1)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@example.org:8443/a/b.md?key=1#x", "https://example.org:8443/a/b.md"),
        ("http://[::1]:8080/x?y=z", "http://[::1]:8080/x"),
        ("https://EXAMPLE.org/Case", "https://example.org/Case"),
        ("https://[broken/x?token=1", "<unreadable URL>"),
    ],
)
def test_safe_url_drops_everything_that_may_be_secret(url: str, shown: str) -> None:
    assert safe_url(url) == shown


async def test_a_client_made_by_the_source_is_closed_a_given_one_is_left_open(
    server: Server,
) -> None:
    own = UrlTemplateSource(TEMPLATE)
    given = UrlTemplateSource(TEMPLATE, client=server.client)
    await own.aclose()
    await given.aclose()
    assert own.http.client.is_closed
    assert not server.client.is_closed
