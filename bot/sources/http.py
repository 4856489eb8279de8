"""Digests fetched from a URL template such as `https://example.org/logs/{yyyy}/{mm}/{dd}.md`."""

from __future__ import annotations

import asyncio
import datetime as dt
import string

import httpx

from bot.errors import DigestParseError, SourceError
from bot.models import Digest
from bot.parser import parse_digest_bytes
from bot.sources.bounded import FetchLimits
from bot.sources.fetching import (
    DEFAULT_LIMITS,
    RetryingClient,
    Sleep,
    check_http_url,
    safe_url,
)

PLACEHOLDERS = ("yyyy", "mm", "dd", "date")
_ALLOWED = ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def check_template(template: str) -> None:
    """SourceError unless `template` is an http(s) URL whose placeholders name exactly one day.

    The one validation of URL templates: the source runs it when built, `check-config` too.
    """
    shown = safe_url(template)
    try:
        fields = [(n, s, c) for _, n, s, c in string.Formatter().parse(template) if n is not None]
    except ValueError as error:  # a lone "{" or "}"
        raise SourceError(f"URL template {shown}: {error}; placeholders are {_ALLOWED}") from None
    names = {name for name, _, _ in fields}
    unknown = sorted(name for name in names if name not in PLACEHOLDERS)
    if unknown:
        shown_names = ", ".join("{" + name + "}" for name in unknown)
        raise SourceError(
            f"URL template {shown}: unknown placeholder {shown_names}; use {_ALLOWED}"
        )
    # A format spec or conversion ({yyyy:>99999999999}, {dd!r}) could build a URL of any size.
    styled = sorted({name for name, spec, conversion in fields if spec or conversion})
    if styled:
        shown_names = ", ".join("{" + name + "}" for name in styled)
        raise SourceError(
            f"URL template {shown}: {shown_names} takes no format spec or conversion; write "
            f"the placeholder bare, one of {_ALLOWED}"
        )
    if "date" not in names and not {"yyyy", "mm", "dd"} <= names:
        what = "no date placeholder" if not names else "placeholders that do not name one day"
        raise SourceError(
            f"URL template {shown}: {what}, so several days would fetch the same file; of "
            f"{_ALLOWED} use {{date}} or all of {{yyyy}}, {{mm}} and {{dd}}, e.g. "
            "https://example.org/digests/{yyyy}/{mm}/{dd}.md"
        )
    check_http_url(fill_template(template, dt.date(2000, 1, 1)), "URL template")


def _not_a_digest(body: bytes, content_type: str) -> str | None:
    """Why an answer with status 200 cannot be a digest, in words an operator recognises."""
    text = body.strip().removeprefix(b"\xef\xbb\xbf").strip()
    if not text:
        return "empty: the server answered 200 with no text"
    start = text[:15].lower()
    if "html" in content_type.lower() or start.startswith((b"<!doctype html", b"<html")):
        return "not a digest (HTML): the server sent a web page, e.g. a login or error page"
    return None


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
        limits: FetchLimits = DEFAULT_LIMITS,
    ) -> None:
        template = template.strip()
        check_template(template)
        self.template = template
        self.http = RetryingClient(
            client, retries=retries, backoff=backoff, timeout=timeout, sleep=sleep, limits=limits
        )

    @property
    def description(self) -> str:
        return f"URL template {safe_url(self.template)}"

    def url_for(self, day: dt.date) -> str:
        return fill_template(self.template, day)

    async def fetch(self, day: dt.date) -> Digest | None:
        """The day's digest; None on 404/410. Raises SourceError, or DigestParseError on a
        body that holds no digest (an empty answer, an HTML error page served with status 200)."""
        url = self.url_for(day)
        response = await self.http.get(url)
        if response is None:
            return None
        problem = _not_a_digest(response.content, response.headers.get("Content-Type", ""))
        if problem is not None:
            raise DigestParseError(problem, source=safe_url(url))
        return parse_digest_bytes(response.content, safe_url(url), day=day)

    async def list_days(self) -> list[dt.date] | None:
        return None

    async def aclose(self) -> None:
        await self.http.aclose()
