"""Which papers match an alert: every word of it starts a word of the paper, ignoring case.

A paper matches an alert when every word of it starts a word of the paper's title, authors or
summary: `video` finds "videos" and `llm` finds "LLMs", but `art` does not find "start".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.formatter.selection import rank_papers
from bot.models import Paper

_SEPARATORS = re.compile(r"[\s,;]+")

Recipient = tuple[str, str]
"""(platform, user id): who gets an alert message."""


@dataclass(frozen=True)
class AlertMatch:
    """A user's papers of one digest, most-voted first, and which of their alerts found them."""

    papers: list[Paper]
    words: list[str]


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


def match_alerts(
    alerts: Iterable[tuple[str, str, str]], papers: Sequence[Paper]
) -> dict[Recipient, AlertMatch]:
    """Every user with a paper matching one of their (platform, user id, words) alerts."""
    ranked = rank_papers(papers)
    texts = [paper_text(paper) for paper in ranked]
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
        who: AlertMatch([ranked[i] for i in sorted(indexes)], alert_words)
        for who, (indexes, alert_words) in hits.items()
    }
