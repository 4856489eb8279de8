"""Neutral messages rendered for a terminal with rich: what the console adapter and
`digest-bot render --platform console` show.

Every piece of digest text goes into `rich.text.Text` objects and is never parsed as console
markup or emoji codes, so a summary containing "[bold]" or ":rocket:" is shown exactly as written.
Links are terminal hyperlinks (a `link` style); the card's own address is also printed, dimmed, so
that output piped to a file or a terminal without hyperlinks still says where the paper is.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from bot.messages import Card, Message, MessageRole, Post

REPLY_MARK = "↳ reply in thread"
REPLY_INDENT = 4

_BORDER: dict[MessageRole, str] = {
    "header": "yellow",
    "paper": "blue",
    "answer": "green",
    "notice": "dim",
}
_BOLD = Style(bold=True)
_DIM = Style(dim=True)
_LINK = Style(color="cyan")
_NOTE = Style(color="yellow")


def _linked(text: str, url: str | None, style: Style | None = None) -> Text:
    """Plain text, made a terminal hyperlink when there is an address."""
    link = Style(link=url) if url else None
    return Text(text, style=Style.chain(*(s for s in (style, link) if s)))


def _joined(parts: Iterable[Text], separator: str) -> Text:
    return Text(separator).join(parts)


def _ranked_list(card: Card) -> Table:
    # A grid keeps wrapped titles aligned after their rank number.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column()
    for number, item in enumerate(card.items, start=1):
        line = _linked(item.text, item.url)
        if item.note:
            line.append(f"  {item.note}", style=_NOTE)
        grid.add_row(f"{number}.", line)
    return grid


def _card_lines(card: Card) -> list[RenderableType]:
    lines: list[RenderableType] = [_linked(card.title, card.url, _BOLD)]
    if card.url:
        lines.append(_linked(card.url, card.url, _DIM))
    if card.intro:
        lines.append(Text(card.intro))
    if card.facts:
        facts = (Text.assemble((f"{fact.name} ", _BOLD), fact.value) for fact in card.facts)
        lines.append(_joined(facts, "   "))
    if card.items:
        lines.append(_ranked_list(card))
    for section in card.sections:
        label = Text(f"{section.label}: ", style=_BOLD) if section.label else Text("• ")
        lines.append(Text.assemble(label, section.text))
    if card.image:
        lines.append(_linked("Thumbnail", card.image.url, _DIM))
    if card.links:
        lines.append(
            _joined((_linked(link.label, link.url, _LINK) for link in card.links), "  ·  ")
        )
    if card.footer:
        lines.append(Text(card.footer, style=_DIM))
    return lines


def render_card(card: Card, role: MessageRole = "answer") -> RenderableType:
    """One card as a panel; its title is the first line inside, so a long title wraps."""
    return Panel(Group(*_card_lines(card)), border_style=_BORDER[role], expand=True)


def render_console(message: Message) -> RenderableType:
    """One message: its cards as panels, or its plain text when it has none."""
    if not message.cards:
        return Text(message.text)
    return Group(*(render_card(card, message.role) for card in message.cards))


def render_post_console(post: Post) -> list[RenderableType]:
    """A post in order; thread replies indented under their header, as a chat app shows them."""
    rendered: list[RenderableType] = []
    for index, message in enumerate(post.messages):
        body = render_console(message)
        if post.mode == "thread" and index > 0:
            body = Padding(
                Group(Text(REPLY_MARK, style=_DIM), body), (0, 0, 0, REPLY_INDENT), expand=False
            )
        rendered.append(body)
    return rendered


def print_post(post: Post, console: Console) -> None:
    """Print a post the way a channel would show it."""
    for renderable in render_post_console(post):
        console.print(renderable)
