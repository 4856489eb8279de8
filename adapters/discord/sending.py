"""One post on its way to one Discord target: what both delivery modes share about a resume."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from adapters.discord.render import DiscordPayload
from bot.delivery.publisher import DeliveryKey, RecordSent, SentMessage
from bot.messages import Post


@dataclass
class Sending:
    """A post's rendered parts, those already sent (`done`, by index), and where errors point."""

    target: str
    post: Post
    payloads: list[DiscordPayload]
    key: DeliveryKey
    where: str  # how errors and logs name the channel: never a webhook's URL
    done: dict[int, SentMessage]
    record: RecordSent

    @property
    def header_thread(self) -> str | None:
        """The thread an earlier attempt recorded with the first message, if any."""
        header = self.done.get(0)
        return header.thread_id if header is not None else None

    def pending(self) -> Iterator[tuple[int, DiscordPayload]]:
        """The parts still to send, in order: a resume starts after what was recorded."""
        return ((i, payload) for i, payload in enumerate(self.payloads) if i not in self.done)

    async def sent(self, message: SentMessage) -> None:
        """Note a part as delivered, here and in the ledger, before the next one goes out."""
        self.done[message.index] = message
        await self.record(message)
