"""How the digest source has been doing, for `/digest-status`: last fetch, last error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class SourceHealth:
    """The latest outcomes of asking the source, kept by the running bot (not across restarts)."""

    description: str
    started_at: dt.datetime
    last_fetch_at: dt.datetime | None = None
    last_fetch_day: dt.date | None = None
    last_fetch_found: bool = False
    last_error: str | None = None
    last_error_at: dt.datetime | None = None

    def fetched(self, day: dt.date, *, found: bool, at: dt.datetime) -> None:
        self.last_fetch_at, self.last_fetch_day, self.last_fetch_found = at, day, found

    def failed(self, error: str, *, at: dt.datetime) -> None:
        self.last_error, self.last_error_at = error, at

    @property
    def healthy(self) -> bool:
        """No error since the last successful fetch."""
        if self.last_error_at is None:
            return True
        return self.last_fetch_at is not None and self.last_fetch_at > self.last_error_at
