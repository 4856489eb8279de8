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
from bot.terminal import printable

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
    link = Style(link=printable(url)) if url else None
    styles = [s for s in (style, link) if s]
    # Style.chain() of nothing raises StopIteration: an item without a link and a style.
    return Text(printable(text), style=Style.chain(*styles) if styles else "")


def _joined(parts: Iterable[Text], separator: str) -> Text:
    return Text(separator).join(parts)


def _ranked_list(card: Card) -> Table:
    # A grid keeps wrapped titles aligned after their rank number, and each note (votes, the
    # arXiv id to type after /paper) whole in a column of its own.
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(ratio=1)  # the titles take the room the notes leave
    grid.add_column(no_wrap=True)
    for number, item in enumerate(card.items, start=1):
        note = Text(f" {printable(item.note)}", style=_NOTE) if item.note else Text()
        grid.add_row(f"{number}.", _linked(item.text, item.url), note)
    return grid


def _card_lines(card: Card) -> list[RenderableType]:
    lines: list[RenderableType] = [_linked(card.title, card.url, _BOLD)]
    if card.url:
        lines.append(_linked(card.url, card.url, _DIM))
    if card.intro:
        lines.append(Text(printable(card.intro)))
    if card.facts:
        facts = (
            Text.assemble((f"{printable(fact.name)} ", _BOLD), printable(fact.value))
            for fact in card.facts
        )
        lines.append(_joined(facts, "   "))
    if card.items:
        lines.append(_ranked_list(card))
    for section in card.sections:
        label = Text(f"{printable(section.label)}: ", style=_BOLD) if section.label else Text("• ")
        lines.append(Text.assemble(label, printable(section.text)))
    if card.image:
        lines.append(_linked("Thumbnail", card.image.url, _DIM))
    if card.links:
        lines.append(
            _joined((_linked(link.label, link.url, _LINK) for link in card.links), "  ·  ")
        )
    if card.footer:
        lines.append(Text(printable(card.footer), style=_DIM))
    return lines


def render_card(card: Card, role: MessageRole = "answer") -> RenderableType:
    """One card as a panel; its title is the first line inside, so a long title wraps."""
    return Panel(Group(*_card_lines(card)), border_style=_BORDER[role], expand=True)


def render_console(message: Message) -> RenderableType:
    """One message: its cards as panels, or its plain text when it has none."""
    if not message.cards:
        return Text(printable(message.text))
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
