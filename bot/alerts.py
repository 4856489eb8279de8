"""Keyword alerts: `/paper-alert add <words>`, and a direct message when a digest has a match.

A user keeps up to `MAX_ALERTS` alerts, each a few words. A paper matches an alert when every
word of it starts a word of the paper's title, authors or summary, ignoring case: `video` finds
"videos" and `llm` finds "LLMs", but `art` does not find "start".

After a digest was delivered the running bot tells `AlertNotifier.notify`, which sends each user
with a match ONE direct message listing every matching paper of that day. The message is claimed
first by inserting (platform, user, day) into `alert_messages`, so a second call for the same
day, from a second channel's delivery, a live update or another bot process, sends nothing; a
send that fails gives the claim back and a later call tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine, and_, delete, insert, select
from sqlalchemy.exc import IntegrityError

from bot.errors import DeliveryError, UserError
from bot.formatter import FormatOptions, format_top
from bot.formatter.selection import rank_papers
from bot.messages import Message
from bot.models import Digest, Paper
from bot.storage import ensure_schema
from bot.storage.tables import alert_messages, paper_alerts

log = logging.getLogger(__name__)

MAX_ALERTS = 20  # per user and platform
MAX_WORDS_CHARS = 100  # an alert's words, normalised
PAPERS_PER_MESSAGE = 15  # a broad alert on a busy day names the first ones, then says how many
# Claims older than this are forgotten: no digest that old is delivered again.
CLAIMS_KEPT_DAYS = 60
EXAMPLE = "/paper-alert add diffusion video"
USAGE = "/paper-alert add <words> | /paper-alert list | /paper-alert remove <number|words>"
_SEPARATORS = re.compile(r"[\s,;]+")

Recipient = tuple[str, str]
"""(platform, user id): who gets an alert message."""
Papers = list[Paper]  # `AlertStore.list` hides the builtin inside the class


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_words(text: str) -> str:
    """An alert's words as stored and compared: lower case, single spaces, each word once.

    Commas and semicolons separate words like spaces do, so `diffusion, video` is
    `diffusion video`.
    """
    words = [word for word in _SEPARATORS.split(text.casefold()) if word]
    return " ".join(dict.fromkeys(words))


def paper_text(paper: Paper) -> str:
    """What an alert is matched against: title, authors and summary, lower case."""
    parts = [paper.title, *paper.authors, *(section.text for section in paper.sections)]
    return "\n".join(parts).casefold()


def _word_pattern(word: str) -> re.Pattern[str]:
    # At the start of a word of the text: after a non-word character, or at the very start.
    return re.compile(r"(?<!\w)" + re.escape(word))


def words_match(words: str, text: str) -> bool:
    """Whether every word of an alert (normalised) starts a word of `text` (case-folded)."""
    return all(_word_pattern(word).search(text) for word in words.split())


@dataclass(frozen=True)
class Alert:
    """One alert of a user; `number` is its place in `/paper-alert list`, from 1."""

    number: int
    id: int
    words: str
    created_at: dt.datetime


@dataclass(frozen=True)
class AlertMatch:
    """A user's papers of one digest, most-voted first, and which of their alerts found them."""

    papers: list[Paper]
    words: list[str]


class DirectMessenger(Protocol):
    """Sends a direct message to a user of one platform (Slack, Discord)."""

    platform: str

    async def send_direct(self, user_id: str, message: Message) -> None:
        """Send `message` to the user privately; raise `DeliveryError` if it was not sent."""
        ...


class AlertStore:
    """Every user's alerts, and the claims of the alert messages sent, in the bot's database."""

    def __init__(self, engine: Engine, *, clock: Callable[[], dt.datetime] = utc_now) -> None:
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
        papers = rank_papers(digest.papers)
        texts = [paper_text(paper) for paper in papers]
        hits: dict[Recipient, tuple[set[int], list[str]]] = {}
        for platform, user_id, words in alerts:
            patterns = [_word_pattern(word) for word in words.split()]
            found = {
                index
                for index, text in enumerate(texts)
                if all(pattern.search(text) for pattern in patterns)
            }
            if found:
                indexes, alert_words = hits.setdefault((platform, user_id), (set(), []))
                indexes.update(found)
                alert_words.append(words)
        return {
            who: AlertMatch([papers[i] for i in sorted(indexes)], alert_words)
            for who, (indexes, alert_words) in hits.items()
        }

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


def alert_message(
    day: dt.date, papers: Sequence[Paper], words: Sequence[str], options: FormatOptions
) -> Message:
    """The direct message: the day's matching papers as a ranked list, and the alerts that hit."""
    shown = list(papers[:PAPERS_PER_MESSAGE])
    count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
    title = f"Paper alert — {count} for you in the digest of {day.isoformat()}"
    message = format_top(shown, title=title, options=options)
    footer = "Matched your alerts: " + "; ".join(words)
    if len(papers) > len(shown):
        footer += f" · {len(papers) - len(shown)} more in the day's digest"
    footer += " · /paper-alert list to change them"
    cards = [card.model_copy(update={"footer": footer}) for card in message.cards]
    return message.model_copy(update={"cards": cards, "text": f"{message.text}\n{footer}"})


class AlertNotifier:
    """Sends each user with matching papers one direct message per digest day."""

    def __init__(
        self,
        store: AlertStore,
        senders: Mapping[str, DirectMessenger],
        *,
        options: FormatOptions | None = None,
    ) -> None:
        self.store = store
        self.senders = dict(senders)
        self.options = options or FormatOptions()

    async def notify(self, digest: Digest) -> None:
        """A `DigestRunner.digest_listeners` callback: the day's digest was delivered."""
        await self.send_due(digest)

    async def send_due(self, digest: Digest) -> int:
        """Send the day's alert messages not sent yet; returns how many were sent now."""
        sent = 0
        found = self.store.found(digest)
        for (platform, user_id), match in found.items():
            sender = self.senders.get(platform)
            if sender is None:  # e.g. the platform's bot token was removed since
                continue
            if not self.store.claim(platform, user_id, digest.date):
                continue  # sent already (or being sent by another call right now)
            message = alert_message(digest.date, match.papers, match.words, self.options)
            try:
                await sender.send_direct(user_id, message)
            except Exception as error:
                self.store.release(platform, user_id, digest.date)
                if isinstance(error, DeliveryError):
                    log.warning(
                        "date=%s: alert message to %s user %s not sent, retried later: %s",
                        digest.date,
                        platform,
                        user_id,
                        error,
                    )
                else:
                    log.exception(
                        "date=%s: alert message to %s user %s failed",
                        digest.date,
                        platform,
                        user_id,
                    )
                continue
            sent += 1
        if found:
            log.info(
                "date=%s: %d alert message(s) sent, %d user(s) matched",
                digest.date,
                sent,
                len(found),
            )
        self.store.forget_claims_before(digest.date - dt.timedelta(days=CLAIMS_KEPT_DAYS))
        return sent
