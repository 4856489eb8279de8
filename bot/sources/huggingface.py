"""The Hugging Face Daily Papers JSON API, mapped onto the same model as the Markdown digests."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urljoin

import httpx

from bot.arxiv import try_parse_arxiv_id
from bot.errors import SourceError
from bot.models import Digest, Paper, ParseWarning, Section
from bot.sources.fetching import Sleep, get_with_retries

HF_BASE_URL = "https://huggingface.co"
_SPACES = re.compile(r"\s+")
_VIDEO = re.compile(r"\.(mp4|webm|mov)(\?|$)", re.IGNORECASE)


def _clean(value: object) -> str:
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else ""


def _paper(entry: dict[str, Any]) -> Paper | None:
    found = entry.get("paper")
    inner: dict[str, Any] = found if isinstance(found, dict) else {}
    reference = try_parse_arxiv_id(str(inner.get("id", "")))
    if reference is None:
        return None
    authors = [
        _clean(a.get("name"))
        for a in inner.get("authors") or []
        if isinstance(a, dict) and not a.get("hidden") and _clean(a.get("name"))
    ]
    sections = []
    if _clean(inner.get("ai_summary")):
        sections.append(Section(label="TL;DR", text=_clean(inner["ai_summary"])))
    summary = _clean(inner.get("summary")) or _clean(entry.get("summary"))
    if summary:
        sections.append(Section(label="Abstract", text=summary))
    thumbnail = entry.get("thumbnail")
    media = [
        m for m in entry.get("mediaUrls") or inner.get("mediaUrls") or [] if isinstance(m, str)
    ]
    votes = inner.get("upvotes")
    return Paper(
        arxiv_id=reference.id,
        title=_clean(entry.get("title")) or _clean(inner.get("title")) or reference.id,
        url=reference.abs_url,
        votes=votes if isinstance(votes, int) and not isinstance(votes, bool) else None,
        authors=authors,
        thumbnail_url=urljoin(HF_BASE_URL, thumbnail)
        if isinstance(thumbnail, str) and thumbnail
        else None,
        video_url=next((m for m in media if _VIDEO.search(m)), None),
        sections=sections,
    )


def digest_from_hf_json(data: object, day: dt.date, *, source: str) -> Digest:
    """Map an API response (a JSON array of entries) to a Digest; bad entries become warnings."""
    if not isinstance(data, list):
        raise SourceError(f"{source}: expected a JSON array of papers, got {type(data).__name__}")
    papers: list[Paper] = []
    warnings: list[ParseWarning] = []
    for index, entry in enumerate(data):
        paper = _paper(entry) if isinstance(entry, dict) else None
        if paper is None:
            warnings.append(
                ParseWarning(
                    source=source, line=index + 1, message="entry without an arXiv id skipped"
                )
            )
        else:
            papers.append(paper)
    return Digest(date=day, papers=papers, source=source, warnings=warnings)


class HuggingFaceSource:
    def __init__(
        self,
        *,
        base_url: str = HF_BASE_URL,
        client: httpx.AsyncClient | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 20.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    @property
    def description(self) -> str:
        return f"Hugging Face Daily Papers API ({self.base_url})"

    async def fetch(self, day: dt.date) -> Digest | None:
        url = f"{self.base_url}/api/daily_papers?date={day.isoformat()}"
        response = await get_with_retries(
            self.client, url, retries=self.retries, backoff=self.backoff, sleep=self.sleep
        )
        if response is None:
            return None
        try:
            data = json.loads(response.content)
        except ValueError:
            raise SourceError(f"{self.description}: the answer for {day} is not JSON") from None
        digest = digest_from_hf_json(data, day, source=f"{self.base_url}/papers?date={day}")
        return digest if digest.papers else None  # an empty list: no papers (yet), e.g. weekends

    async def list_days(self) -> list[dt.date] | None:
        return None
