"""HTTP GET with timeouts and retries, shared by the URL-template and Hugging Face sources.

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

from bot.errors import SourceError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# A server may ask for hours; a daily bot would rather give up and try again on its next run.
MAX_DELAY = 60.0
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_RETRY_AFTER_STATUS = frozenset({429, 503})
_GONE_STATUS = frozenset({404, 410})


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


async def fetch_with_retries(
    client: httpx.AsyncClient,
    url: str,
    *,
    retries: int,
    backoff: float,
    request_timeout: float,
    sleep: Sleep = asyncio.sleep,
) -> httpx.Response | None:
    """GET `url`: None on 404/410; retry 5xx, 429 and network errors; else SourceError.

    `request_timeout` bounds each attempt; `retries` is the number of attempts after the first.
    The waits are `backoff`, 2x, 4x, ... (at most `MAX_DELAY`), or the server's `Retry-After` on
    429/503 (also capped).
    """
    shown = safe_url(url)
    problem = "not attempted"
    for attempt in range(retries + 1):
        delay = backoff * 2**attempt
        try:
            response = await client.get(url, timeout=request_timeout)
        except httpx.TimeoutException:
            problem = f"no answer within {request_timeout:g}s"
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            problem = f"network error ({type(error).__name__})"
        except (httpx.RequestError, httpx.InvalidURL) as error:
            # Unsupported scheme, too many redirects, ...: retrying cannot help.
            raise SourceError(f"{shown}: request failed ({type(error).__name__})") from None
        else:
            status = response.status_code
            if status in _GONE_STATUS:
                return None
            if response.is_success:
                return response
            problem = f"HTTP {status}"
            if status not in _RETRY_STATUS:
                raise SourceError(f"{shown}: HTTP {status}; check the URL and its access rights")
            if status in _RETRY_AFTER_STATUS:
                asked = retry_after(response)
                delay = delay if asked is None else asked
        if attempt < retries:
            delay = min(delay, MAX_DELAY)
            log.warning("GET %s: %s; retrying in %.1fs", shown, problem, delay)
            await sleep(delay)
    raise SourceError(f"{shown}: {problem} after {retries + 1} attempts; will try again later")


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

    async def get(self, url: str) -> httpx.Response | None:
        return await fetch_with_retries(
            self.client,
            url,
            retries=self.retries,
            backoff=self.backoff,
            request_timeout=self.timeout,
            sleep=self.sleep,
        )

    async def aclose(self) -> None:
        """Close the client if this object created it; a client passed in belongs to the caller."""
        if self._owned:
            await self.client.aclose()
