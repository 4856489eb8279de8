"""Neutral messages → Discord message-create bodies (`content` + embeds) within every limit.

One embed per card. Digest text is escaped once (see `markdown.py`) and every body is sent with
`allowed_mentions` that ping nobody, so nothing in a summary can notify a channel or a person.
Lengths are counted in code points, as Discord counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.markdown import (
    BLANK,
    ELLIPSIS,
    chunks,
    ellipsize,
    escape_discord,
    masked_link,
    plain_text,
    safe_url,
    shorten,
    showable_image,
)
from bot.messages import Card, ListItem, Message, Post, TextSection

__all__ = [
    "NO_MENTIONS",
    "DiscordPayload",
    "card_embed",
    "escape_discord",
    "render_message",
    "render_post",
]

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000  # title + description + field names and values + footer + author
CONTENT_MAX = 2000
COLOUR = 0xFFD21E  # Hugging Face yellow
CONTINUED = "(continued)"
CONT = " (cont.)"
LINK_SEPARATOR = "  ·  "
NO_MENTIONS = discord.AllowedMentions.none()
_PARTIAL_FIELD_MIN = 40  # below this much room, a cut-off field would say nothing useful


@dataclass(frozen=True)
class DiscordPayload:
    """One message-create body: what `channel.send` / `webhook.send` gets, or the REST JSON."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "embeds": [embed.to_dict() for embed in self.embeds],
            "allowed_mentions": NO_MENTIONS.to_dict(),
        }


def _item_line(number: int, item: ListItem) -> str:
    note = f" {escape_discord(item.note)}" if item.note else ""
    return f"{number}. {masked_link(shorten(item.text, TITLE_MAX), item.url)}{note}"


def _section_block(section: TextSection) -> str:
    text = escape_discord(section.text).strip()
    label = escape_discord(section.label).strip() if section.label else ""
    if label:
        return f"**{label}**\n{text}" if text else f"**{label}**"
    return text


def _description(card: Card, room: int) -> tuple[str, list[TextSection]]:
    """Intro, ranked items and the sections that fit; returns the sections left for fields."""
    room = min(DESCRIPTION_MAX, room)
    blocks: list[str] = []
    if card.intro and card.intro.strip():
        # Items live only in the description, so a long intro leaves them half the room.
        intro_room = room // 2 if card.items else room
        blocks.append(shorten(escape_discord(card.intro).strip(), intro_room))
    used = len(blocks[0]) if blocks else 0
    lines: list[str] = []
    for index, item in enumerate(card.items):
        line = _item_line(index + 1, item)
        more = f"{ELLIPSIS} +{len(card.items) - index} more"
        reserve = 0 if index == len(card.items) - 1 else len(more) + 1
        if used + 2 + len(line) + reserve > room:
            lines.append(more)
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        blocks.append("\n".join(lines))
    # Only a room too small for even the "+N more" line gets here cut short.
    text = shorten("\n\n".join(blocks), room)
    for position, section in enumerate(card.sections):
        block = _section_block(section)
        if not block:
            continue
        joined = f"{text}\n\n{block}" if text else block
        if len(joined) > room:
            return text, list(card.sections[position:])
        text = joined
    return text, []


def _section_fields(sections: list[TextSection]) -> list[tuple[str, str]]:
    """Sections that did not fit the description, as (name, value) fields; long ones continue."""
    fields: list[tuple[str, str]] = []
    for section in sections:
        label = escape_discord(section.label).strip() if section.label else ""
        name = shorten(label, FIELD_NAME_MAX - len(CONT)) or BLANK
        pieces = chunks(escape_discord(section.text), FIELD_VALUE_MAX) or ["—"]
        for index, piece in enumerate(pieces):
            continued = CONT.strip() if name == BLANK else f"{name}{CONT}"
            fields.append((name if index == 0 else continued, piece))
    return fields


def _links_value(card: Card) -> str:
    shown = [masked_link(link.label, link.url) for link in card.links if safe_url(link.url)]
    if card.image and showable_image(card.image.url) is None and safe_url(card.image.url):
        shown.append(masked_link(card.image.alt or "Image", card.image.url))  # e.g. an SVG
    value = ""
    for link in shown:
        joined = f"{value}{LINK_SEPARATOR}{link}" if value else link
        if len(joined) > FIELD_VALUE_MAX:
            break
        value = joined
    return value


def card_embed(card: Card) -> discord.Embed:
    """One card as one embed of at most 6000 characters; what does not fit ends with "…"."""
    embed = discord.Embed(colour=COLOUR)
    budget = EMBED_TOTAL_MAX
    title = shorten(escape_discord(card.title).strip(), TITLE_MAX)
    if title:
        embed.title = title
        embed.url = safe_url(card.url)
        budget -= len(title)
    footer = shorten(plain_text(card.footer).strip(), FOOTER_MAX) if card.footer else ""
    if footer:
        embed.set_footer(text=footer)
        budget -= len(footer)
    links = _links_value(card)
    budget -= (len("Links") + len(links)) if links else 0
    free_fields = FIELDS_MAX - (1 if links else 0)
    for fact in card.facts[:free_fields]:
        name = shorten(escape_discord(fact.name).strip(), FIELD_NAME_MAX) or BLANK
        value = shorten(escape_discord(fact.value).strip(), FIELD_VALUE_MAX) or "—"
        if len(name) + len(value) > budget:
            break
        embed.add_field(name=name, value=value, inline=True)
        budget -= len(name) + len(value)
    description, overflow = _description(card, budget)
    embed.description = description or None
    budget -= len(description)
    added_section_field = False
    for name, value in _section_fields(overflow):
        room = budget - len(name)
        if len(embed.fields) >= FIELDS_MAX - (1 if links else 0) or room < _PARTIAL_FIELD_MIN:
            if added_section_field:  # say that text was cut rather than end mid-story silently
                last = embed.fields[-1]
                embed.set_field_at(-1, name=last.name, value=ellipsize(last.value or ""))
            break
        shown = shorten(value, room)
        embed.add_field(name=name, value=shown, inline=False)
        added_section_field = True
        budget -= len(name) + len(shown)
        if shown != value:
            break
    if links:
        embed.add_field(name="Links", value=links, inline=False)
    image = showable_image(card.image.url) if card.image else None
    if image:
        embed.set_thumbnail(url=image)
    if len(embed) == 0 and image is None:
        embed.description = "—"  # Discord rejects an embed with nothing in it
    return embed


def render_message(message: Message) -> list[DiscordPayload]:
    """One neutral message as Discord messages, in order: ≤10 embeds and ≤6000 characters each.

    A message with neither text nor cards has nothing to send and gives no payload.
    """
    content = shorten(escape_discord(message.text).strip(), CONTENT_MAX)
    if not message.cards:
        return [DiscordPayload(content=content)] if content else []
    payloads: list[DiscordPayload] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in (card_embed(card) for card in message.cards):
        if current and (len(current) == EMBEDS_MAX or size + len(embed) > EMBED_TOTAL_MAX):
            payloads.append(DiscordPayload(CONTINUED if payloads else content, current))
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    payloads.append(DiscordPayload(CONTINUED if payloads else content, current))
    return payloads


def render_post(post: Post) -> list[DiscordPayload]:
    """Every Discord message of a post, in posting order (in thread mode, index 0 starts it)."""
    return [payload for message in post.messages for payload in render_message(message)]
