"""Benchmark: parse and import a folder of digests into a fresh SQLite, then time lookups.

    .venv/bin/python benchmarks/import_archive.py [FOLDER] [--lookups N]

Prints files, papers, wall seconds and papers/s for the import (parse + write + full-text
index, one transaction), then p50/p99 of in-process `paper` and `top` lookups.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot.archive import Archive  # noqa: E402 - after the path setup above
from bot.sources import iter_digest_files  # noqa: E402

DEFAULT_FOLDER = PROJECT_ROOT.parent / "shared" / "corpus" / "daily_papers_ko"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args()
    files = iter_digest_files(args.folder)
    with tempfile.TemporaryDirectory() as data_dir:
        archive = Archive.in_data_dir(Path(data_dir))
        start = time.perf_counter()
        report = archive.import_files(files)
        seconds = time.perf_counter() - start
        print(
            f"import: {report.files} files, {report.papers} papers, {seconds:.3f} s, "
            f"{report.papers / seconds:,.0f} papers/s"
        )
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
