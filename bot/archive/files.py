"""Bulk import of digest files: skip unchanged files unread, parse the rest, write once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine, select

from bot.archive.importing import DigestInput, bytes_hash, write_digests
from bot.archive.records import ImportReport
from bot.errors import DigestParseError
from bot.parser import parse_digest
from bot.storage.tables import digests

Progress = Callable[[int, int], None]  # (files done, files in all)


def import_files(
    engine: Engine, files: Sequence[tuple[dt.date, Path]], progress: Progress | None = None
) -> ImportReport:
    """Parse and import digest files in one transaction; a file that cannot be read is reported."""
    with engine.connect() as connection:
        rows = connection.execute(select(digests.c.day, digests.c.content_hash))
        known = {day: content_hash for day, content_hash in rows}
    unchanged: list[dt.date] = []
    failed: list[str] = []
    inputs: list[DigestInput] = []
    for done, (day, path) in enumerate(files, start=1):
        data = path.read_bytes()
        content_hash = bytes_hash(data)
        if known.get(day) == content_hash:
            unchanged.append(day)  # not even parsed: re-importing a big archive stays instant
        else:
            try:
                digest = parse_digest(data.decode("utf-8", "replace"), str(path), day=day)
            except DigestParseError as error:
                failed.append(str(error))
            else:
                inputs.append(DigestInput(digest, content_hash))
        if progress is not None:
            progress(done, len(files))
    with engine.begin() as connection:
        report = write_digests(connection, inputs)
    report.files = len(files)
    report.unchanged_days = sorted(unchanged + report.unchanged_days)
    report.failed = failed
    return report
