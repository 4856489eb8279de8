"""Slack payloads: valid Block Kit inside every message limit, and no digest text can notify."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from adapters.slack.render import render_message, render_post
from bot.formatter import FormatOptions, format_digest, format_notice
from bot.messages import Card, Message
from bot.models import Digest, Paper, Section
from bot.parser import parse_file
from tests.adapters.messages_strategies import posts
from tests.conftest import PROJECT_ROOT, corpus_files

SCHEMA = (
    PROJECT_ROOT.parent
    / "shared"
    / "specs"
    / "slack-block-kit-schema"
    / "slack-block-kit.schema.json"
)


def texts(value: Any) -> list[str]:
    """Every "text" string inside a payload."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "text" and isinstance(v, str)]
        return found + [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def check_limits(payload: dict[str, Any]) -> None:
    blocks = payload.get("blocks", [])
    assert payload["text"]
    assert len(payload["text"]) <= 40_000
    assert len(blocks) <= 50
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert len(block["text"]["text"]) <= 150
        if kind == "section":
            assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
        if kind == "context":
            assert len(block["elements"]) <= 10
        if kind == "actions":
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                assert len(button["url"]) <= 3000
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(action_ids) == len(set(action_ids))


def schema_validator() -> jsonschema.Draft202012Validator:
    if not SCHEMA.is_file():
        pytest.skip(f"Block Kit schema not found at {SCHEMA}")
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


HOSTILE = Paper(
    arxiv_id="2501.04682",
    title="Ping <!channel> & <@U123> | <https://evil.example|click>",
    url="https://arxiv.org/abs/2501.04682",
    votes=3,
    authors=["<!here>"],
    thumbnail_url="https://huggingface.co/avatars/a.svg",
    sections=[Section(label="What's <New>", text="Already &amp; escaped? <!everyone>")],
)


def test_hostile_text_is_escaped_everywhere() -> None:
    post = format_digest(Digest(date=dt.date(2025, 1, 9), papers=[HOSTILE]), FormatOptions())
    for payload in render_post(post):
        for text in texts(payload):
            # The only "<" left open Slack links we made ourselves: <https://...|label>.
            for opened in re.findall(r"<[^>]*>", text):
                assert opened.startswith("<https://"), opened
            assert "<!" not in text
            assert "<@" not in text
        check_limits(payload)
    reply = json.dumps(render_post(post)[1])
    assert "&amp;amp;" in reply  # "&amp;" in the digest is shown as typed, escaped once more
    assert "&lt;!channel&gt;" in reply


def test_thread_header_and_paper_layout() -> None:
    paper = HOSTILE.model_copy(
        update={
            "title": "A & B",
            "authors": ["Ada"],
            "thumbnail_url": "https://cdn.example.org/t.png",
        }
    )
    header, reply = render_post(
        format_digest(Digest(date=dt.date(2025, 1, 9), papers=[paper]), FormatOptions())
    )
    assert header["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "🤗 Daily Papers — 2025-01-09", "emoji": True},
    }
    assert "Daily Papers" in header["text"]
    first = reply["blocks"][0]
    assert first["text"]["text"] == "*<https://arxiv.org/abs/2501.04682|A &amp; B>*"
    assert first["accessory"]["type"] == "image"
    buttons = [e["url"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [
        "https://arxiv.org/abs/2501.04682",
        "https://arxiv.org/pdf/2501.04682",
        "https://huggingface.co/papers/2501.04682",
    ]


def test_svg_thumbnails_become_links_not_images() -> None:
    reply = render_post(
        format_digest(Digest(date=dt.date(2025, 1, 9), papers=[HOSTILE]), FormatOptions())
    )[1]
    assert "image" not in json.dumps(reply["blocks"]).replace("image_url", "")
    assert any("a.svg|thumbnail" in t for t in texts(reply))


def test_a_message_over_50_blocks_is_split_in_order() -> None:
    cards = [Card(title=f"Card {n}", url="https://example.org", intro="x") for n in range(40)]
    payloads = render_message(Message(role="answer", text="many", cards=cards))
    assert len(payloads) == 2
    assert all(len(p["blocks"]) <= 50 for p in payloads)
    flat = json.dumps(payloads)
    assert flat.index("Card 0") < flat.index("Card 39")
    assert payloads[1]["text"] == "many (continued)"


def test_a_5000_character_bullet_is_split_not_lost() -> None:
    long = " ".join(f"word{n}" for n in range(900))
    message = Message(role="answer", text="t", cards=[Card(title="T", sections=[])])
    card = message.cards[0].model_copy(update={"sections": [Section(label=None, text=long)]})
    payload = render_message(message.model_copy(update={"cards": [card]}))[0]
    check_limits(payload)
    assert "word0 " in json.dumps(payload)
    assert "word899" in json.dumps(payload)


def test_a_notice_is_plain_text() -> None:
    assert render_message(format_notice("Use <this>")) == [{"text": "Use &lt;this&gt;"}]


def test_payloads_validate_against_the_block_kit_schema() -> None:
    validator = schema_validator()
    post = format_digest(
        parse_file(PROJECT_ROOT / "bot" / "sample_archive" / "2025-01-09.md"), FormatOptions()
    )
    for payload in render_post(post):
        validator.validate(payload["blocks"])
        check_limits(payload)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(posts())
def test_random_digests_never_exceed_a_limit(post: Any) -> None:
    payloads = render_post(post)
    for payload in payloads:
        check_limits(payload)
        for text in texts(payload):
            assert "<!" not in text
            assert "<@" not in text


@pytest.mark.corpus
def test_every_real_digest_renders_within_limits() -> None:
    validator = schema_validator()
    for number, path in enumerate(corpus_files()):
        for mode in ("thread", "single"):
            post = format_digest(parse_file(path), FormatOptions(mode=mode))  # type: ignore[arg-type]
            for payload in render_post(post):
                check_limits(payload)
                if number % 20 == 0:  # the schema check is slow; a spread of files suffices
                    validator.validate(payload["blocks"])
