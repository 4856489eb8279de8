"""Neutral messages → `chat.postMessage` arguments (`text` + `blocks`) within every Slack limit."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from adapters.slack.blocks import card_blocks, divider, escape_mrkdwn, shorten, to_dicts
from bot.messages import Message, Post

__all__ = ["escape_mrkdwn", "render_message", "render_post"]

BLOCKS_MAX = 50
TEXT_MAX = 40_000
# With blocks, `text` is only the notification and screen-reader line: keep it readable.
FALLBACK_MAX = 3000
CONTINUED = " (continued)"


def _fallback(message: Message) -> str:
    """The message's plain text, or its first card title when the formatter left it empty."""
    if message.text.strip():
        return message.text.strip()
    titles = [card.title.strip() for card in message.cards if card.title.strip()]
    return titles[0] if titles else "…"


def _payload(text: str, part: int, blocks: list[Block]) -> dict[str, Any]:
    escaped = escape_mrkdwn(text)
    if part == 0:
        fallback = shorten(escaped, FALLBACK_MAX)
    else:
        fallback = shorten(escaped, FALLBACK_MAX - len(CONTINUED)) + CONTINUED
    return {"text": fallback, "blocks": to_dicts(blocks)}


def _grouped(message: Message) -> list[list[Block]]:
    """The blocks of each card, in order; cards that render to nothing are left out."""
    groups = []
    for index, card in enumerate(message.cards):
        as_header = message.role == "header" and index == 0
        blocks = card_blocks(card, as_header=as_header, prefix=f"c{index}")
        if blocks:
            groups.append(blocks)
    return groups


def _split(groups: list[list[Block]]) -> list[list[Block]]:
    """Cards packed into messages of at most 50 blocks, in order, with a divider between cards.

    A card that does not fit in what is left of a message starts the next one, so a card is only
    cut in two when it alone is longer than a whole message.
    """
    parts: list[list[Block]] = [[]]
    for group in groups:
        current = parts[-1]
        if current and len(current) + 1 + len(group) > BLOCKS_MAX:
            current = []
            parts.append(current)
        if current:
            current.append(divider())
        remaining = group
        while remaining:
            room = BLOCKS_MAX - len(current)
            current += remaining[:room]
            remaining = remaining[room:]
            if remaining:
                current = []
                parts.append(current)
    return [part for part in parts if part]


def render_message(message: Message) -> list[dict[str, Any]]:
    """One neutral message as one or more Slack messages, in order (split at 50 blocks)."""
    text = _fallback(message)
    parts = _split(_grouped(message))
    if not parts:
        return [{"text": shorten(escape_mrkdwn(text), TEXT_MAX)}]
    return [_payload(text, number, blocks) for number, blocks in enumerate(parts)]


def render_post(post: Post) -> list[dict[str, Any]]:
    """Every Slack message of a post, in posting order (index 0 starts the thread)."""
    return [payload for message in post.messages for payload in render_message(message)]
