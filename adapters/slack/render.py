"""Neutral messages → `chat.postMessage` arguments (`text` + `blocks`) within every Slack limit."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from adapters.slack.blocks import card_blocks, divider, escape_mrkdwn, shorten, to_dicts
from bot.messages import Message, Post

BLOCKS_MAX = 50
TEXT_MAX = 40_000
# `text` is the notification and screen-reader fallback; Slack truncates long ones anyway.
FALLBACK_MAX = 3000


def _payload(text: str, blocks: list[Block]) -> dict[str, Any]:
    return {"text": shorten(escape_mrkdwn(text), FALLBACK_MAX), "blocks": to_dicts(blocks)}


def render_message(message: Message) -> list[dict[str, Any]]:
    """One neutral message as one or more Slack messages, in order (split at 50 blocks)."""
    if not message.cards:
        return [{"text": shorten(escape_mrkdwn(message.text), TEXT_MAX)}]
    groups: list[list[Block]] = []
    for index, card in enumerate(message.cards):
        blocks = card_blocks(
            card, as_header=message.role == "header" and index == 0, prefix=f"c{index}"
        )
        if index > 0 and blocks:
            blocks.insert(0, divider())
        groups.append(blocks)
    payloads: list[dict[str, Any]] = []
    current: list[Block] = []
    for blocks in groups:
        while blocks:
            room = BLOCKS_MAX - len(current)
            if len(blocks) > room and current:
                payloads.append(_payload(_fallback(message.text, len(payloads)), current))
                current = []
                continue
            current += blocks[:BLOCKS_MAX]
            blocks = blocks[BLOCKS_MAX:]
    if current or not payloads:
        payloads.append(_payload(_fallback(message.text, len(payloads)), current))
    return payloads


def _fallback(text: str, part: int) -> str:
    return text if part == 0 else f"{text} (continued)"


def render_post(post: Post) -> list[dict[str, Any]]:
    """Every Slack message of a post, in posting order (index 0 starts the thread)."""
    return [payload for message in post.messages for payload in render_message(message)]
