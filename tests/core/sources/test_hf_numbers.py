"""Hugging Face answers with numbers no archive can hold: a warning on that paper, never a
failed day."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from bot.models import MAX_VOTES
from bot.sources import HuggingFaceSource, digest_from_hf_json
from tests.fakes.digest_server import DAY, Server


def entry(arxiv_id: str, upvotes: object) -> dict[str, object]:
    return {"title": f"Paper {arxiv_id}", "paper": {"id": arxiv_id, "upvotes": upvotes}}


@pytest.mark.parametrize(
    ("upvotes", "shown"),
    [(10**30, "10000000000000000000… (31 digits)"), (MAX_VOTES + 1, "2147483648"), (-3, "-3")],
)
def test_out_of_range_upvotes_are_a_warning_on_that_paper(upvotes: int, shown: str) -> None:
    data = [entry("2501.00001", 12), entry("2501.00002", upvotes)]
    digest = digest_from_hf_json(data, DAY, source="api")
    assert [p.votes for p in digest.papers] == [12, None]
    assert [(w.line, w.message) for w in digest.warnings] == [
        (
            2,
            f"paper 2501.00002: vote count {shown} is out of range (0 to {MAX_VOTES}); "
            "kept as unknown",
        )
    ]


async def test_a_huge_number_literal_does_not_fail_the_day(server: Server) -> None:
    body = (
        '[{"title": "Big", "paper": {"id": "2501.00001", "upvotes": 1' + "0" * 5000 + "}},"
        '{"title": "Fine", "paper": {"id": "2501.00002", "upvotes": 8}}]'
    )
    server.will(
        httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})
    )
    source = HuggingFaceSource(base_url="https://hf.test", client=server.client, retries=0)
    digest = await source.fetch(dt.date(2025, 1, 9))
    assert digest is not None
    assert [(p.title, p.votes) for p in digest.papers] == [("Big", None), ("Fine", 8)]
    assert "paper 2501.00001: vote count" in digest.warnings[0].message
    assert "out of range" in digest.warnings[0].message
