"""The one interface every digest source implements."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from bot.models import Digest


class DigestSource(Protocol):
    """Where digests come from: a folder, a URL template, or the Hugging Face API.

    `fetch` and `list_days` raise `SourceError` when the source cannot be read at all (folder
    missing, server down after every retry), so callers can tell "nothing yet" from "broken".
    """

    # A read-only property, so a source may offer it as a plain attribute or as a property.
    @property
    def description(self) -> str:
        """What the source is, for logs and status; never contains secrets."""
        ...

    # True when a day's digest keeps changing after it first appears (the Hugging Face list):
    # the bot then waits for it to settle and edits its post as it changes.
    live: bool

    async def fetch(self, day: dt.date) -> Digest | None:
        """The digest of `day`, or None when there is none (yet) for that day."""
        ...

    async def list_days(self) -> list[dt.date] | None:
        """The days the source has, ascending; None when it cannot list them."""
        ...
