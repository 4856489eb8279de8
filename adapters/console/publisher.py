"""The console as a delivery platform: a post is printed the way a chat would show it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from adapters.console.render import render_post_console
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage, fingerprint
from bot.messages import Post
from bot.terminal import printable


class ConsolePublisher:
    platform = "console"

    def __init__(self, console: Console) -> None:
        self.console = console

    async def publish(
        self,
        target: str,
        post: Post,
        *,
        key: DeliveryKey,
        already_sent: Sequence[SentMessage],
        record: RecordSent,
    ) -> None:
        done = {message.index for message in already_sent}
        # The label is the user's text, not console markup: "[ops]" or "[/red]" shows as typed.
        title = Text(f"#{printable(target)} · {key.day.isoformat()}")
        self.console.print(Rule(title, style="dim"))
        for index, renderable in enumerate(render_post_console(post)):
            if index in done:
                continue
            self.console.print(renderable)
            await record(SentMessage(index=index, message_id=key.part(index)))

    def fingerprints(self, target: str, post: Post) -> list[str]:
        return [fingerprint(message.model_dump(mode="json")) for message in post.messages]

    def can_edit(self, target: str) -> bool:
        return True

    async def edit(
        self, target: str, post: Post, *, key: DeliveryKey, messages: Sequence[SentMessage]
    ) -> None:
        """A terminal cannot change what it printed: the new version is printed, marked."""
        rendered = render_post_console(post)
        for message in messages:
            if message.index < len(rendered):
                self.console.print(f"✎ updated #{target} · {key.part(message.index)}", style="dim")
                self.console.print(rendered[message.index])
