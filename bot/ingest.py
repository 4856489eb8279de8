"""Pulling digests from a source into the archive: the one path both `import` and the bot use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from bot.archive import Archive, ImportReport
from bot.errors import SourceError
from bot.sources import DigestSource, DirectorySource, iter_digest_files

Progress = Callable[[int, int], None]

# Digests written by this project, shipped in the package so the bot works without any setup.
SAMPLE_ARCHIVE_DIR = Path(__file__).resolve().parent / "sample_archive"


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


async def import_from_source(
    archive: Archive,
    source: DigestSource,
    days: list[dt.date] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `days` from `source` (a directory: every file in it when `days` is None).

    A day the source has no digest for is skipped; a day that fails to download is reported in
    `failed` and the others are still imported.
    """
    if isinstance(source, DirectorySource) and days is None:
        return archive.import_files(iter_digest_files(source.root), progress)
    if days is None:
        listed = await source.list_days()
        if listed is None:
            raise SourceError(
                f"{source.description} cannot list its digests; give the days to import "
                "(--since YYYY-MM-DD [--until YYYY-MM-DD])"
            )
        days = listed
    report = ImportReport()
    digests = []
    for done, day in enumerate(days, start=1):
        try:
            digest = await source.fetch(day)
        except SourceError as error:
            report.failed.append(f"{day.isoformat()}: {error}")
        else:
            if digest is not None:
                digests.append(digest)
        if progress is not None:
            progress(done, len(days))
    written = archive.import_digests(digests)
    written.files = len(days)
    written.failed = report.failed
    return written
