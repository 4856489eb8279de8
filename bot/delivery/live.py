"""When a live source's day is ready to post.

The Hugging Face list of day D fills until about 01:30–02:30 UTC on D+1 (a few papers arrive
late) and its votes keep moving. A day is posted once its list has not changed for the settle
time, or once it has closed; afterwards, for a window, every posted channel is edited in place
(`DigestRunner.refresh_live`, through `DeliveryEngine.update`).
"""

from __future__ import annotations

import datetime as dt

from bot.models import Digest, paper_key

# The hour (UTC) of day D+1 by which the list of day D has stopped growing.
LIST_CLOSES_UTC = dt.time(3, 0)


def list_closed(day: dt.date, now: dt.datetime) -> bool:
    return now >= dt.datetime.combine(day + dt.timedelta(days=1), LIST_CLOSES_UTC, dt.UTC)


class ListWatch:
    """Remembers since when each day's list has looked the same."""

    def __init__(self, *, live: bool, settle: dt.timedelta) -> None:
        self.live = live
        self.settle = settle
        self._seen: dict[dt.date, tuple[frozenset[str], dt.datetime]] = {}

    def settled(self, digest: Digest, now: dt.datetime) -> bool:
        """Whether `digest` may be posted: not live, closed, or unchanged for the settle time."""
        if not self.live or not digest.papers or list_closed(digest.date, now):
            return True
        keys = frozenset(paper_key(paper) for paper in digest.papers)
        seen = self._seen.get(digest.date)
        if seen is None or seen[0] != keys:
            self._seen[digest.date] = (keys, now)
            return self.settle <= dt.timedelta(0)
        return now - seen[1] >= self.settle

    def closed(self, day: dt.date, now: dt.datetime) -> bool:
        return self.live and list_closed(day, now)
