"""The alert messages: after a digest was delivered, ONE direct message per user and day.

The running bot tells `AlertNotifier.notify`, which sends each user with a match one direct message
listing every matching paper of that day. The message is claimed first by inserting (platform,
user, day) into `alert_messages`, so a second call for the same day, from a second channel's
delivery, a live update or another bot process, sends nothing; a send that fails gives the claim
back and a later call tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.alerts.store import AlertStore
from bot.errors import DeliveryError
from bot.formatter import FormatOptions, format_top
from bot.messages import Message
from bot.models import Digest, Paper

log = logging.getLogger(__name__)

PAPERS_PER_MESSAGE = 15  # a broad alert on a busy day names the first ones, then says how many
# Claims older than this are forgotten: no digest that old is delivered again.
CLAIMS_KEPT_DAYS = 60


class DirectMessenger(Protocol):
    """Sends a direct message to a user of one platform (Slack, Discord)."""

    platform: str

    async def send_direct(self, user_id: str, message: Message) -> None:
        """Send `message` to the user privately; raise `DeliveryError` if it was not sent."""
        ...


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
