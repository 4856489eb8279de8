"""Discord bodies: within every embed and message limit, and no digest text can ping or format."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.render import (
    NO_MENTIONS,
    DiscordPayload,
    escape_discord,
    render_message,
    render_post,
)
from bot.messages import Card, Fact, Image, Link, ListItem, Message, Post, TextSection
from bot.models import Paper
from bot.parser import parse_file
from tests.conftest import PROJECT_ROOT, corpus_files

SPEC = PROJECT_ROOT.parent / "shared" / "specs" / "discord-api-spec" / "openapi.json"
HOSTILE = "@everyone @here <@123> <@&456> <#789> **bold** [x](https://evil.example) `c` ||s||"


# --- checkers ---------------------------------------------------------------------------------


def embed_size(embed: dict[str, Any]) -> int:
    """Discord's 6000-character count: title, description, field names/values, footer, author."""
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
    )


def assert_url(url: str) -> None:
    # The spec marks embed urls `format: uri`, which jsonschema cannot check without rfc3987.
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https"), url
    assert parts.hostname, url
    assert len(url) <= 2048, url
    assert not any(ch.isspace() for ch in url), url


def check_limits(payload: DiscordPayload) -> dict[str, Any]:
    body = payload.to_json()
    assert body["allowed_mentions"] == {"parse": []}
    assert len(body["content"]) <= 2000
    assert body["content"].strip() or body["embeds"], "Discord rejects an empty message"
    assert len(body["embeds"]) <= 10
    assert sum(embed_size(e) for e in body["embeds"]) <= 6000
    for embed in body["embeds"]:
        assert embed_size(embed) > 0 or "thumbnail" in embed
        assert len(embed.get("title", "")) <= 256
        assert len(embed.get("description", "")) <= 4096
        assert len(embed.get("fields", [])) <= 25
        for field in embed.get("fields", []):
            assert 0 < len(field["name"].strip()) <= 256
            assert 0 < len(field["value"].strip()) <= 1024
        assert len(embed.get("footer", {}).get("text", "")) <= 2048
        assert len(embed.get("author", {}).get("name", "")) <= 256
        for url in (embed.get("url"), embed.get("thumbnail", {}).get("url")):
            if url is not None:
                assert_url(url)
    return body


@cache
def _validator() -> jsonschema.Draft202012Validator | None:
    if not SPEC.is_file():
        return None
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    # OpenAPI 3.1 schemas are JSON Schema 2020-12; the whole document is the root so that the
    # "#/components/schemas/..." references resolve.
    return jsonschema.Draft202012Validator(
        {**spec, "$ref": "#/components/schemas/MessageCreateRequest"}
    )


def validate_against_spec(body: dict[str, Any]) -> None:
    validator = _validator()
    if validator is None:
        pytest.skip(f"Discord OpenAPI spec not found at {SPEC}")
    validator.validate(body)


def texts(body: dict[str, Any]) -> Iterator[str]:
    """Every piece of text Discord parses for markdown and mentions (footers are not parsed)."""
    yield body["content"]
    for embed in body["embeds"]:
        yield embed.get("title", "")
        yield embed.get("description", "")
        for field in embed.get("fields", []):
            yield field["name"]
            yield field["value"]


_OUR_MASKED_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\\\]])*)\]\((https://[^)\s]+)\)")
_OUR_BOLD_LABEL = re.compile(r"^\*\*(.+)\*\*$", re.MULTILINE)


def assert_neutral(text: str) -> None:
    """No markdown or mention syntax in `text` is live: each such character is escaped."""
    assert "@everyone" not in text, text
    assert "@here" not in text, text
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        assert text[index] not in "<[]*_`~|", f"live {text[index]!r} at {index} in {text!r}"
        index += 1


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL).replace("@\u200b", "@")


# --- behaviour --------------------------------------------------------------------------------


def hostile_card() -> Card:
    return Card(
        title=f"Title {HOSTILE}",
        url="https://arxiv.org/abs/2501.04682",
        intro=f"Intro {HOSTILE}",
        facts=[Fact(name=f"Votes {HOSTILE}", value=f"3 {HOSTILE}")],
        items=[ListItem(text=f"Item {HOSTILE}", url="https://example.org/item", note="▲ 5 *")],
        sections=[
            TextSection(label=f"Short {HOSTILE}", text=f"fits {HOSTILE}"),
            TextSection(label=f"Long {HOSTILE}", text=f"{HOSTILE} " * 80),  # overflows to fields
        ],
        links=[Link(label=f"arXiv {HOSTILE}", url="https://arxiv.org/abs/2501.04682")],
        footer=f"Footer {HOSTILE}",
    )


def test_hostile_text_is_neutralised_in_every_field() -> None:
    payloads = render_message(Message(role="paper", text=HOSTILE, cards=[hostile_card()]))
    bodies = [check_limits(p) for p in payloads]
    embed = bodies[0]["embeds"][0]
    assert embed["description"].count("fits") == 1
    assert [f["name"] for f in embed["fields"]][-1] == "Links"
    assert any(f["name"].startswith("Long") for f in embed["fields"])
    link_targets: list[str] = []
    for body in bodies:
        for text in texts(body):
            link_targets += [m.group(2) for m in _OUR_MASKED_LINK.finditer(text)]
            ours_removed = _OUR_MASKED_LINK.sub(r"\1", _OUR_BOLD_LABEL.sub(r"\1", text))
            assert_neutral(ours_removed)
    assert sorted(set(link_targets)) == [
        "https://arxiv.org/abs/2501.04682",
        "https://example.org/item",
    ]
    # Discord shows footers as plain text (no markdown, no mentions): kept as written, @everyone
    # defused anyway.
    assert embed["footer"]["text"] == f"Footer {HOSTILE}".replace("@e", "@\u200be").replace(
        "@h", "@\u200bh"
    )


def test_no_one_is_ever_pinged() -> None:
    body = render_message(Message(role="notice", text=HOSTILE))[0].to_json()
    assert body["allowed_mentions"] == {"parse": []}
    assert (NO_MENTIONS.everyone, NO_MENTIONS.users, NO_MENTIONS.roles) == (False, False, False)
    assert NO_MENTIONS.replied_user is False


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # discord.utils.escape_markdown alone would leave the second masked link live.
        ("[a](https://x.org) [b](https://y.org)", r"\[a\](https://x.org) \[b\](https://y.org)"),
        ("<@123> <@&456> <#789> <t:1:R>", r"\<@123> \<@&456> \<#789> \<t:1:R>"),
        ("@everyone and @here", "@\u200beveryone and @\u200bhere"),
        (
            "**bold** _it_ `code` ~~s~~ ||spoiler||",
            r"\*\*bold\*\* \_it\_ \`code\` \~\~s\~\~ \|\|spoiler\|\|",
        ),
        ("# Heading\n> quote\n  - indented", "\\# Heading\n\\> quote\n  \\- indented"),
        (
            "a \\<@1> b",
            r"a \\\<@1> b",
        ),  # a typed backslash stays a backslash, the "<" still escaped
        ("see https://x.org/a_b_c", "see https://x.org/a_b_c"),  # URLs stay clickable
    ],
)
def test_escape_discord_shows_text_as_typed(text: str, shown: str) -> None:
    assert escape_discord(text) == shown


def paper_card(title: str = "A Paper", image: str | None = "https://cdn.example.org/t.png") -> Card:
    return Card(
        title=title,
        url="https://arxiv.org/abs/2501.04682",
        facts=[Fact(name="Votes", value="102"), Fact(name="Authors", value="Ada, Grace +3 more")],
        sections=[TextSection(label="What's New", text="A short summary in our own words.")],
        image=Image(url=image, alt="thumbnail") if image else None,
        links=[
            Link(label="arXiv", url="https://arxiv.org/abs/2501.04682"),
            Link(label="PDF", url="https://arxiv.org/pdf/2501.04682"),
        ],
        footer="2025-01-09 · #1",
    )


def test_paper_card_layout() -> None:
    (payload,) = render_message(Message(role="paper", text="A Paper", cards=[paper_card()]))
    embed = payload.embeds[0]
    assert (embed.title, embed.url) == ("A Paper", "https://arxiv.org/abs/2501.04682")
    assert embed.colour is not None
    assert embed.colour.value == 0xFFD21E
    assert embed.thumbnail.url == "https://cdn.example.org/t.png"
    assert embed.description == "**What's New**\nA short summary in our own words."
    assert [(f.name, f.value, f.inline) for f in embed.fields] == [
        ("Votes", "102", True),
        ("Authors", "Ada, Grace +3 more", True),
        (
            "Links",
            "[arXiv](https://arxiv.org/abs/2501.04682)  ·  [PDF](https://arxiv.org/pdf/2501.04682)",
            False,
        ),
    ]
    assert embed.footer.text == "2025-01-09 · #1"


@pytest.mark.parametrize(
    "image",
    ["https://huggingface.co/avatars/x.svg", "http://cdn.example.org/t.png"],
)
def test_images_discord_cannot_show_become_links(image: str) -> None:
    payload = render_message(Message(role="paper", text="t", cards=[paper_card(image=image)]))[0]
    body = check_limits(payload)["embeds"][0]
    assert "thumbnail" not in body
    assert body["fields"][-1]["value"].endswith(f"  ·  [thumbnail]({image})")


def test_unusable_urls_are_left_out() -> None:
    card = Card(
        title="T",
        url="javascript:alert(1)",
        items=[ListItem(text="no link", url="not a url")],
        image=Image(url="/relative.png"),
        links=[Link(label="Bad", url="ftp://x.org/file")],
    )
    body = check_limits(render_message(Message(role="answer", text="t", cards=[card]))[0])
    embed = body["embeds"][0]
    assert "url" not in embed
    assert "thumbnail" not in embed
    assert embed["description"] == "1. no link"
    assert "fields" not in embed  # a link label that leads nowhere would only confuse


def test_header_items_are_numbered_masked_links() -> None:
    card = Card(
        title="Daily Papers · 2025-01-09",
        url="https://huggingface.co/papers?date=2025-01-09",
        intro="12 papers today",
        items=[
            ListItem(text="Big [Model] (v2)", url="https://arxiv.org/abs/2501.00001", note="▲ 102"),
            ListItem(text="Plain", url="https://arxiv.org/abs/2501.00002(x)"),
        ],
    )
    embed = render_message(Message(role="header", text="Daily Papers", cards=[card]))[0].embeds[0]
    assert embed.description == (
        "12 papers today\n\n"
        r"1. [Big \[Model\] (v2)](https://arxiv.org/abs/2501.00001) ▲ 102"
        "\n2. [Plain](https://arxiv.org/abs/2501.00002%28x%29)"
    )


def test_too_many_items_end_with_a_count_of_the_rest() -> None:
    items = [ListItem(text=f"Paper {n} " + "x" * 80, url=f"https://e.org/{n}") for n in range(100)]
    body = check_limits(
        render_message(Message(role="header", text="h", cards=[Card(title="T", items=items)]))[0]
    )
    lines = body["embeds"][0]["description"].split("\n")
    assert lines[0].startswith("1. [Paper 0 ")
    shown = len(lines) - 1
    assert 10 < shown < 100
    assert lines[-1] == f"… +{100 - shown} more"


def test_long_sections_continue_in_more_fields_in_order() -> None:
    long = " ".join(f"word{n}" for n in range(700))  # ~5,500 characters: over a description
    card = Card(
        title="T",
        sections=[
            TextSection(label="First", text="short"),
            TextSection(label="Details", text=long),
            TextSection(label="Last", text="after"),
        ],
    )
    body = check_limits(render_message(Message(role="answer", text="t", cards=[card]))[0])
    embed = body["embeds"][0]
    assert embed["description"] == "**First**\nshort"
    names = [f["name"] for f in embed["fields"]]
    assert names[0] == "Details"
    assert names[-1] == "Last"
    assert set(names[1:-1]) == {"Details (cont.)"}
    assert " ".join(f["value"] for f in embed["fields"][:-1]) == long


def test_text_beyond_the_embed_budget_is_cut_with_an_ellipsis() -> None:
    sections = [TextSection(label=f"S{n}", text=f"s{n} " * 1500) for n in range(3)]
    card = Card(title="T", sections=sections, links=[Link(label="arXiv", url="https://a.org")])
    body = check_limits(render_message(Message(role="answer", text="t", cards=[card]))[0])
    embed = body["embeds"][0]
    assert embed_size(embed) > 5800  # the room is used, not wasted
    assert embed["fields"][-1]["name"] == "Links"  # links survive the cut
    assert embed["fields"][-2]["value"].endswith("…")


def test_more_than_ten_embeds_split_in_order() -> None:
    cards = [Card(title=f"Card {n}", intro="x") for n in range(23)]
    payloads = render_message(Message(role="answer", text="many", cards=cards))
    assert [len(p.embeds) for p in payloads] == [10, 10, 3]
    assert [p.content for p in payloads] == ["many", "(continued)", "(continued)"]
    assert [e.title for p in payloads for e in p.embeds] == [f"Card {n}" for n in range(23)]


def test_embeds_over_6000_characters_together_split() -> None:
    cards = [Card(title=f"C{n}", sections=[TextSection(text=f"w{n} " * 800)]) for n in range(3)]
    payloads = [
        check_limits(p) for p in render_message(Message(role="answer", text="t", cards=cards))
    ]
    assert [len(p["embeds"]) for p in payloads] == [2, 1]
    assert [e["title"] for p in payloads for e in p["embeds"]] == ["C0", "C1", "C2"]


def test_text_only_and_empty_messages() -> None:
    (notice,) = render_message(Message(role="notice", text="Try /top 3"))
    assert notice.to_json() == {
        "content": "Try /top 3",
        "embeds": [],
        "allowed_mentions": {"parse": []},
    }
    assert render_message(Message(role="notice", text="  ")) == []
    (long,) = render_message(Message(role="notice", text="word " * 1000))
    assert len(long.content) <= 2000
    assert long.content.endswith("…")


def test_post_is_flattened_in_posting_order() -> None:
    post = Post(
        mode="thread",
        messages=[
            Message(role="header", text="Header"),
            Message(role="paper", text="P1", cards=[Card(title=f"A{n}") for n in range(12)]),
            Message(role="paper", text="P2", cards=[paper_card("B")]),
        ],
    )
    assert [p.content for p in render_post(post)] == ["Header", "P1", "(continued)", "P2"]


def test_bodies_match_the_openapi_schema() -> None:
    cards = [hostile_card(), paper_card(), Card(title="x", items=[ListItem(text="i")])]
    for payload in render_message(Message(role="paper", text="t", cards=cards)):
        validate_against_spec(check_limits(payload))
    with pytest.raises(jsonschema.ValidationError):  # the schema check itself has teeth
        validate_against_spec({"content": "x", "embeds": [{"title": "t" * 300}]})


# --- properties -------------------------------------------------------------------------------

_TOKENS = [
    "@everyone",
    "@here",
    "<@123>",
    "<@&456>",
    "<#7>",
    "[x](https://evil.example)",
    "**",
    "\n",
]
_chars = st.characters(codec="utf-8", exclude_characters="\u200b\ue000\ue001")
hostile = st.lists(
    st.sampled_from(_TOKENS) | st.text(st.sampled_from("&<>*_[]|@`~\\#-> ") | _chars, max_size=20),
    max_size=20,
).map("".join)
# Long texts from a repeated hostile unit: as nasty as random text, and quick to generate.
huge = st.builds(lambda unit, n: (unit + " ") * n, hostile, st.integers(0, 5000)).map(
    lambda t: t[:5000]
)
titles = st.text(st.sampled_from("&<>*_[]|@") | _chars, min_size=1, max_size=400).filter(str.strip)
urls = st.sampled_from(
    [None, "https://arxiv.org/abs/2501.00001", "https://x.org/a_(b)", "javascript:x", "a b"]
)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    authors = draw(st.lists(hostile, max_size=400))
    return Card(
        title=draw(titles),
        url=draw(urls),
        intro=draw(st.none() | hostile | huge),
        facts=[
            Fact(name="Votes", value=draw(hostile)),
            Fact(name="Authors", value=", ".join(authors)),
        ],
        sections=draw(
            st.lists(
                st.builds(TextSection, label=st.none() | hostile, text=hostile | huge), max_size=4
            )
        ),
        items=draw(
            st.lists(
                st.builds(ListItem, text=hostile, url=urls, note=st.none() | hostile), max_size=30
            )
        ),
        image=draw(
            st.none()
            | st.builds(Image, url=st.sampled_from(["https://c.org/t.png", "https://c.org/t.svg"]))
        ),
        links=draw(st.lists(st.builds(Link, label=hostile, url=urls.filter(bool)), max_size=4)),
        footer=draw(st.none() | hostile | huge),
    )


@st.composite
def posts(draw: st.DrawFn) -> Post:
    messages = draw(
        st.lists(
            st.builds(
                Message,
                role=st.just("paper"),
                text=hostile | huge,
                cards=st.lists(cards(), max_size=60),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return Post(mode="thread", messages=messages)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(posts())
def test_random_messages_never_exceed_a_limit(post: Post) -> None:
    payloads = render_post(post)
    embeds = [embed for payload in payloads for embed in payload.embeds]
    cards_in_order = [card for message in post.messages for card in message.cards]
    assert len(embeds) == len(cards_in_order)
    for payload in payloads:
        check_limits(payload)
    for embed, card in zip(embeds, cards_in_order, strict=True):
        assert embed.title is not None
        assert_neutral(embed.title)
        shown = unescape(embed.title.removesuffix("…"))
        assert card.title.strip().startswith(shown), (embed.title, card.title)


# --- real digests -----------------------------------------------------------------------------


def paper_message(paper: Paper) -> Message:
    """A plain stand-in for the formatter: every author, every section, full length."""
    card = Card(
        title=paper.title,
        url=paper.abs_url,
        facts=[
            Fact(name="Votes", value=str(paper.votes)),
            Fact(name="Authors", value=", ".join(paper.authors)),
        ],
        sections=[TextSection(label=s.label, text=s.text) for s in paper.sections],
        image=Image(url=paper.thumbnail_url) if paper.thumbnail_url else None,
        links=[
            Link(label=n, url=u)
            for n, u in (("arXiv", paper.abs_url), ("PDF", paper.pdf_url), ("HF", paper.hf_url))
            if u
        ],
    )
    return Message(role="paper", text=paper.title, cards=[card])


def corpus_posts(path: Path) -> list[Post]:
    digest = parse_file(path)
    messages = [paper_message(p) for p in digest.papers]
    items = [ListItem(text=p.title, url=p.abs_url, note=f"▲ {p.votes}") for p in digest.ranked()]
    header = Message(
        role="header",
        text=f"Daily Papers {digest.date}",
        cards=[Card(title=str(digest.date), items=items)],
    )
    single = Message(
        role="header", text=header.text, cards=header.cards + [m.cards[0] for m in messages]
    )
    return [
        Post(mode="thread", messages=[header, *messages]),
        Post(mode="single", messages=[single]),
    ]


@pytest.mark.corpus
def test_every_real_digest_renders_within_limits() -> None:
    checked = 0
    for number, path in enumerate(corpus_files()):
        for post in corpus_posts(path):
            for payload in render_post(post):
                body = check_limits(payload)
                if number % 20 == 0:
                    validate_against_spec(body)
                checked += 1
    assert checked > 0
