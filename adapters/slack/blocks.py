"""Block Kit pieces for one neutral `Card`, built with slack_sdk's models so the SDK validates them.

Every piece of digest text goes through `escape_mrkdwn` exactly once, here, so a summary that
contains `<!channel>` or `<@U123>` shows those characters and notifies nobody.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.messages import Card

HEADER_MAX = 150
SECTION_MAX = 3000
CONTEXT_MAX = 10
BUTTON_TEXT_MAX = 75
URL_MAX = 3000
BUTTONS_MAX = 25
_SHOWABLE_IMAGE = re.compile(r"^https://[^\s]+\.(png|jpe?g|gif)(\?[^\s]*)?$", re.IGNORECASE)


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as its docs require."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def link(label: str, url: str | None) -> str:
    """A mrkdwn link; `|` would end the label early, so it becomes a look-alike."""
    shown = escape_mrkdwn(label)
    if not url or len(url) > URL_MAX:
        return shown
    return f"<{escape_mrkdwn(url)}|{shown.replace('|', '¦')}>"


def showable_image(url: str | None) -> bool:
    return bool(url) and len(url or "") <= URL_MAX and bool(_SHOWABLE_IMAGE.match(url or ""))


def split_text(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Long mrkdwn split into section-sized pieces at line or word breaks; nothing is lost."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
            # never cut an escape such as "&amp;" in half
            amp = text.rfind("&", cut - 5, cut)
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _sections(markdown: str, accessory: ImageElement | None = None) -> list[Block]:
    blocks: list[Block] = []
    for index, piece in enumerate(split_text(markdown)):
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=piece, verbatim=True),
                accessory=accessory if index == 0 else None,
            )
        )
    return blocks


def card_blocks(card: Card, *, as_header: bool, prefix: str) -> list[Block]:
    """The blocks of one card; `prefix` keeps action ids unique within a message."""
    blocks: list[Block] = []
    if as_header and card.title:
        blocks.append(HeaderBlock(text=shorten(card.title, HEADER_MAX)))
    accessory = None
    if card.image and showable_image(card.image.url):
        accessory = ImageElement(
            image_url=card.image.url, alt_text=shorten(card.image.alt or "thumbnail", 2000)
        )
    top: list[str] = []
    if card.title and not as_header:
        top.append(f"*{link(card.title, card.url)}*")
    if card.intro:
        top.append(escape_mrkdwn(card.intro))
    if top:
        blocks += _sections("\n".join(top), accessory)
        accessory = None
    if card.facts:
        facts = [
            MarkdownTextObject(
                text=shorten(f"*{escape_mrkdwn(f.name)}* {escape_mrkdwn(f.value)}", SECTION_MAX)
            )
            for f in card.facts
        ]
        blocks.append(ContextBlock(elements=facts[:CONTEXT_MAX]))
    if card.items:
        lines = [
            f"{n}. {link(item.text, item.url)}"
            + (f"  {escape_mrkdwn(item.note)}" if item.note else "")
            for n, item in enumerate(card.items, start=1)
        ]
        blocks += _sections("\n".join(lines), accessory)
        accessory = None
    for section in card.sections:
        label = f"*{escape_mrkdwn(section.label)}*\n" if section.label else "• "
        blocks += _sections(label + escape_mrkdwn(section.text), accessory)
        accessory = None
    if card.image and not showable_image(card.image.url) and len(card.image.url) <= URL_MAX:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=link("thumbnail", card.image.url))])
        )
    buttons = [
        ButtonElement(
            text=shorten(button.label, BUTTON_TEXT_MAX),
            url=button.url,
            action_id=f"{prefix}-link-{i}",
        )
        for i, button in enumerate(card.links)
        if button.url.startswith(("https://", "http://")) and len(button.url) <= URL_MAX
    ]
    if buttons:
        blocks.append(ActionsBlock(elements=buttons[:BUTTONS_MAX]))
    if card.footer:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=shorten(escape_mrkdwn(card.footer), SECTION_MAX))]
            )
        )
    return blocks


def divider() -> Block:
    return DividerBlock()


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]
