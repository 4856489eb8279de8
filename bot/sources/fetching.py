"""HTTP GET with timeouts, retries and bounds, shared by the URL-template and Hugging Face sources.

The one retry loop of the package lives here, so both network sources treat outages alike:
404/410 mean "nothing for that day (yet)", 5xx/429/network trouble is retried with exponential
backoff (or the server's `Retry-After`), anything else fails at once with a message naming the URL
without credentials or query string.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.errors import SourceError, SourceUnreachable
from bot.sources.bounded import (
    ACCEPT_ENCODING,
    DeadlinePassed,
    FetchLimits,
    HttpBody,
    read_capped,
)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# A server may ask for hours; a daily bot would rather give up and try again on its next run.
MAX_DELAY = 60.0
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_RETRY_AFTER_STATUS = frozenset({429, 503})
_GONE_STATUS = frozenset({404, 410})
DEFAULT_LIMITS = FetchLimits()


def safe_url(url: str) -> str:
    """The URL without credentials, query string or fragment, fit for logs and messages."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # e.g. an unbalanced "[" in the host: show nothing rather than a secret
        return "<unreadable URL>"
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if port is not None:
        host += f":{port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_http_url(url: str, what: str) -> None:
    """SourceError unless `url` is an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in {"http", "https"} or not host:
        raise SourceError(
            f"{what} {safe_url(url)}: not an http:// or https:// URL with a host name"
        )


def retry_after(response: httpx.Response) -> float | None:
    """The server's `Retry-After` in seconds (a number, or a date read against its `Date`)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    # The HTTP-date form is read against the server's own clock (its `Date` header), so a wrong
    # local clock cannot turn it into a wait of hours, and no clock needs injecting.
    try:
        until = parsedate_to_datetime(value)
        now = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    if until.tzinfo is None or now.tzinfo is None:
        until, now = until.replace(tzinfo=dt.UTC), now.replace(tzinfo=dt.UTC)
    return max(0.0, (until - now).total_seconds())


async def _attempt(
    client: httpx.AsyncClient,
    url: str,
    request_timeout: float,
    limits: FetchLimits,
    ends_at: float,
) -> httpx.Response | HttpBody:
    """One GET: the body of a 2xx read within the limits, else the (unread) response."""
    request = client.build_request(
        "GET", url, timeout=request_timeout, headers={"Accept-Encoding": ACCEPT_ENCODING}
    )
    response = await client.send(request, stream=True)
    try:
        if not response.is_success:
            return response  # the status and headers are all we need of it
        content = await read_capped(response, limits, ends_at, safe_url(url))
        return HttpBody(content=content, headers=response.headers)
    finally:
        await response.aclose()


async def fetch_with_retries(
    client: httpx.AsyncClient,
    url: str,
    *,
    retries: int,
    backoff: float,
    request_timeout: float,
    limits: FetchLimits = DEFAULT_LIMITS,
    sleep: Sleep = asyncio.sleep,
) -> HttpBody | None:
    """GET `url`: None on 404/410; retry 5xx, 429 and network errors; else SourceError.

    `request_timeout` bounds each read; `limits.deadline` bounds the whole (every attempt, body
    and wait) by the wall clock, since a server dripping a byte at a time never trips a read
    timeout. `retries` is the number of attempts after the first. The waits are `backoff`, 2x,
    4x, ... (at most `MAX_DELAY`), or the server's `Retry-After` on 429/503 (also capped).
    SourceUnreachable when the host never answered (connection failures, timeouts).
    """
    shown = safe_url(url)
    host = urlsplit(shown).netloc or shown
    ends_at = limits.clock() + limits.deadline
    past_deadline = f"no complete answer within the {limits.deadline:g}s deadline"
    problem, unreachable = "not attempted", False
    for attempt in range(retries + 1):
        delay = backoff * 2**attempt
        try:
            # The wall-clock guard for a read that blocks; the injected clock is checked between
            # chunks so tests can run the deadline without waiting for it.
            async with asyncio.timeout(max(0.0, ends_at - limits.clock())):
                answer = await _attempt(client, url, request_timeout, limits, ends_at)
        except (TimeoutError, DeadlinePassed):
            message = f"{shown}: {past_deadline}"
            raise SourceUnreachable(message, host=host) from None
        except httpx.TimeoutException:
            problem, unreachable = f"no answer within {request_timeout:g}s", True
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            problem, unreachable = f"network error ({type(error).__name__})", True
        except (httpx.RequestError, httpx.InvalidURL) as error:
            # Unsupported scheme, too many redirects, ...: retrying cannot help.
            raise SourceError(f"{shown}: request failed ({type(error).__name__})") from None
        else:
            if isinstance(answer, HttpBody):
                return answer
            status = answer.status_code
            if status in _GONE_STATUS:
                return None
            problem, unreachable = f"HTTP {status}", False
            if status not in _RETRY_STATUS:
                raise SourceError(f"{shown}: HTTP {status}; check the URL and its access rights")
            if status in _RETRY_AFTER_STATUS:
                asked = retry_after(answer)
                delay = delay if asked is None else asked
        if attempt < retries:
            delay = min(delay, MAX_DELAY)
            if limits.clock() + delay >= ends_at:
                problem += f" ({past_deadline} for another attempt)"
                retries = attempt
                break
            log.warning("GET %s: %s; retrying in %.1fs", shown, problem, delay)
            await sleep(delay)
    message = f"{shown}: {problem} after {retries + 1} attempts"
    if unreachable:
        raise SourceUnreachable(message, host=host)
    raise SourceError(message)


class RetryingClient:
    """An httpx client and one source's retry settings; closes the client only if it made it."""

    def __init__(
        self,
        client: httpx.AsyncClient | None,
        *,
        retries: int,
        backoff: float,
        timeout: float,
        sleep: Sleep,
        limits: FetchLimits,
    ) -> None:
        if retries < 0 or backoff < 0 or timeout <= 0:
            raise ValueError(
                f"retries ({retries}) and backoff ({backoff}) must be >= 0, timeout ({timeout}) > 0"
            )
        self._owned = client is None
        self.client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self.limits = limits

    async def get(self, url: str) -> HttpBody | None:
        return await fetch_with_retries(
            self.client,
            url,
            retries=self.retries,
            backoff=self.backoff,
            request_timeout=self.timeout,
            limits=self.limits,
            sleep=self.sleep,
        )

    async def aclose(self) -> None:
        """Close the client if this object created it; a client passed in belongs to the caller."""
        if self._owned:
            await self.client.aclose()
