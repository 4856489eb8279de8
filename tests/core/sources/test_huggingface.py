"""The Hugging Face Daily Papers API: our own small payloads plus the shared real sample."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import SourceError
from bot.sources import HuggingFaceSource, digest_from_hf_json
from tests.conftest import PROJECT_ROOT
from tests.fakes.clock import ManualClock
from tests.fakes.digest_server import DAY, Server

SAMPLE = PROJECT_ROOT.parent / "shared" / "corpus" / "hf_api" / "daily_papers_sample.json"

# Written by us in the API's shape; ids, titles, names and vote counts are made up or facts.
FULL_ENTRY: dict[str, Any] = {
    "title": "  Our   Paper\n Title ",
    "thumbnail": "/papers/2501.04682/thumb.png",
    "mediaUrls": ["https://cdn.example.org/figure.png", "https://cdn.example.org/demo.MP4"],
    "paper": {
        "id": "2501.04682v2",
        "title": "The paper's own title",
        "upvotes": 12,
        "authors": [
            {"name": "Ada Lovelace"},
            {"name": "Someone Hidden", "hidden": True},
            {"name": "   "},
            {"_id": "no-name"},
            {"name": " Alan\nTuring "},
        ],
        "summary": "An abstract we wrote,\n  over two lines.",
        "ai_summary": " A short version  we wrote. ",
    },
}
PLAIN_ENTRY: dict[str, Any] = {
    "thumbnail": "https://cdn.example.org/thumb.png",
    "paper": {"id": "2412.00001", "title": "Only The Inner Title", "upvotes": 0, "authors": []},
}


def api_source(server: Server, clock: ManualClock, **options: Any) -> HuggingFaceSource:
    return HuggingFaceSource(client=server.client, sleep=clock.sleep, **options)


async def test_a_day_is_fetched_from_the_api_and_mapped(server: Server, clock: ManualClock) -> None:
    server.will(httpx.Response(200, json=[FULL_ENTRY, PLAIN_ENTRY]))
    digest = await api_source(server, clock).fetch(DAY)
    assert server.urls == ["https://huggingface.co/api/daily_papers?date=2025-01-09"]
    assert digest is not None
    assert digest.date == DAY
    assert digest.source == "https://huggingface.co/api/daily_papers?date=2025-01-09"
    assert digest.warnings == []
    full, plain = digest.papers
    assert (full.arxiv_id, full.arxiv_version, full.url) == (
        "2501.04682",
        2,
        "https://arxiv.org/abs/2501.04682",
    )
    assert full.title == "Our Paper Title"  # the entry's title first, whitespace collapsed
    assert full.votes == 12
    assert full.authors == ["Ada Lovelace", "Alan Turing"]
    assert full.thumbnail_url == "https://huggingface.co/papers/2501.04682/thumb.png"
    assert full.video_url == "https://cdn.example.org/demo.MP4"
    assert [(s.label, s.text) for s in full.sections] == [
        ("TL;DR", "A short version we wrote."),
        ("Abstract", "An abstract we wrote, over two lines."),
    ]
    assert plain.title == "Only The Inner Title"
    assert (plain.votes, plain.authors, plain.sections, plain.video_url) == (0, [], [], None)
    assert plain.thumbnail_url == "https://cdn.example.org/thumb.png"


async def test_an_empty_day_is_none(server: Server, clock: ManualClock) -> None:
    server.will(httpx.Response(200, json=[]))
    assert await api_source(server, clock).fetch(DAY) is None


async def test_a_missing_day_is_none(server: Server, clock: ManualClock) -> None:
    server.will(httpx.Response(404, json={"error": "not found"}))
    assert await api_source(server, clock).fetch(DAY) is None


async def test_outages_are_retried_like_any_url(server: Server, clock: ManualClock) -> None:
    server.will(
        httpx.Response(503, headers={"Retry-After": "3"}),
        httpx.ReadTimeout("no answer"),
        httpx.Response(200, json=[PLAIN_ENTRY]),
    )
    digest = await api_source(server, clock, backoff=0.5).fetch(DAY)
    assert digest is not None
    assert len(server.requests) == 3
    assert clock.slept == [3.0, 1.0]


async def test_giving_up_keeps_secrets_of_the_base_url_out(
    server: Server, clock: ManualClock
) -> None:
    server.will(*[httpx.Response(502)] * 2)
    source = HuggingFaceSource(
        base_url="https://me:hunter2@hf.example.org/",
        client=server.client,
        retries=1,
        sleep=clock.sleep,
    )
    with pytest.raises(SourceError) as info:
        await source.fetch(DAY)
    assert server.urls == ["https://me:hunter2@hf.example.org/api/daily_papers?date=2025-01-09"] * 2
    assert "https://hf.example.org/api/daily_papers" in str(info.value)
    assert "HTTP 502" in str(info.value)
    for text in (str(info.value), source.description):
        assert "hunter2" not in text
        assert "date=" not in text


async def test_an_answer_that_is_not_json_is_a_source_error(
    server: Server, clock: ManualClock
) -> None:
    server.will(httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(SourceError, match="not JSON"):
        await api_source(server, clock).fetch(DAY)


async def test_entries_none_of_which_can_be_read_are_an_error_not_a_quiet_day(
    server: Server, clock: ManualClock
) -> None:
    server.will(httpx.Response(200, json=[{"paper": {}}, {"title": "no paper"}]))
    with pytest.raises(SourceError, match="none of the 2 entries"):
        await api_source(server, clock).fetch(DAY)


def test_a_bad_base_url_is_refused() -> None:
    with pytest.raises(SourceError, match="not an http"):
        HuggingFaceSource(base_url="huggingface.co")


def test_unreadable_entries_are_skipped_with_a_warning_each() -> None:
    data = [
        {"paper": {"title": "no id"}},
        PLAIN_ENTRY,
        "not an object",
        {"paper": {"id": 2501.1}},  # a number would lose digits (2501.10): not trusted
        {"paper": {"id": "not-an-arxiv-id"}},
        {"paper": {"id": "2412.00001", "title": "listed again"}},
        {"paper": []},
    ]
    digest = digest_from_hf_json(data, DAY, source="api")
    assert [p.arxiv_id for p in digest.papers] == ["2412.00001"]
    assert digest.papers[0].title == "Only The Inner Title"
    assert [(w.source, w.line) for w in digest.warnings] == [
        ("api", 1),
        ("api", 3),
        ("api", 4),
        ("api", 5),
        ("api", 6),
        ("api", 7),
    ]
    assert "listed twice" in digest.warnings[4].message


def test_fields_of_the_wrong_type_are_dropped_not_fatal() -> None:
    entry = {
        "title": 42,
        "thumbnail": "javascript:alert(1)",
        "mediaUrls": "https://cdn.example.org/a.mp4",
        "paper": {
            "id": "2501.04682",
            "title": ["no"],
            "upvotes": True,
            "authors": {"name": "Ada"},
            "summary": None,
            "ai_summary": {"text": "x"},
        },
    }
    (paper,) = digest_from_hf_json([entry], DAY, source="api").papers
    assert (paper.title, paper.votes, paper.authors, paper.sections) == ("2501.04682", None, [], [])
    assert (paper.thumbnail_url, paper.video_url) == (None, None)


@pytest.mark.parametrize("payload", [{"error": "rate limited"}, "text", 3, None])
def test_a_payload_that_is_not_a_list_is_a_source_error(payload: object) -> None:
    with pytest.raises(SourceError, match="expected a JSON array of papers"):
        digest_from_hf_json(payload, DAY, source="api")


# The API's own key names, so generated objects look like (broken) entries, not random dicts.
API_KEYS = ["id", "paper", "title", "authors", "name", "hidden", "upvotes", "thumbnail"]
API_KEYS += ["mediaUrls", "summary", "ai_summary"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(API_KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(payload=json_values)
def test_any_json_gives_a_digest_or_a_source_error(payload: object) -> None:
    try:
        digest = digest_from_hf_json(payload, DAY, source="api")
    except SourceError:
        assert not isinstance(payload, list)
    else:
        assert isinstance(payload, list)
        assert len(digest.papers) + len(digest.warnings) == len(payload)


def real_sample() -> list[dict[str, Any]]:
    if not SAMPLE.is_file():
        pytest.skip(f"Hugging Face API sample not found at {SAMPLE}")
    data: list[dict[str, Any]] = json.loads(Path(SAMPLE).read_text(encoding="utf-8"))
    return data


@pytest.mark.corpus
def test_the_real_sample_maps_every_paper() -> None:
    data = real_sample()
    digest = digest_from_hf_json(data, DAY, source="sample")
    assert digest.warnings == []
    assert len(digest.papers) == len(data)
    assert [p.arxiv_id for p in digest.papers] == [e["paper"]["id"] for e in data]
    assert [p.votes for p in digest.papers] == [e["paper"]["upvotes"] for e in data]
    assert [p.title for p in digest.papers] == [" ".join(e["title"].split()) for e in data]
    assert [len(p.authors) for p in digest.papers] == [
        sum(1 for a in e["paper"]["authors"] if not a.get("hidden") and a["name"].strip())
        for e in data
    ]
    for paper, entry in zip(digest.papers, data, strict=True):
        assert paper.url == f"https://arxiv.org/abs/{entry['paper']['id']}"
        assert paper.thumbnail_url is not None
        assert paper.thumbnail_url.startswith("https://")
        expected = ["TL;DR", "Abstract"] if entry["paper"].get("ai_summary") else ["Abstract"]
        assert [s.label for s in paper.sections] == expected
        assert all(not re.search(r"\s{2}|\n", s.text) for s in paper.sections)


@pytest.mark.corpus
async def test_the_real_sample_through_the_api_source(server: Server, clock: ManualClock) -> None:
    data = real_sample()
    server.will(httpx.Response(200, content=SAMPLE.read_bytes()))
    digest = await api_source(server, clock).fetch(DAY)
    assert digest is not None
    assert len(digest.papers) == len(data)
