"""Benchmark: parse and import a folder of digests into a fresh SQLite, then time lookups.

    .venv/bin/python benchmarks/import_archive.py [FOLDER] [--lookups N] [--breakdown]

Prints files, papers, wall seconds and papers/s for the import (parse + write + full-text
index, one transaction) into a fresh SQLite, `--runs` times (3), each run's figure and their
median; then p50/p99 of in-process `paper` and `top` lookups. A fixed pure-Python loop is timed
first, to tell a slow moment of a shared machine from a slow import. `--breakdown` also prints where
the import's time went: parsing alone, indexing alone, the SQL statements the main thread ran
(the search index is written by a worker thread meanwhile), the commit and the database's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import event  # noqa: E402 - after the path setup above

from bot.archive import Archive  # noqa: E402
from bot.archive.search_index import paper_document, search_index  # noqa: E402
from bot.models import paper_key  # noqa: E402
from bot.parser import parse_digest  # noqa: E402
from bot.sources import iter_digest_files  # noqa: E402

DEFAULT_FOLDER = PROJECT_ROOT.parent / "shared" / "corpus" / "daily_papers_ko"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def breakdown(files: Sequence[tuple[dt.date, Path]], data_dir: Path) -> None:
    """Where an import's time goes: parsing alone, SQL statements by kind, and the commit."""
    began = time.perf_counter()
    parsed = [
        parse_digest(path.read_bytes().decode("utf-8", "replace"), str(path), day=day)
        for day, path in files
    ]
    print(f"breakdown: parsing alone {time.perf_counter() - began:.3f} s")
    documents = {paper_key(p): paper_document(p) for digest in parsed for p in digest.papers}
    scratch = Archive.in_data_dir(data_dir / "scratch")
    with scratch.engine.connect() as connection, connection.begin():
        began = time.perf_counter()
        with search_index(connection) as index:
            assert index is not None
            index.finish(documents, [])
        print(f"breakdown: indexing alone (the worker's part) {time.perf_counter() - began:.3f} s")
    scratch.engine.dispose()
    archive = Archive.in_data_dir(data_dir)
    spent: dict[str, float] = {}
    marks: list[float] = []

    @event.listens_for(archive.engine, "before_cursor_execute")
    def before(*_: object) -> None:
        marks.append(time.perf_counter())

    @event.listens_for(archive.engine, "after_cursor_execute")
    def after(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        kind = " ".join(statement.split()[:3])
        spent[kind] = spent.get(kind, 0.0) + time.perf_counter() - marks.pop()

    @event.listens_for(archive.engine, "commit")
    def committing(_connection: object) -> None:  # the import's one write transaction
        marks.append(time.perf_counter())

    began = time.perf_counter()
    archive.import_files(files)
    ended = time.perf_counter()
    for kind, seconds in sorted(spent.items(), key=lambda item: -item[1])[:4]:
        print(f"breakdown: {kind} … {seconds:.3f} s")
    print(f"breakdown: commit (WAL checkpoint left to the next write) {ended - marks[-1]:.3f} s")
    print(f"breakdown: whole import {ended - began:.3f} s")
    size = sum(f.stat().st_size for f in data_dir.glob("*.sqlite3*"))
    print(f"breakdown: database file {size / 1e6:.1f} MB")


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop: how fast this (shared) machine is right now."""
    began = time.perf_counter()
    total = 0
    for number in range(5_000_000):
        total += number
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="imports, each into a fresh SQLite")
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    files = iter_digest_files(args.folder)
    if args.breakdown:
        with tempfile.TemporaryDirectory() as data_dir:
            breakdown(files, Path(data_dir))
    print(f"reference loop (machine speed): {reference_loop():.3f} s")
    timings: list[float] = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as data_dir:
            archive = Archive.in_data_dir(Path(data_dir))
            start = time.perf_counter()
            report = archive.import_files(files)
            seconds = time.perf_counter() - start
            timings.append(seconds)
            print(
                f"import run {run}: {report.files} files, {report.papers} papers, {seconds:.3f} s, "
                f"{report.papers / seconds:,.0f} papers/s"
            )
            archive.engine.dispose()
    median = statistics.median(timings)
    print(
        f"import: {report.files} files, {report.papers} papers, median {median:.3f} s "
        f"(runs {min(timings):.3f}–{max(timings):.3f} s), {report.papers / median:,.0f} papers/s"
    )
    with tempfile.TemporaryDirectory() as data_dir:
        archive = Archive.in_data_dir(Path(data_dir))
        archive.import_files(files)
        again = time.perf_counter()
        archive.import_files(files)
        print(f"re-import (unchanged): {time.perf_counter() - again:.3f} s")

        rng = random.Random(7)
        ids = [r.paper.arxiv_id for day in archive.dates() for r in archive.top(day, 100)]
        ids = [i for i in ids if i]
        days = archive.dates()
        for name, lookup in (
            ("paper", lambda: archive.get_paper(rng.choice(ids))),
            ("top", lambda: archive.top(rng.choice(days), 5)),
        ):
            samples = []
            for _ in range(args.lookups):
                began = time.perf_counter()
                lookup()
                samples.append((time.perf_counter() - began) * 1000)
            print(
                f"{name}: {args.lookups} lookups, p50 {statistics.median(samples):.3f} ms, "
                f"p99 {percentile(samples, 0.99):.3f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
