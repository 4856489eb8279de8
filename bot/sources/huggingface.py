"""The Hugging Face Daily Papers JSON API, mapped onto the same model as the Markdown digests."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Mapping
from urllib.parse import urljoin

import httpx

from bot.arxiv import try_parse_arxiv_id
from bot.errors import SourceError
from bot.models import (
    Digest,
    Paper,
    ParseWarning,
    Section,
    out_of_range_votes,
    votes_in_range,
)
from bot.sources.bounded import FetchLimits
from bot.sources.fetching import (
    DEFAULT_LIMITS,
    RetryingClient,
    Sleep,
    check_http_url,
    safe_url,
)

HF_BASE_URL = "https://huggingface.co"
_SPACES = re.compile(r"\s+")
_VIDEO = re.compile(r"\.(mp4|webm)(?:[?#]|$)", re.IGNORECASE)


def _clean(value: object) -> str:
    """Text with runs of whitespace collapsed; "" for anything that is not a string."""
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else ""


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _web_url(value: object) -> str | None:
    """An absolute http(s) URL; site-relative paths are joined to huggingface.co."""
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(HF_BASE_URL + "/", value.strip())
    return url if url.startswith(("https://", "http://")) else None


def _authors(paper: Mapping[str, object]) -> list[str]:
    names = []
    for author in _items(paper.get("authors")):
        fields = _mapping(author)
        name = _clean(fields.get("name"))
        if name and fields.get("hidden") is not True:
            names.append(name)
    return names


def _sections(entry: Mapping[str, object], paper: Mapping[str, object]) -> list[Section]:
    sections = []
    if tldr := _clean(paper.get("ai_summary")):
        sections.append(Section(label="TL;DR", text=tldr))
    if abstract := _clean(paper.get("summary")) or _clean(entry.get("summary")):
        sections.append(Section(label="Abstract", text=abstract))
    return sections


def _video(entry: Mapping[str, object], paper: Mapping[str, object]) -> str | None:
    for media in _items(entry.get("mediaUrls")) + _items(paper.get("mediaUrls")):
        url = _web_url(media)
        if url is not None and _VIDEO.search(url):
            return url
    return None


def _count(value: object) -> int | None:
    # bool is an int in Python, but `true` upvotes would be a broken payload, not one vote.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _votes(value: object) -> int | None:
    """The upvotes, None when missing, not a whole number or out of range (see `_votes_warning`)."""
    count = _count(value)
    return count if count is not None and votes_in_range(count) else None


def _votes_warning(entry: Mapping[str, object]) -> str | None:
    count = _count(_mapping(entry.get("paper")).get("upvotes"))
    return None if count is None or votes_in_range(count) else out_of_range_votes(count)


def json_int(text: str) -> int:
    """A JSON integer literal as `json.loads` calls it: past 40 digits, a number as far out of
    range (Python refuses int() past 4300 digits, which failed the whole day's answer)."""
    return int(text if len(text) <= 40 else text[:41])


def _paper(entry: Mapping[str, object]) -> Paper | str:
    """The entry as a Paper, or why it was skipped."""
    paper = _mapping(entry.get("paper"))
    raw_id = paper.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        return "entry without a paper id skipped"
    reference = try_parse_arxiv_id(raw_id)
    if reference is None:
        return f"paper id {raw_id[:40]!r} is not an arXiv id; entry skipped"
    return Paper(
        arxiv_id=reference.id,
        arxiv_version=reference.version,
        title=_clean(entry.get("title")) or _clean(paper.get("title")) or reference.id,
        url=reference.abs_url,
        votes=_votes(paper.get("upvotes")),
        authors=_authors(paper),
        thumbnail_url=_web_url(entry.get("thumbnail")),
        video_url=_video(entry, paper),
        sections=_sections(entry, paper),
    )


def digest_from_hf_json(data: object, day: dt.date, *, source: str) -> Digest:
    """Map an API response (a JSON array of entries) to a Digest, in the API's order.

    Entries that cannot be read (no id, not an object, a repeated id) are skipped with a
    `ParseWarning` whose `line` is the entry's position (1-based). Raises only `SourceError`,
    when the payload is not an array at all.
    """
    if not isinstance(data, list):
        raise SourceError(
            f"{source}: expected a JSON array of papers, got a JSON {_json_kind(data)}"
        )
    papers: list[Paper] = []
    warnings: list[ParseWarning] = []
    seen: set[str] = set()
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, Mapping):
            result: Paper | str = f"entry is a JSON {_json_kind(entry)}, not an object; skipped"
        else:
            result = _paper(entry)
        if isinstance(result, Paper) and result.arxiv_id in seen:
            result = f"paper {result.arxiv_id} is listed twice; keeping the first"
        if isinstance(result, str):
            warnings.append(ParseWarning(source=source, line=number, message=result))
        else:
            seen.add(result.arxiv_id or "")
            papers.append(result)
            if isinstance(entry, Mapping) and (problem := _votes_warning(entry)):
                message = f"paper {result.arxiv_id}: {problem}"
                warnings.append(ParseWarning(source=source, line=number, message=message))
    return Digest(date=day, papers=papers, source=source, warnings=warnings)


def _json_kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or value is None:
        return "literal"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else type(value).__name__


class HuggingFaceSource:
    """`GET {base_url}/api/daily_papers?date=YYYY-MM-DD`; an empty day (weekends) is None."""

    live = True  # the day's list grows until the next morning (UTC) and votes keep coming

    def __init__(
        self,
        *,
        base_url: str = HF_BASE_URL,
        client: httpx.AsyncClient | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 20.0,
        sleep: Sleep = asyncio.sleep,
        limits: FetchLimits = DEFAULT_LIMITS,
    ) -> None:
        check_http_url(base_url, "Hugging Face base URL")
        self.base_url = base_url.strip().rstrip("/")
        self.http = RetryingClient(
            client, retries=retries, backoff=backoff, timeout=timeout, sleep=sleep, limits=limits
        )

    @property
    def description(self) -> str:
        return f"Hugging Face Daily Papers API ({safe_url(self.base_url)})"

    def url_for(self, day: dt.date) -> str:
        return f"{self.base_url}/api/daily_papers?date={day.isoformat()}"

    def recent_days(self, now: dt.datetime) -> list[dt.date]:
        """What to import when no day is given: yesterday's list (closed by now or soon) and
        today's (still growing), by the API's own days, which are UTC."""
        today = now.astimezone(dt.UTC).date()
        return [today - dt.timedelta(days=1), today]

    async def fetch(self, day: dt.date) -> Digest | None:
        response = await self.http.get(self.url_for(day))
        if response is None:
            return None
        try:
            data = json.loads(response.content, parse_int=json_int)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
            raise SourceError(
                f"{self.description}: the answer for {day} is not JSON "
                f"(content type {response.headers.get('Content-Type', 'unknown')!r})"
            ) from None
        # Our own query on a credential-free base: it says exactly where the digest came from.
        source = f"{safe_url(self.base_url)}/api/daily_papers?date={day.isoformat()}"
        digest = digest_from_hf_json(data, day, source=source)
        if digest.papers:
            return digest
        if digest.warnings:  # entries came, none readable: the API changed, not a quiet day
            raise SourceError(
                f"{self.description}: none of the {len(digest.warnings)} entries for {day} "
                f"could be read (first: {digest.warnings[0].message})"
            )
        return None  # an empty list: no papers (yet), e.g. weekends

    async def list_days(self) -> list[dt.date] | None:
        return None

    async def aclose(self) -> None:
        await self.http.aclose()
