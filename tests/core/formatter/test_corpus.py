"""Every real digest formats in both modes and both languages, and no paper goes missing."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.formatter import FormatOptions, format_digest
from bot.parser import parse_file
from tests.conftest import corpus_files


def _votes(fact: str) -> int:
    """ "▲ 102" → 102; "—" (no count) ranks below every count."""
    return -1 if fact == "—" else int(fact.removeprefix("▲ "))


@pytest.mark.corpus
@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_real_digest_formats_with_every_paper(language: str) -> None:
    thread_options = FormatOptions.model_validate({"language": language})
    single_options = thread_options.model_copy(update={"mode": "single"})
    for path in corpus_files():
        digest = parse_file(path)
        thread = format_digest(digest, thread_options)
        header, *replies = thread.messages
        assert header.role == "header", path
        assert header.text, path
        posted = Counter(reply.cards[0].title for reply in replies)
        assert posted == Counter(paper.title for paper in digest.papers), path
        assert all(reply.text and reply.cards[0].url for reply in replies), path
        shown = [_votes(reply.cards[0].facts[0].value) for reply in replies]
        assert shown == sorted(shown, reverse=True), path  # most voted first

        single = format_digest(digest, single_options)
        assert len(single.messages) == 1, path
        assert single.messages[0].text, path
        assert len(single.messages[0].cards) == len(digest.papers) + 1, path
