"""Neutral messages → Discord message bodies (`content` + `discord.Embed`s) within every limit.

Digest text is escaped for Discord markdown and mentions here, once; every body is sent with
`allowed_mentions` that ping nobody, so nothing in a summary can notify a channel or a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.messages import Card, Message, Post

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
COLOUR = 0xFFD21E  # Hugging Face yellow
NO_MENTIONS = discord.AllowedMentions.none()
_SHOWABLE_IMAGE = re.compile(r"^https://\S+\.(png|jpe?g|gif|webp)(\?\S*)?$", re.IGNORECASE)


def escape_discord(text: str) -> str:
    """Markdown (including masked links) shown literally; @everyone/@here defused."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut
    return cut.rstrip().rstrip("\\") + "…"  # a lone trailing "\" would escape the ellipsis


def masked_link(label: str, url: str | None) -> str:
    shown = escape_discord(label)
    return f"[{shown}]({url})" if url and url.startswith(("https://", "http://")) else shown


def chunks(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line or word breaks."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        while cut > 0 and text[cut - 1] == "\\":  # keep an escape with the character it escapes
            cut -= 1
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


@dataclass(frozen=True)
class DiscordPayload:
    """One message-create body."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "embeds": [embed.to_dict() for embed in self.embeds],
            "allowed_mentions": NO_MENTIONS.to_dict(),
        }


def card_embed(card: Card) -> discord.Embed:
    embed = discord.Embed(colour=COLOUR)
    if card.title:
        embed.title = shorten(escape_discord(card.title), TITLE_MAX)
        if card.url and card.url.startswith(("https://", "http://")):
            embed.url = card.url
    parts: list[str] = []
    if card.intro:
        parts.append(escape_discord(card.intro))
    for n, item in enumerate(card.items, start=1):
        note = f" {escape_discord(item.note)}" if item.note else ""
        parts.append(f"{n}. {masked_link(item.text, item.url)}{note}")
    description = "\n".join(parts)
    fields: list[tuple[str, str, bool]] = [
        (
            shorten(escape_discord(f.name), FIELD_NAME_MAX),
            shorten(escape_discord(f.value), FIELD_VALUE_MAX) or "—",
            True,
        )
        for f in card.facts
    ]
    for section in card.sections:
        label = escape_discord(section.label) if section.label else "•"
        body = escape_discord(section.text)
        for index, piece in enumerate(chunks(body, FIELD_VALUE_MAX)):
            name = label if index == 0 else f"{label} (cont.)"
            fields.append((shorten(name, FIELD_NAME_MAX), piece, False))
    shown_links = [masked_link(link.label, link.url) for link in card.links]
    if card.image and not _SHOWABLE_IMAGE.match(card.image.url):
        shown_links.append(masked_link("thumbnail", card.image.url))  # e.g. an SVG: a link
    links = "  ·  ".join(shown_links)
    if links:
        fields.append(("Links", shorten(links, FIELD_VALUE_MAX), False))
    budget = EMBED_TOTAL_MAX - len(embed.title or "") - len(card.footer or "")
    embed.description = shorten(description, min(DESCRIPTION_MAX, max(0, budget - 200))) or None
    budget -= len(embed.description or "")
    for name, value, inline in fields[:FIELDS_MAX]:
        if len(name) + len(value) > budget:
            break  # the embed's 6000-character total is reached; the rest is cut, not rejected
        embed.add_field(name=name, value=value, inline=inline)
        budget -= len(name) + len(value)
    if card.image and _SHOWABLE_IMAGE.match(card.image.url):
        embed.set_thumbnail(url=card.image.url)
    if card.footer:
        embed.set_footer(text=shorten(card.footer, FOOTER_MAX))
    return embed


def render_message(message: Message) -> list[DiscordPayload]:
    """One neutral message as one or more Discord messages, in order."""
    content = shorten(escape_discord(message.text), CONTENT_MAX)
    if not message.cards:
        return [DiscordPayload(content=content)]
    payloads: list[DiscordPayload] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in (card_embed(card) for card in message.cards):
        if current and (len(current) == EMBEDS_MAX or size + len(embed) > EMBED_TOTAL_MAX):
            payloads.append(DiscordPayload(content if not payloads else "(continued)", current))
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    payloads.append(DiscordPayload(content if not payloads else "(continued)", current))
    return payloads


def render_post(post: Post) -> list[DiscordPayload]:
    """Every Discord message of a post, in posting order (index 0 starts the thread)."""
    return [payload for message in post.messages for payload in render_message(message)]
