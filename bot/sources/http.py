"""Digests fetched from a URL template such as `https://example.org/logs/{yyyy}/{mm}/{dd}.md`."""

from __future__ import annotations

import asyncio
import datetime as dt
import string

import httpx

from bot.errors import SourceError
from bot.models import Digest
from bot.parser import parse_digest
from bot.sources.fetching import Sleep, get_with_retries, safe_url

PLACEHOLDERS = ("yyyy", "mm", "dd", "date")


def check_template(template: str) -> None:
    """SourceError unless the template uses only our placeholders, at least one of them."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise SourceError(f"URL template {safe_url(template)}: {error}") from None
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown or not names:
        what = f"unknown placeholder {{{unknown[0]}}}" if unknown else "no date placeholder"
        raise SourceError(f"URL template {safe_url(template)}: {what}; use {allowed}")


class UrlTemplateSource:
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
        check_template(template)
        self.template = template
        self.client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    @property
    def description(self) -> str:
        return f"URL template {safe_url(self.template)}"

    def url_for(self, day: dt.date) -> str:
        return self.template.format(
            yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}", date=day.isoformat()
        )

    async def fetch(self, day: dt.date) -> Digest | None:
        url = self.url_for(day)
        response = await get_with_retries(
            self.client, url, retries=self.retries, backoff=self.backoff, sleep=self.sleep
        )
        if response is None:
            return None
        text = response.content.decode("utf-8", "replace")
        return parse_digest(text, safe_url(url), day=day)

    async def list_days(self) -> list[dt.date] | None:
        return None
