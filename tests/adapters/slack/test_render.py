"""Slack payloads: valid Block Kit inside every message limit, and no digest text can notify."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.render import escape_mrkdwn, render_message, render_post
from bot.formatter import FormatOptions, format_digest
from bot.messages import Card, Fact, Image, Link, ListItem, Message, Post, TextSection
from bot.parser import parse_file
from tests.conftest import PROJECT_ROOT, corpus_files
from tests.fakes.messages_strategies import posts

SCHEMA = PROJECT_ROOT.parent / "shared" / "specs" / "slack-block-kit-schema"
SCHEMA_FILE = SCHEMA / "slack-block-kit.schema.json"
SAMPLE = PROJECT_ROOT / "bot" / "sample_archive" / "2025-01-09.md"
ABS = "https://arxiv.org/abs/2501.04682"
PNG = "https://cdn.example.org/thumbs/2501.04682.png"
SVG = "https://huggingface.co/avatars/a.svg"
OUR_LINK = re.compile(r"<https?://[^\s<>|]+\|[^<>|]+>")
SHOWABLE = re.compile(r"^https://[^\s?#]+\.(png|jpe?g|gif)([?#]\S*)?$", re.IGNORECASE)


def text_objects(value: Any) -> Iterator[tuple[str, str]]:
    """(type, text) of every text object inside blocks: "mrkdwn" or "plain_text"."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
            yield value["type"], value["text"]
        for child in value.values():
            yield from text_objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from text_objects(child)


def mrkdwn_of(payloads: list[dict[str, Any]]) -> str:
    """Everything Slack parses as mrkdwn: the fallbacks and every mrkdwn text object."""
    found = [p["text"] for p in payloads]
    found += [
        t for p in payloads for kind, t in text_objects(p.get("blocks", [])) if kind == "mrkdwn"
    ]
    return "\n".join(found)


def plain_of(payloads: list[dict[str, Any]]) -> str:
    kinds = [
        t for p in payloads for kind, t in text_objects(p.get("blocks", [])) if kind == "plain_text"
    ]
    return "\n".join(kinds)


def assert_cannot_notify(mrkdwn: str) -> None:
    """The only `<…>` left are links we built; every `&` starts one of Slack's three escapes."""
    outside_links = OUR_LINK.sub("", mrkdwn)
    assert "<" not in outside_links, outside_links
    assert ">" not in outside_links, outside_links
    assert "&" not in re.sub(r"&(amp|lt|gt);", "", mrkdwn)
    assert "<!" not in mrkdwn
    assert "<@" not in mrkdwn
    assert "<#" not in mrkdwn


def assert_within_limits(payload: dict[str, Any]) -> None:
    """Every Slack limit for one `chat.postMessage`, including those the schema cannot see."""
    assert set(payload) <= {"text", "blocks"}
    assert 0 < len(payload["text"]) <= 40_000
    blocks = payload.get("blocks")
    if blocks is None:
        return
    assert 1 <= len(blocks) <= 50
    for kind, text in text_objects(blocks):
        assert text.strip(), f"empty {kind} text"
        assert len(text) <= 3000
    action_ids: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert len(block["text"]["text"]) <= 150
            assert block["text"]["type"] == "plain_text"
        elif kind == "section":
            assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
            if "accessory" in block:
                assert SHOWABLE.match(block["accessory"]["image_url"])
                assert len(block["accessory"]["image_url"]) <= 3000
                assert 0 < len(block["accessory"]["alt_text"]) <= 2000
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
        elif kind == "image":
            assert SHOWABLE.match(block["image_url"])
            assert len(block["image_url"]) <= 3000
            assert 0 < len(block["alt_text"]) <= 2000
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            for button in block["elements"]:
                assert 0 < len(button["text"]["text"]) <= 75
                assert button["url"].startswith(("https://", "http://"))
                assert len(button["url"]) <= 3000
                action_ids.append(button["action_id"])
        else:
            assert kind == "divider", kind
    assert len(action_ids) == len(set(action_ids))


class BlockKitSchema:
    """The Block Kit schema, applied block by block through each type's own definition.

    Validating against the top-level union makes jsonschema try all 21 block types per block,
    which is ~20x slower; the `type` of a block picks the one definition that applies anyway.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self._defs = schema["$defs"]
        self._by_type: dict[str, jsonschema.Draft202012Validator] = {}

    def _for(self, kind: str) -> jsonschema.Draft202012Validator:
        name = f"{kind}_block" if f"{kind}_block" in self._defs else "block"
        if name not in self._by_type:
            schema = {"$defs": self._defs, "$ref": f"#/$defs/{name}"}
            self._by_type[name] = jsonschema.Draft202012Validator(schema)
        return self._by_type[name]

    def validate(self, blocks: list[dict[str, Any]]) -> None:
        for block in blocks:
            self._for(str(block.get("type"))).validate(block)


@functools.cache
def _validator() -> BlockKitSchema | None:
    if not SCHEMA_FILE.is_file():
        return None
    return BlockKitSchema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def schema_validator() -> BlockKitSchema:
    validator = _validator()
    if validator is None:
        pytest.skip(f"Block Kit schema not found at {SCHEMA_FILE}")
    return validator


def assert_valid(payloads: list[dict[str, Any]], *, schema: bool = True) -> None:
    validator = _validator() if schema else None
    for payload in payloads:
        assert_within_limits(payload)
        if validator is not None and "blocks" in payload:
            validator.validate(payload["blocks"])
    assert_cannot_notify(mrkdwn_of(payloads))


def paper_card(**update: Any) -> Card:
    card = Card(
        title="A & B",
        url=ABS,
        facts=[Fact(name="Votes", value="▲ 43"), Fact(name="Authors", value="Ada, Grace +3 more")],
        sections=[TextSection(label="What's New", text="Models plan before they answer.")],
        image=Image(url=PNG, alt="A & B"),
        links=[
            Link(label="arXiv", url=ABS),
            Link(label="PDF", url="https://arxiv.org/pdf/2501.04682"),
            Link(label="Hugging Face", url="https://huggingface.co/papers/2501.04682"),
        ],
    )
    return card.model_copy(update=update)


def one(card: Card, role: str = "paper") -> dict[str, Any]:
    (payload,) = render_message(Message(role=role, text="fallback", cards=[card]))
    assert_valid([payload])
    return payload


def test_escape_mrkdwn_escapes_the_three_control_characters_once() -> None:
    assert escape_mrkdwn("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"
    assert escape_mrkdwn("&amp;") == "&amp;amp;"  # shown as typed, not as "&"


def test_a_paper_card_reads_title_facts_sections_then_buttons() -> None:
    blocks = one(paper_card())["blocks"]
    assert [b["type"] for b in blocks] == ["section", "context", "section", "actions"]
    assert blocks[0]["text"]["text"] == f"*<{ABS}|A &amp; B>*"
    assert blocks[0]["accessory"] == {"type": "image", "image_url": PNG, "alt_text": "A & B"}
    assert [e["text"] for e in blocks[1]["elements"]] == [
        "*Votes* ▲ 43",
        "*Authors* Ada, Grace +3 more",
    ]
    assert blocks[2]["text"]["text"] == "*What's New*\nModels plan before they answer."
    buttons = blocks[3]["elements"]
    assert [(b["text"]["text"], b["url"]) for b in buttons] == [
        ("arXiv", ABS),
        ("PDF", "https://arxiv.org/pdf/2501.04682"),
        ("Hugging Face", "https://huggingface.co/papers/2501.04682"),
    ]


def test_the_header_card_gets_a_header_block_and_a_ranked_list() -> None:
    header = Card(
        title="🤗 Daily Papers — 2025-01-09 <b>",
        url="https://huggingface.co/papers?date=2025-01-09",
        intro="6 papers",
        items=[ListItem(text="rStar-Math", url=ABS, note="▲ 102"), ListItem(text="No link")],
    )
    payload = one(header, role="header")
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header"
    assert (
        blocks[0]["text"]["text"] == "🤗 Daily Papers — 2025-01-09 <b>"
    )  # plain text: shown as is
    assert blocks[1]["text"]["text"] == "6 papers"
    assert blocks[2]["text"]["text"] == f"1. <{ABS}|rStar-Math>  ▲ 102\n2. No link"


def test_hostile_digest_text_notifies_nobody() -> None:
    hostile = "Ping <!channel> & <@U123> | <https://evil.example|click> &amp; <#C1>"
    card = Card(
        title=hostile,
        url=ABS,
        intro=hostile,
        facts=[Fact(name="<!here>", value=hostile)],
        sections=[TextSection(label="<!everyone>", text=hostile)],
        items=[ListItem(text=hostile, url=ABS, note=hostile)],
        image=Image(url=SVG, alt=hostile),
        links=[Link(label=hostile, url=ABS)],
        footer=hostile,
    )
    for role in ("header", "paper"):
        payloads = render_message(Message(role=role, text=hostile, cards=[card]))
        assert_valid(payloads)
        shown = mrkdwn_of(payloads)
        assert "&lt;!channel&gt;" in shown
        assert "&amp;amp;" in shown  # escaped exactly once
        assert "&amp;amp;amp;" not in shown
    title = one(card)["blocks"][0]["text"]["text"]
    # `|` in a label would end it early and `>` would close the link: both are neutralised.
    assert title.startswith(f"*<{ABS}|Ping &lt;!channel&gt; &amp; &lt;@U123&gt; ¦ &lt;https:")


def test_notices_are_escaped_plain_text() -> None:
    assert render_message(Message(role="notice", text="Use <this> & that")) == [
        {"text": "Use &lt;this&gt; &amp; that"}
    ]


@pytest.mark.parametrize(
    "url",
    [
        SVG,
        "https://cdn.example.org/clip.mp4",
        "http://cdn.example.org/plain-http.png",
        "https://cdn.example.org/" + "x" * 3000 + ".png",
    ],
)
def test_thumbnails_slack_cannot_show_become_links(url: str) -> None:
    payload = one(paper_card(image=Image(url=url, alt="t")))
    assert "image" not in [b["type"] for b in payload["blocks"]]
    assert not any("accessory" in b for b in payload["blocks"])
    if len(url) <= 3000:
        assert f"<{url}|thumbnail>" in mrkdwn_of([payload])


def test_a_relative_thumbnail_is_shown_as_text_not_as_a_broken_link() -> None:
    payload = one(paper_card(image=Image(url="/thumbs/a.svg")))
    assert "thumbnail: /thumbs/a.svg" in mrkdwn_of([payload])


@pytest.mark.parametrize(
    "url", [PNG, "https://cdn.example.org/a.JPEG?w=320&h=200", "https://x.example/b.gif"]
)
def test_png_jpeg_and_gif_thumbnails_are_shown(url: str) -> None:
    assert one(paper_card(image=Image(url=url)))["blocks"][0]["accessory"]["image_url"] == url


def test_a_card_with_a_picture_and_no_text_still_shows_it() -> None:
    blocks = one(Card(title="", image=Image(url=PNG)))["blocks"]
    assert blocks == [{"type": "image", "image_url": PNG, "alt_text": "thumbnail"}]


def test_a_5000_character_bullet_becomes_two_sections_without_losing_a_word() -> None:
    long = " ".join(f"word{n}" for n in range(700))
    assert 5000 < len(long) < 6000
    blocks = one(paper_card(sections=[TextSection(text=long)]))["blocks"]
    bullets = [b["text"]["text"] for b in blocks if b["type"] == "section"][1:]
    assert len(bullets) == 2
    assert " ".join(bullets).split() == ["•", *long.split()]


def test_a_huge_author_list_is_kept_whole_in_sections() -> None:
    authors = ", ".join(f"Author{n}" for n in range(1000))
    payload = one(paper_card(facts=[Fact(name="Authors", value=authors)]))
    shown = mrkdwn_of([payload])
    assert all(f"Author{n}," in shown for n in range(999))
    assert "Author999" in shown


def test_eleven_facts_and_thirty_links_respect_the_element_limits() -> None:
    card = paper_card(
        facts=[Fact(name=f"F{n}", value="v") for n in range(11)],
        links=[Link(label=f"L{n} " + "x" * 100, url=f"{ABS}?n={n}") for n in range(30)],
    )
    blocks = one(card)["blocks"]
    contexts = [len(b["elements"]) for b in blocks if b["type"] == "context"]
    actions = [len(b["elements"]) for b in blocks if b["type"] == "actions"]
    assert contexts == [10, 1]
    assert actions == [25, 5]
    assert all(e["text"]["text"].endswith("…") for b in blocks[-2:] for e in b["elements"])


def test_links_slack_cannot_open_get_no_button() -> None:
    card = paper_card(links=[Link(label="x", url="javascript:alert(1)"), Link(label="y", url="/p")])
    assert "actions" not in [b["type"] for b in one(card)["blocks"]]


def test_over_long_texts_are_cut_at_a_word_with_an_ellipsis() -> None:
    title = "Word " * 100
    header = one(Card(title=title, intro="x"), role="header")["blocks"][0]["text"]["text"]
    assert len(header) <= 150
    assert header.endswith("Word…")
    payload = render_message(Message(role="paper", text="&" * 5000, cards=[paper_card()]))[0]
    assert payload["text"].endswith("…")
    assert len(payload["text"]) <= 3000
    assert_cannot_notify(payload["text"])  # no half "&am" escape before the ellipsis


def test_a_message_over_50_blocks_splits_in_order_with_its_own_fallbacks() -> None:
    cards = [paper_card(title=f"Card {n}") for n in range(30)]
    payloads = render_message(Message(role="answer", text="Top papers", cards=cards))
    assert len(payloads) > 1
    assert_valid(payloads)
    assert [p["text"] for p in payloads[1:]] == ["Top papers (continued)"] * (len(payloads) - 1)
    order = [int(m) for m in re.findall(r"\|Card (\d+)>", json.dumps(payloads))]
    assert order == list(range(30))
    for payload in payloads:  # cards are kept whole; dividers only between them
        assert payload["blocks"][0]["type"] == "section"
        assert payload["blocks"][-1]["type"] == "actions"


def test_a_post_renders_all_its_messages_in_posting_order() -> None:
    post = Post(
        mode="thread",
        messages=[
            Message(role="header", text="Header", cards=[Card(title="Day", intro="2 papers")]),
            Message(role="paper", text="First", cards=[paper_card(title="First")]),
            Message(role="paper", text="Second", cards=[paper_card(title="Second")]),
        ],
    )
    assert [p["text"] for p in render_post(post)] == ["Header", "First", "Second"]


def test_the_sample_digest_validates_against_the_block_kit_schema() -> None:
    validator = schema_validator()
    for mode in ("thread", "single"):
        post = format_digest(parse_file(SAMPLE), FormatOptions(mode=mode))
        payloads = render_post(post)
        for payload in payloads:
            validator.validate(payload["blocks"])
        assert_valid(payloads)


def test_the_schema_catches_what_the_limit_checker_is_for() -> None:
    """Guards the guards: a broken payload fails both checks, so a green run means something."""
    validator = schema_validator()
    broken = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate([broken])
    with pytest.raises(jsonschema.ValidationError):
        validator.validate([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "x": 1}])
    with pytest.raises(AssertionError):
        assert_within_limits({"text": "t", "blocks": [{"type": "divider"}] * 51})
    with pytest.raises(AssertionError):
        assert_cannot_notify("hi <!channel>")


# --- property tests -------------------------------------------------------------------------

HOSTILE = "&<>*_[]|~`@!#:"
words = st.text(
    alphabet=st.sampled_from(HOSTILE) | st.characters(categories=("L", "N")),
    min_size=1,
    max_size=30,
)
URLS = [
    None,
    ABS,
    "https://example.org/a|b?x=1&y=<2>",
    "/relative/path",
    "javascript:alert(1)",
    "https://example.org/" + "y" * 3000,
]
IMAGES = [
    PNG,
    "https://cdn.example.org/a.jpg?w=1&h=2",
    "https://cdn.example.org/a.gif",
    SVG,
    "https://cdn.example.org/v.mp4",
    "http://cdn.example.org/a.png",
    "thumbs/a.png",
    "https://cdn.example.org/" + "z" * 3000 + ".png",
]


@st.composite
def prose(draw: st.DrawFn, big: bool) -> str:
    """Up to ~5,500 characters: drawn words repeated with numbers, so each word is unique."""
    base = draw(st.lists(words, min_size=1, max_size=6))
    count = draw(st.integers(1, 700 if big else 8))
    return " ".join(f"{base[n % len(base)]}{n}" for n in range(count))


@st.composite
def cards(draw: st.DrawFn) -> Card:
    big = draw(st.booleans())
    authors = draw(st.integers(1, 2500 if big else 5))
    return Card(
        title=draw(st.lists(words, min_size=1, max_size=12).map(" ".join)),
        url=draw(st.sampled_from(URLS)),
        intro=draw(st.none() | prose(False)),
        facts=[
            Fact(name="Votes", value=f"▲ {draw(st.integers(0, 9999))}"),
            Fact(name="Authors", value=", ".join(f"Author{n}" for n in range(authors))),
            *[Fact(name=name, value=name) for name in draw(st.lists(words, max_size=12))],
        ],
        sections=[
            TextSection(label=draw(st.none() | words), text=draw(prose(big)))
            for _ in range(draw(st.integers(0, 4)))
        ],
        items=[
            ListItem(text=text, url=draw(st.sampled_from(URLS)), note=draw(st.none() | words))
            for text in draw(st.lists(words, max_size=12))
        ],
        image=draw(st.none() | st.sampled_from(IMAGES).map(lambda url: Image(url=url))),
        links=[
            Link(label=label, url=draw(st.sampled_from([u for u in URLS if u]) | st.just(ABS)))
            for label in draw(st.lists(words, max_size=30))
        ],
        footer=draw(st.none() | words),
    )


@st.composite
def messages(draw: st.DrawFn) -> Message:
    """Up to 60 cards, made from a few drawn ones so that big messages stay cheap to generate."""
    base = draw(st.lists(cards(), min_size=1, max_size=4))
    count = draw(st.integers(1, 60))
    numbered = [
        base[n % len(base)].model_copy(update={"title": f"{base[n % len(base)].title} #{n}"})
        for n in range(count)
    ]
    role = draw(st.sampled_from(["header", "paper", "answer"]))
    return Message(role=role, text=draw(st.just("") | words), cards=numbered)


def assert_kept(card: Card, mrkdwn: str, plain: str) -> None:
    """Card title, section words and author names all reach the reader."""
    title = card.title.strip()
    assert escape_mrkdwn(title)[:20].replace("|", "¦") in mrkdwn or title[:20] in plain, title
    for section in card.sections:
        for word in section.text.split():
            assert escape_mrkdwn(word) in mrkdwn
    authors = card.facts[1].value.split(", ")
    assert all(f"{name}," in mrkdwn for name in authors[:-1])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(messages())
def test_random_messages_stay_within_every_limit_and_lose_no_text(message: Message) -> None:
    payloads = render_message(message)
    assert_valid(payloads)
    mrkdwn, plain = mrkdwn_of(payloads), plain_of(payloads)
    for card in message.cards:
        assert_kept(card, mrkdwn, plain)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(posts())
def test_random_formatted_digests_stay_within_every_limit(post: Post) -> None:
    assert_valid(render_post(post))


@pytest.mark.corpus
def test_every_real_digest_renders_within_limits() -> None:
    files = corpus_files()
    for number, path in enumerate(files):
        digest = parse_file(path)
        for mode in ("thread", "single"):
            post = format_digest(digest, FormatOptions(mode=mode))
            payloads = render_post(post)
            # The schema check is the slow part; a spread of files covers every layout.
            assert_valid(payloads, schema=number % 4 == 0)
            assert len(payloads) >= 1
