"""Discord bodies: within every embed and message limit, and no digest text can ping anyone."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from adapters.discord.render import NO_MENTIONS, DiscordPayload, render_message, render_post
from bot.formatter import FormatOptions, format_digest, format_notice
from bot.messages import Card, Message, TextSection
from bot.models import Digest, Paper, Section
from bot.parser import parse_file
from tests.adapters.messages_strategies import posts
from tests.conftest import PROJECT_ROOT, corpus_files

SPEC = PROJECT_ROOT.parent / "shared" / "specs" / "discord-api-spec" / "openapi.json"


def embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
    )


def check_limits(payload: DiscordPayload) -> dict[str, Any]:
    body = payload.to_json()
    assert len(body["content"]) <= 2000
    assert len(body["embeds"]) <= 10
    assert body["allowed_mentions"] == {"parse": []}
    assert sum(embed_size(e) for e in body["embeds"]) <= 6000
    for embed in body["embeds"]:
        assert len(embed.get("title", "")) <= 256
        assert len(embed.get("description", "")) <= 4096
        assert len(embed.get("fields", [])) <= 25
        for field in embed.get("fields", []):
            assert 0 < len(field["name"]) <= 256
            assert 0 < len(field["value"]) <= 1024
        assert len(embed.get("footer", {}).get("text", "")) <= 2048
    return body


@cache
def _validator() -> jsonschema.Draft202012Validator | None:
    if not SPEC.is_file():
        return None
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        {**spec, "$ref": "#/components/schemas/MessageCreateRequest"}
    )


def validate_against_spec(body: dict[str, Any]) -> None:
    validator = _validator()
    if validator is None:
        pytest.skip(f"Discord OpenAPI spec not found at {SPEC}")
    validator.validate(body)


HOSTILE = Paper(
    arxiv_id="2501.04682",
    title="@everyone look **here** [click](https://evil.example)",
    url="https://arxiv.org/abs/2501.04682",
    votes=3,
    authors=["@here", "<@123456789012345678>"],
    sections=[Section(label="What's New", text="_under_ <@&456789012345678901> `code` @everyone")],
)


def test_mentions_and_markdown_are_neutralised() -> None:
    post = format_digest(Digest(date=dt.date(2025, 1, 9), papers=[HOSTILE]), FormatOptions())
    bodies = [check_limits(p) for p in render_post(post)]
    flat = json.dumps(bodies, ensure_ascii=False)
    assert "@everyone" not in flat.replace("@\u200beveryone", "")
    assert "@here" not in flat.replace("@\u200bhere", "")
    assert "\\\\*\\\\*here\\\\*\\\\*" in flat  # bold markers shown as typed
    assert "\\\\[click](" in flat  # an escaped "[" is not a masked link
    assert NO_MENTIONS.everyone is False
    assert NO_MENTIONS.users is False
    assert NO_MENTIONS.roles is False


def test_paper_embed_layout() -> None:
    paper = HOSTILE.model_copy(
        update={"title": "A Paper", "thumbnail_url": "https://cdn.example.org/t.png"}
    )
    header, reply = render_post(
        format_digest(Digest(date=dt.date(2025, 1, 9), papers=[paper]), FormatOptions())
    )
    assert "Daily Papers" in header.content
    embed = reply.embeds[0]
    assert (embed.title, embed.url) == ("A Paper", "https://arxiv.org/abs/2501.04682")
    assert embed.thumbnail.url == "https://cdn.example.org/t.png"
    names = [f.name for f in embed.fields]
    assert names[:2] == ["Votes", "Authors"]
    assert "Links" in names


def test_long_sections_continue_in_more_fields() -> None:
    long = " ".join(f"word{n}" for n in range(500))
    card = Card(title="T", sections=[TextSection(label="Details", text=long)])
    body = check_limits(render_message(Message(role="answer", text="t", cards=[card]))[0])
    values = [f["value"] for f in body["embeds"][0]["fields"]]
    assert body["embeds"][0]["fields"][1]["name"] == "Details (cont.)"
    assert "word0" in values[0]
    assert "word499" in values[-1]


def test_more_than_ten_embeds_split_in_order() -> None:
    cards = [Card(title=f"Card {n}", intro="x") for n in range(23)]
    payloads = render_message(Message(role="answer", text="many", cards=cards))
    assert [len(p.embeds) for p in payloads] == [10, 10, 3]
    assert [p.content for p in payloads] == ["many", "(continued)", "(continued)"]
    assert payloads[2].embeds[-1].title == "Card 22"


def test_notice_is_content_only() -> None:
    assert render_message(format_notice("Try /top 3")) == [DiscordPayload(content="Try /top 3")]


def test_sample_bodies_match_the_openapi_schema() -> None:
    post = format_digest(
        parse_file(PROJECT_ROOT / "bot" / "sample_archive" / "2025-01-08.md"), FormatOptions()
    )
    for payload in render_post(post):
        validate_against_spec(check_limits(payload))
    with pytest.raises(jsonschema.ValidationError):  # the schema check itself has teeth
        validate_against_spec({"content": "x", "embeds": [{"title": "t" * 300}]})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(posts())
def test_random_digests_never_exceed_a_limit(post: Any) -> None:
    for payload in render_post(post):
        check_limits(payload)


@pytest.mark.corpus
def test_every_real_digest_renders_within_limits() -> None:
    for number, path in enumerate(corpus_files()):
        for mode in ("thread", "single"):
            post = format_digest(parse_file(path), FormatOptions(mode=mode))  # type: ignore[arg-type]
            for payload in render_post(post):
                body = check_limits(payload)
                if number % 20 == 0:
                    validate_against_spec(body)
