"""Every user's keyword alerts (`/paper-alert add <words>`), kept in the bot's database.

A user keeps up to `MAX_ALERTS` alerts, each a few words; the store also keeps the claims of the
alert messages sent (see `bot.alerts.notifier`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from bot.alerts.matching import AlertMatch, Recipient, match_alerts, normalise_words
from bot.clock import Clock, utc_now
from bot.errors import UserError
from bot.models import Digest, Paper
from bot.storage import ensure_schema
from bot.storage.tables import alert_messages, paper_alerts

log = logging.getLogger(__name__)

MAX_ALERTS = 20  # per user and platform
MAX_WORDS_CHARS = 100  # an alert's words, normalised
EXAMPLE = "/paper-alert add diffusion video"
USAGE = "/paper-alert add <words> | /paper-alert list | /paper-alert remove <number|words>"

Papers = list[Paper]  # `AlertStore.list` hides the builtin inside the class


@dataclass(frozen=True)
class Alert:
    """One alert of a user; `number` is its place in `/paper-alert list`, from 1."""

    number: int
    id: int
    words: str
    created_at: dt.datetime


class AlertStore:
    """Every user's alerts, and the claims of the alert messages sent, in the bot's database."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock
        ensure_schema(engine)

    def add(self, platform: str, user_id: str, text: str) -> Alert:
        """Add an alert; UserError when the words are missing, too long, known, or one too many."""
        words = normalise_words(text)
        if not words:
            raise UserError(f"Which words should the alert look for? e.g. {EXAMPLE}")
        if len(words) > MAX_WORDS_CHARS:
            raise UserError(
                f"An alert can be at most {MAX_WORDS_CHARS} characters long (this one has "
                f"{len(words)}): keep the few words that matter, e.g. {EXAMPLE}"
            )
        current = self.list(platform, user_id)
        same = next((a for a in current if set(a.words.split()) == set(words.split())), None)
        if same is not None:
            raise UserError(f"You already have this alert: {same.number}. {same.words}")
        if len(current) >= MAX_ALERTS:
            raise UserError(
                f"You have {len(current)} alerts, the most there can be. Remove one first: "
                "/paper-alert remove <number>"
            )
        row = {
            "platform": platform,
            "user_id": user_id,
            "words": words,
            "created_at": self.clock(),
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(paper_alerts).values(row))
        except IntegrityError:  # the same words added at the same moment, e.g. a double submit
            raise UserError(f"You already have this alert: {words}") from None
        added = next(a for a in self.list(platform, user_id) if a.words == words)
        log.info("alerts: %s user %s added an alert (%d now)", platform, user_id, added.number)
        return added

    def list(self, platform: str, user_id: str) -> list[Alert]:
        """The user's alerts, oldest first, numbered from 1."""
        query = (
            select(paper_alerts.c.id, paper_alerts.c.words, paper_alerts.c.created_at)
            .where(paper_alerts.c.platform == platform, paper_alerts.c.user_id == user_id)
            .order_by(paper_alerts.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Alert(number=number, id=row.id, words=row.words, created_at=row.created_at)
            for number, row in enumerate(rows, start=1)
        ]

    def remove(self, platform: str, user_id: str, text: str) -> Alert:
        """Remove an alert by its number in `list` or by its words; UserError if there is none."""
        current = self.list(platform, user_id)
        if not current:
            raise UserError(f"You have no alerts to remove. Add one: {EXAMPLE}")
        wanted = text.strip().lstrip("#").rstrip(".")
        alert: Alert | None = None
        if wanted.isdigit() and 1 <= int(wanted) <= len(current):
            alert = current[int(wanted) - 1]
        else:
            words = set(normalise_words(text).split())
            alert = next((a for a in current if set(a.words.split()) == words), None)
        if alert is None:
            if not text.strip():
                raise UserError(
                    "Which alert? Give its number from /paper-alert list, or its words."
                )
            raise UserError(
                f"No alert '{text.strip()[:MAX_WORDS_CHARS]}'. Give a number from 1 to "
                f"{len(current)} (see /paper-alert list) or an alert's words."
            )
        with self.engine.begin() as connection:
            connection.execute(delete(paper_alerts).where(paper_alerts.c.id == alert.id))
        log.info("alerts: %s user %s removed an alert", platform, user_id)
        return alert

    def found(self, digest: Digest) -> dict[Recipient, AlertMatch]:
        """Every user with at least one paper of `digest` matching one of their alerts."""
        query = select(paper_alerts.c.platform, paper_alerts.c.user_id, paper_alerts.c.words)
        with self.engine.connect() as connection:
            alerts = connection.execute(query.order_by(paper_alerts.c.id)).all()
        if not alerts or not digest.papers:
            return {}
        return match_alerts([(a.platform, a.user_id, a.words) for a in alerts], digest.papers)

    def matches(self, digest: Digest) -> dict[Recipient, Papers]:
        """The papers of `digest` each user's alerts match, most-voted first, each paper once."""
        return {who: match.papers for who, match in self.found(digest).items()}

    def claim(self, platform: str, user_id: str, day: dt.date) -> bool:
        """Take the right to send the user the day's alert message; False if it was taken."""
        row = {"platform": platform, "user_id": user_id, "day": day, "claimed_at": self.clock()}
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(alert_messages).values(row))
        except IntegrityError:
            return False
        return True

    def release(self, platform: str, user_id: str, day: dt.date) -> None:
        """Give a claim back after a failed send, so that a later call sends the message."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(alert_messages).where(
                    and_(
                        alert_messages.c.platform == platform,
                        alert_messages.c.user_id == user_id,
                        alert_messages.c.day == day,
                    )
                )
            )

    def forget_claims_before(self, day: dt.date) -> int:
        """Drop the claims of days before `day`; returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(alert_messages).where(alert_messages.c.day < day))
        return int(result.rowcount or 0)
