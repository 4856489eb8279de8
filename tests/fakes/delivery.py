"""What every publisher test needs: the sample day as a post, and the ledger's `record` side."""

from __future__ import annotations

from bot.delivery.publisher import SentMessage
from bot.formatter import FormatOptions, format_digest
from bot.ingest import SAMPLE_ARCHIVE_DIR
from bot.messages import Post, PostMode
from bot.parser import parse_file


def sample_post(mode: PostMode = "thread") -> Post:
    """The bundled 2025-01-09 digest (6 papers) as a post: 7 messages in thread mode."""
    return format_digest(parse_file(SAMPLE_ARCHIVE_DIR / "2025-01-09.md"), FormatOptions(mode=mode))


class Recorder:
    """The ledger's side of `record`: what was reported sent, in order; can crash on cue."""

    def __init__(self, crash_at: int | None = None) -> None:
        self.sent: list[SentMessage] = []
        self.crash_at = crash_at

    async def __call__(self, message: SentMessage) -> None:
        if self.crash_at is not None and len(self.sent) == self.crash_at:
            raise RuntimeError("the process died before recording this message")
        self.sent.append(message)
