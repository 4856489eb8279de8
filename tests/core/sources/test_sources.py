"""Sources at the network edge: httpx.MockTransport plays the server; nothing leaves the machine."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.errors import SourceError
from bot.sources import (
    DirectorySource,
    HuggingFaceSource,
    UrlTemplateSource,
    digest_from_hf_json,
    iter_digest_files,
    source_from_spec,
)
from tests.conftest import PROJECT_ROOT

DAY = dt.date(2025, 1, 9)
DIGEST = """## Daily Papers (2025-01-09)

### [A Paper](https://arxiv.org/abs/2501.04682)
Vote: 7
Authors: Ada Lovelace
- ***What's New***: something we wrote
"""


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def scripted(
    *responses: httpx.Response | Exception,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    seen: list[str] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


async def test_url_template_fills_the_date_and_parses() -> None:
    handler, seen = scripted(httpx.Response(200, text=DIGEST))
    source = UrlTemplateSource(
        "https://example.org/logs/{yyyy}/{mm}/{dd}.md", client=client(handler)
    )
    digest = await source.fetch(DAY)
    assert seen == ["https://example.org/logs/2025/01/09.md"]
    assert digest is not None
    assert [p.arxiv_id for p in digest.papers] == ["2501.04682"]


async def test_404_means_no_digest_yet() -> None:
    handler, _ = scripted(httpx.Response(404))
    source = UrlTemplateSource("https://example.org/{date}.md", client=client(handler))
    assert await source.fetch(DAY) is None


async def test_5xx_and_network_errors_are_retried_with_backoff() -> None:
    handler, seen = scripted(
        httpx.Response(502),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.Response(200, text=DIGEST),
    )
    sleeps = Sleeps()
    source = UrlTemplateSource(
        "https://example.org/{date}.md", client=client(handler), sleep=sleeps, backoff=0.5
    )
    assert await source.fetch(DAY) is not None
    assert len(seen) == 4
    assert sleeps == [0.5, 1.0, 2.0]


async def test_429_waits_for_retry_after() -> None:
    handler, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text=DIGEST)
    )
    sleeps = Sleeps()
    source = UrlTemplateSource(
        "https://example.org/{date}.md", client=client(handler), sleep=sleeps
    )
    assert await source.fetch(DAY) is not None
    assert sleeps == [7.0]


async def test_giving_up_names_the_url_without_secrets() -> None:
    handler, seen = scripted(*[httpx.Response(503)] * 3)
    source = UrlTemplateSource(
        "https://user:hunter2@example.org/{date}.md?token=s3cret",
        client=client(handler),
        retries=2,
        sleep=Sleeps(),
    )
    with pytest.raises(SourceError) as info:
        await source.fetch(DAY)
    message = str(info.value)
    assert "https://example.org/2025-01-09.md" in message
    assert "HTTP 503 after 3 attempts" in message
    assert "hunter2" not in message
    assert "s3cret" not in message
    assert len(seen) == 3


async def test_other_4xx_fail_at_once() -> None:
    handler, seen = scripted(httpx.Response(403))
    source = UrlTemplateSource(
        "https://example.org/{date}.md", client=client(handler), sleep=Sleeps()
    )
    with pytest.raises(SourceError, match="HTTP 403"):
        await source.fetch(DAY)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("https://example.org/{year}.md", "unknown placeholder {year}"),
        ("https://example.org/x.md", "no date placeholder"),
    ],
)
def test_bad_templates_say_what_is_allowed(template: str, problem: str) -> None:
    with pytest.raises(SourceError, match=problem) as info:
        UrlTemplateSource(template)
    assert "{yyyy}" in str(info.value)


def test_directory_layouts(tmp_path: Path) -> None:
    (tmp_path / "2025-01-09.md").write_text(DIGEST)
    nested = tmp_path / "2025" / "01"
    nested.mkdir(parents=True)
    (nested / "08.md").write_text(DIGEST.replace("2025-01-09", "2025-01-08"))
    (nested / "09.md").write_text("a duplicate day in the nested layout")
    (tmp_path / "notes.md").write_text("not a digest")
    (tmp_path / "2025-02-30.md").write_text("not a day")
    files = iter_digest_files(tmp_path)
    assert [(day.isoformat(), path.name) for day, path in files] == [
        ("2025-01-08", "08.md"),
        ("2025-01-09", "2025-01-09.md"),
    ]


async def test_directory_source_fetches_and_lists(tmp_path: Path) -> None:
    (tmp_path / "2025-01-09.md").write_text(DIGEST)
    source = DirectorySource(tmp_path)
    assert await source.list_days() == [DAY]
    assert await source.fetch(dt.date(2025, 1, 10)) is None
    digest = await source.fetch(DAY)
    assert digest is not None
    assert digest.papers[0].title == "A Paper"
    with pytest.raises(SourceError, match="no such folder"):
        await DirectorySource(tmp_path / "missing").fetch(DAY)


HF_ENTRY = {
    "title": "  Our   Paper ",
    "thumbnail": "/papers/thumb.png",
    "paper": {
        "id": "2501.04682",
        "upvotes": 12,
        "authors": [{"name": "Ada"}, {"name": "Hidden", "hidden": True}, {"name": "Alan"}],
        "summary": "An abstract\nover two lines.",
        "ai_summary": "Short version.",
    },
}


async def test_hugging_face_api_maps_entries() -> None:
    requests: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        return httpx.Response(200, json=[HF_ENTRY, {"paper": {}}])

    digest = await HuggingFaceSource(client=client(handler)).fetch(DAY)
    assert requests == ["https://huggingface.co/api/daily_papers?date=2025-01-09"]
    assert digest is not None
    paper = digest.papers[0]
    assert (paper.arxiv_id, paper.title, paper.votes, paper.authors) == (
        "2501.04682",
        "Our Paper",
        12,
        ["Ada", "Alan"],
    )
    assert paper.thumbnail_url == "https://huggingface.co/papers/thumb.png"
    assert [(s.label, s.text) for s in paper.sections] == [
        ("TL;DR", "Short version."),
        ("Abstract", "An abstract over two lines."),
    ]
    assert len(digest.warnings) == 1  # the entry without an id is reported, not fatal


async def test_hugging_face_empty_day_is_none_and_garbage_is_an_error() -> None:
    empty = HuggingFaceSource(client=client(lambda r: httpx.Response(200, json=[])))
    assert await empty.fetch(DAY) is None
    garbage = HuggingFaceSource(client=client(lambda r: httpx.Response(200, text="<html>")))
    with pytest.raises(SourceError, match="not JSON"):
        await garbage.fetch(DAY)
    with pytest.raises(SourceError, match="expected a JSON array"):
        digest_from_hf_json({"error": "x"}, DAY, source="api")


def test_real_hugging_face_sample_maps_every_paper() -> None:
    path = PROJECT_ROOT.parent / "shared" / "corpus" / "hf_api" / "daily_papers_sample.json"
    if not path.is_file():
        pytest.skip(f"Hugging Face API sample not found at {path}")
    data = json.loads(path.read_text(encoding="utf-8"))
    digest = digest_from_hf_json(data, DAY, source="sample")
    assert [p.arxiv_id for p in digest.papers] == [e["paper"]["id"] for e in data]
    assert [p.votes for p in digest.papers] == [e["paper"]["upvotes"] for e in data]
    assert all(p.title and p.sections for p in digest.papers)


def test_source_from_spec(tmp_path: Path) -> None:
    assert isinstance(source_from_spec("huggingface"), HuggingFaceSource)
    assert isinstance(source_from_spec("https://example.org/{date}.md"), UrlTemplateSource)
    assert isinstance(source_from_spec(str(tmp_path)), DirectorySource)
    with pytest.raises(SourceError, match="needs date placeholders"):
        source_from_spec("https://example.org/today.md")
