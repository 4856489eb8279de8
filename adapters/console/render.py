"""Neutral messages rendered for a terminal with rich: what the console adapter and
`digest-bot render --platform console` show."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from bot.messages import Card, Message, Post


def _link(text: str, url: str | None) -> str:
    # Digest text is escaped so "[bold]" inside a summary stays literal; URLs go in the
    # link attribute only after escaping brackets that would end the markup tag.
    shown = escape(text)
    return f"[link={escape(url)}]{shown}[/link]" if url else shown


def render_card(card: Card) -> RenderableType:
    lines: list[RenderableType] = []
    if card.intro:
        lines.append(Text(card.intro))
    if card.facts:
        lines.append(
            Text.from_markup(
                "   ".join(f"[bold]{escape(f.name)}[/bold] {escape(f.value)}" for f in card.facts)
            )
        )
    for number, item in enumerate(card.items, start=1):
        note = f" [yellow]{escape(item.note)}[/yellow]" if item.note else ""
        lines.append(Text.from_markup(f"{number:>2}. {_link(item.text, item.url)}{note}"))
    for section in card.sections:
        label = f"[bold cyan]{escape(section.label)}[/bold cyan]: " if section.label else "• "
        lines.append(Text.from_markup(label + escape(section.text)))
    if card.image:
        lines.append(Text.from_markup(f"[dim]🖼 {_link('thumbnail', card.image.url)}[/dim]"))
    if card.links:
        lines.append(
            Text.from_markup("  ·  ".join(_link(link.label, link.url) for link in card.links))
        )
    if card.footer:
        lines.append(Text(card.footer, style="dim"))
    title = f"[bold]{_link(card.title, card.url)}[/bold]" if card.title else None
    return Panel(Group(*lines), title=title, title_align="left", border_style="yellow")


def render_console(message: Message) -> RenderableType:
    """One message: its cards as panels, or its plain text when it has none."""
    if not message.cards:
        return Text(message.text)
    return Group(*(render_card(card) for card in message.cards))


def render_post_console(post: Post) -> list[RenderableType]:
    """A post in order; thread replies indented under their header, as a chat app shows them."""
    rendered: list[RenderableType] = []
    for index, message in enumerate(post.messages):
        body = render_console(message)
        if post.mode == "thread" and index > 0:
            body = Padding(Group(Text("↳ reply in thread", style="dim"), body), (0, 0, 0, 4))
        rendered.append(body)
    return rendered


def print_post(post: Post, console: Console) -> None:
    for renderable in render_post_console(post):
        console.print(renderable)
