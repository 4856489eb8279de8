"""HTTP GET with timeouts and retries, shared by the URL-template and Hugging Face sources."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.errors import SourceError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MAX_RETRY_AFTER = 300.0
_RETRY_STATUS = {429, 500, 502, 503, 504}
_GONE_STATUS = {404, 410}


def safe_url(url: str) -> str:
    """The URL without credentials or query string, fit for logs and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return None if value is None else min(MAX_RETRY_AFTER, max(0.0, float(value)))
    except ValueError:
        return None


async def get_with_retries(
    client: httpx.AsyncClient,
    url: str,
    *,
    retries: int,
    backoff: float,
    sleep: Sleep = asyncio.sleep,
) -> httpx.Response | None:
    """GET `url`; None on 404/410; retry 5xx, 429 and network errors; else SourceError."""
    shown = safe_url(url)
    problem = ""
    for attempt in range(retries + 1):
        delay = backoff * 2**attempt
        try:
            response = await client.get(url)
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.TransportError as error:
            problem = f"network error ({error.__class__.__name__})"
        else:
            if response.status_code in _GONE_STATUS:
                return None
            if response.is_success:
                return response
            problem = f"HTTP {response.status_code}"
            if response.status_code not in _RETRY_STATUS:
                raise SourceError(f"{shown}: {problem}; check the URL and its access rights")
            delay = _retry_after(response) or delay
        if attempt < retries:
            log.warning("GET %s: %s; retrying in %.1fs", shown, problem, delay)
            await sleep(delay)
    raise SourceError(f"{shown}: {problem} after {retries + 1} attempts; will try again later")
