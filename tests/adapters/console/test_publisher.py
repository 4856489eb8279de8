"""The console channel's label is the user's text, shown as typed."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from adapters.console.publisher import ConsolePublisher
from bot.delivery.publisher import DeliveryKey, SentMessage
from bot.messages import Message, Post


async def test_a_target_label_is_printed_as_text_not_markup() -> None:
    screen = io.StringIO()
    publisher = ConsolePublisher(Console(file=screen, width=100))
    sent: list[SentMessage] = []

    async def record(message: SentMessage) -> None:
        sent.append(message)

    post = Post(mode="single", messages=[Message(role="notice", text="hello")])
    for target in ("[/red]", "[bold]ops[/bold]", "term\x1b[31m"):
        key = DeliveryKey(channel="c", day=dt.date(2025, 1, 10))
        await publisher.publish(target, post, key=key, already_sent=[], record=record)

    shown = screen.getvalue()
    assert "#[/red] · 2025-01-10" in shown  # was a MarkupError, and nothing posted
    assert "#[bold]ops[/bold] · 2025-01-10" in shown
    assert "#term · 2025-01-10" in shown
    assert "\x1b" not in shown
    assert len(sent) == 3
