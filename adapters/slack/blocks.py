"""Block Kit pieces for one neutral `Card`, built with slack_sdk's models so the SDK validates them.

Every piece of digest text goes through `escape_mrkdwn` exactly once, here, so a summary that
contains `<!channel>` or `<@U123>` shows those characters and notifies nobody. Every mrkdwn text is
`verbatim`, so Slack does not turn bare names or URLs in digest text into mentions or links either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    ImageElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.messages import Card, Fact, ListItem

HEADER_MAX = 150
SECTION_MAX = 3000  # also the cap of one mrkdwn context element
CONTEXT_MAX = 10
BUTTON_TEXT_MAX = 75
BUTTONS_MAX = 25  # elements of one actions block
URL_MAX = 3000
ALT_MAX = 2000
RELATIVE_SHOWN_MAX = 300
_SHOWABLE_IMAGE = re.compile(r"^https://[^\s?#]+\.(png|jpe?g|gif)([?#]\S*)?$", re.IGNORECASE)
_WEB_URL = re.compile(r"^https?://[^\s/?#]+\S*$", re.IGNORECASE)


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters, escaped as its docs require."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _without_torn_entity(text: str) -> str:
    """`text` minus a trailing half escape ("&am"), which Slack would show as garbage."""
    amp = text.rfind("&", max(0, len(text) - 4))
    return text[:amp] if amp != -1 and ";" not in text[amp:] else text


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else _without_torn_entity(cut)
    return cut.rstrip() + "…"


def web_url(url: str | None) -> str | None:
    """`url` when Slack can open it (absolute http(s), within the URL limit), else None."""
    if url is None or len(url) > URL_MAX or not _WEB_URL.match(url):
        return None
    return url


def showable_image(url: str | None) -> bool:
    """Slack shows only PNG, JPEG and GIF from an absolute https URL."""
    return web_url(url) is not None and bool(_SHOWABLE_IMAGE.match(url or ""))


def link(label: str, url: str | None, *, budget: int = SECTION_MAX) -> str:
    """A mrkdwn link of at most `budget` characters; the label alone when `url` is not a web URL.

    `|` would end the label early, so it becomes a look-alike; in the URL it is percent-encoded.
    """
    target = web_url(url)
    shown = escape_mrkdwn(label).replace("|", "¦")
    if target is None:
        return shorten(shown, budget)
    target = escape_mrkdwn(target.replace("|", "%7C"))
    room = budget - len(target) - 3
    if room < 1:
        return shorten(shown, budget)
    return f"<{target}|{shorten(shown, room)}>"


def split_text(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Long mrkdwn split into non-empty pieces at line or word breaks; nothing is lost."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = len(_without_torn_entity(text[:limit]))
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text.rstrip())
    return [piece for piece in pieces if piece.strip()]


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def _packed(lines: list[str]) -> Iterator[str]:
    """Whole lines gathered into section-sized texts; a line too long alone is split."""
    chunk = ""
    for line in lines:
        if chunk and len(chunk) + 1 + len(line) <= SECTION_MAX:
            chunk += "\n" + line
            continue
        if chunk:
            yield chunk
        *full, chunk = split_text(line) or [""]
        yield from full
    if chunk.strip():
        yield chunk


def _fact_text(fact: Fact) -> str:
    name, value = escape_mrkdwn(fact.name.strip()), escape_mrkdwn(fact.value.strip())
    return f"*{name}* {value}".rstrip() if name else value


def _item_line(number: int, item: ListItem) -> str:
    note = f"  {shorten(escape_mrkdwn(item.note), 200)}" if item.note else ""
    prefix = f"{number}. "
    return prefix + link(item.text, item.url, budget=SECTION_MAX - len(prefix) - len(note)) + note


class _CardBuilder:
    """Collects one card's blocks; the thumbnail rides on the first section that appears."""

    def __init__(self, accessory: ImageElement | None) -> None:
        self.blocks: list[Block] = []
        self.accessory = accessory
        self.context: list[MarkdownTextObject] = []

    def sections(self, texts: Iterator[str] | list[str]) -> None:
        self.flush_context()
        for text in texts:
            self.blocks.append(SectionBlock(text=_mrkdwn(text), accessory=self.accessory))
            self.accessory = None

    def note(self, text: str) -> None:
        """A small grey line (facts, footer); text too long for one element becomes sections."""
        if len(text) > SECTION_MAX:
            self.sections(split_text(text))
            return
        if len(self.context) == CONTEXT_MAX:
            self.flush_context()
        self.context.append(_mrkdwn(text))

    def flush_context(self) -> None:
        if self.context:
            self.blocks.append(ContextBlock(elements=self.context))
            self.context = []

    def finish(self, buttons: list[ButtonElement]) -> list[Block]:
        self.flush_context()
        if self.accessory is not None:  # a card with no text still shows its picture
            image, self.accessory = self.accessory, None
            alt = image.alt_text or "thumbnail"
            self.blocks.append(ImageBlock(image_url=image.image_url, alt_text=alt))
        for start in range(0, len(buttons), BUTTONS_MAX):
            self.blocks.append(ActionsBlock(elements=buttons[start : start + BUTTONS_MAX]))
        return self.blocks


def _thumbnail(card: Card) -> ImageElement | None:
    if card.image is None or not showable_image(card.image.url):
        return None
    alt = card.image.alt.strip() or card.title.strip() or "thumbnail"
    return ImageElement(image_url=card.image.url, alt_text=shorten(alt, ALT_MAX))


def _buttons(card: Card, prefix: str) -> list[ButtonElement]:
    return [
        ButtonElement(
            text=shorten(button.label.strip() or "Open", BUTTON_TEXT_MAX),
            url=button.url,
            action_id=f"{prefix}-link-{index}",
        )
        for index, button in enumerate(card.links)
        if web_url(button.url)
    ]


def card_blocks(card: Card, *, as_header: bool, prefix: str) -> list[Block]:
    """The blocks of one card; `prefix` keeps action ids unique within a message."""
    builder = _CardBuilder(_thumbnail(card))
    title = card.title.strip()
    if as_header and title:
        builder.blocks.append(HeaderBlock(text=shorten(title, HEADER_MAX)))
    top: list[str] = []
    if title and not as_header:
        top.append(f"*{link(title, card.url, budget=SECTION_MAX - 2)}*")
    if card.intro and card.intro.strip():
        top.append(escape_mrkdwn(card.intro.strip()))
    builder.sections(_packed(top))
    for fact in card.facts:
        if text := _fact_text(fact):
            builder.note(text)
    builder.sections(_packed([_item_line(n, item) for n, item in enumerate(card.items, 1)]))
    for section in card.sections:
        name = (section.label or "").strip()
        if not section.text.strip() and not name:
            continue
        label = f"*{shorten(escape_mrkdwn(name), 500)}*\n" if name else "• "
        builder.sections(split_text(label + escape_mrkdwn(section.text.strip())))
    if card.image and not showable_image(card.image.url):
        # An SVG or video thumbnail Slack cannot show: offer it as a link instead.
        # A relative URL cannot be a link, but its path still tells the reader what it was.
        if web_url(card.image.url):
            builder.note(link("thumbnail", card.image.url))
        elif 0 < len(card.image.url.strip()) <= RELATIVE_SHOWN_MAX:
            builder.note(f"thumbnail: {escape_mrkdwn(card.image.url.strip())}")
    if card.footer and card.footer.strip():
        builder.note(escape_mrkdwn(card.footer.strip()))
    return builder.finish(_buttons(card, prefix))


def divider() -> Block:
    return DividerBlock()


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    """The blocks as JSON-ready dicts; `to_dict()` runs slack_sdk's own validation."""
    return [block.to_dict() for block in blocks]
