"""Digests fetched from a URL template such as `https://example.org/logs/{yyyy}/{mm}/{dd}.md`."""

from __future__ import annotations

import asyncio
import datetime as dt
import string

import httpx

from bot.errors import SourceError
from bot.models import Digest
from bot.parser import parse_digest
from bot.sources.fetching import RetryingClient, Sleep, check_http_url, safe_url

PLACEHOLDERS = ("yyyy", "mm", "dd", "date")
_ALLOWED = ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def check_template(template: str) -> None:
    """SourceError unless `template` is an http(s) URL using only our placeholders, at least one."""
    shown = safe_url(template)
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:  # a lone "{" or "}"
        raise SourceError(f"URL template {shown}: {error}; placeholders are {_ALLOWED}") from None
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        shown_names = ", ".join("{" + name + "}" for name in unknown)
        raise SourceError(
            f"URL template {shown}: unknown placeholder {shown_names}; use {_ALLOWED}"
        )
    if not names:
        raise SourceError(
            f"URL template {shown}: no date placeholder, so every day would fetch the same "
            f"file; use {_ALLOWED}, e.g. https://example.org/digests/{{yyyy}}/{{mm}}/{{dd}}.md"
        )
    check_http_url(fill_template(template, dt.date(2000, 1, 1)), "URL template")


def fill_template(template: str, day: dt.date) -> str:
    return template.format(
        yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}", date=day.isoformat()
    )


class UrlTemplateSource:
    """One Markdown digest per day at a URL made from the day; cannot list its days."""

    live = False  # a file, once published, is the day's digest

    def __init__(
        self,
        template: str,
        *,
        client: httpx.AsyncClient | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 20.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        template = template.strip()
        check_template(template)
        self.template = template
        self.http = RetryingClient(
            client, retries=retries, backoff=backoff, timeout=timeout, sleep=sleep
        )

    @property
    def description(self) -> str:
        return f"URL template {safe_url(self.template)}"

    def url_for(self, day: dt.date) -> str:
        return fill_template(self.template, day)

    async def fetch(self, day: dt.date) -> Digest | None:
        """The day's digest; None on 404/410. Raises SourceError, or DigestParseError on a
        body that holds no digest (e.g. an HTML error page served with status 200)."""
        url = self.url_for(day)
        response = await self.http.get(url)
        if response is None:
            return None
        text = response.content.decode("utf-8-sig", errors="replace")
        return parse_digest(text, source=safe_url(url), day=day)

    async def list_days(self) -> list[dt.date] | None:
        return None

    async def aclose(self) -> None:
        await self.http.aclose()
