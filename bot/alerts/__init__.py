"""Keyword alerts: which papers match a user's words, where alerts are kept, who is told."""

from bot.alerts.matching import AlertMatch, Recipient, normalise_words, paper_text, words_match
from bot.alerts.notifier import (
    CLAIMS_KEPT_DAYS,
    PAPERS_PER_MESSAGE,
    AlertNotifier,
    DirectMessenger,
    alert_message,
)
from bot.alerts.store import EXAMPLE, MAX_ALERTS, MAX_WORDS_CHARS, USAGE, Alert, AlertStore

__all__ = [
    "CLAIMS_KEPT_DAYS",
    "EXAMPLE",
    "MAX_ALERTS",
    "MAX_WORDS_CHARS",
    "PAPERS_PER_MESSAGE",
    "USAGE",
    "Alert",
    "AlertMatch",
    "AlertNotifier",
    "AlertStore",
    "DirectMessenger",
    "Recipient",
    "alert_message",
    "normalise_words",
    "paper_text",
    "words_match",
]
