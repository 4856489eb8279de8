"""Bulk import of digest files: skip unchanged files unread, parse the rest, write once.

On SQLite the search index is written while the files are parsed: each batch of parsed papers
goes to the import's `SearchIndexWriter`, whose worker thread indexes it during the next batch.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select

from bot.archive.importing import DigestInput, bytes_hash, write_digests
from bot.archive.records import ImportReport
from bot.archive.search_index import search_index
from bot.errors import DigestParseError
from bot.parser import parse_digest_bytes, read_digest_file
from bot.storage import bulk_write
from bot.storage.locking import Notice, write_transaction
from bot.storage.tables import digests

Progress = Callable[[int, int], None]  # (files done, files in all)


def import_files(
    engine: Engine,
    files: Sequence[tuple[dt.date, Path]],
    progress: Progress | None = None,
    on_wait: Notice | None = None,
) -> ImportReport:
    """Parse and import digest files in one transaction; a file that cannot be read is reported.

    `on_wait` is called if another process is writing the archive and this import waits for it.
    """
    with engine.connect() as connection:
        rows = connection.execute(select(digests.c.day, digests.c.content_hash))
        known = {day: content_hash for day, content_hash in rows}
    unchanged: list[dt.date] = []
    failed: list[str] = []
    inputs: list[DigestInput] = []
    with (
        _no_cycle_collection(),
        engine.connect() as connection,
        bulk_write(connection),  # outside the transaction: its settings count at the commit
        write_transaction(connection, on_wait),  # the index's row numbers need the lock first
        search_index(connection) as index,
    ):
        dialect = connection.dialect.name
        unindexed: list[DigestInput] = []
        for done, (day, path) in enumerate(files, start=1):
            try:
                item = _read(day, path, known)
            except DigestParseError as error:  # one unreadable file: named, the others land
                failed.append(str(error))
            else:
                if item is None:
                    unchanged.append(day)  # not even parsed: re-importing an archive is instant
                else:
                    item.listing(dialect)  # built now, while the worker indexes
                    inputs.append(item)
                    unindexed.append(item)
            # Whatever was parsed since goes to the worker as soon as it is free: no waiting
            # here, and as few hand-offs (each one a wait for the GIL) as keep it busy.
            if index is not None and unindexed and (not index.busy or done == len(files)):
                index.feed(
                    doc for item in unindexed for doc in item.listing(dialect).documents.values()
                )
                unindexed = []
            if progress is not None:
                progress(done, len(files))
        report = write_digests(connection, inputs, index)
    report.files = len(files)
    report.unchanged_days = sorted(unchanged + report.unchanged_days)
    report.failed = failed
    return report


def _read(day: dt.date, path: Path, known: dict[dt.date, str]) -> DigestInput | None:
    """The file's digest, None if unchanged since its import; DigestParseError names the file."""
    data = read_digest_file(path)
    content_hash = bytes_hash(data)
    if known.get(day) == content_hash:
        return None
    return DigestInput(parse_digest_bytes(data, str(path), day=day), content_hash)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while the import builds its (acyclic) models.

    A large import allocates hundreds of thousands of objects, which set off full collections
    that walk all of them: about a sixth of the import's time, and nothing for them to free.
    Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
