"""The answer cache: repeats are served from memory, until the TTL or the archive changes."""

from __future__ import annotations

from bot.commands import AnswerCache
from tests.fakes.clock import ManualClock


def test_answers_are_reused_until_they_expire_and_the_oldest_go_first() -> None:
    clock = ManualClock(monotonic=0.0)
    computed: list[str] = []
    cache: AnswerCache[str] = AnswerCache(ttl=10, size=2, clock=clock.monotonic)

    def answer(key: str) -> str:
        def compute() -> str:
            computed.append(key)
            return key.upper()

        return cache.get_or_compute(key, compute)

    assert [answer("a"), answer("a"), answer("b")] == ["A", "A", "B"]
    assert computed == ["a", "b"]
    answer("c")  # over the size: "a", the least recently used, goes
    answer("a")
    assert computed == ["a", "b", "c", "a"]
    clock.advance(10.5)  # expired
    answer("a")
    assert computed == ["a", "b", "c", "a", "a"]


def test_an_import_makes_cached_answers_stale(sample_archive) -> None:  # type: ignore[no-untyped-def]
    from bot.ingest import SAMPLE_ARCHIVE_DIR
    from bot.parser import parse_file

    before = sample_archive.generation
    sample_archive.import_digests([parse_file(SAMPLE_ARCHIVE_DIR / "2025-01-09.md")])
    assert sample_archive.generation == before + 1
