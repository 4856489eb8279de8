"""Pulling digests from a source into the archive: the one path both `import` and the bot use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from bot.archive import ARCHIVE_FILE, Archive, ImportReport
from bot.errors import DigestParseError, SourceError, SourceUnreachable, UserError
from bot.models import Digest
from bot.sources import DigestSource, DirectorySource, iter_digest_files
from bot.storage.locking import Notice

Progress = Callable[[int, int], None]

# Digests written by this project, shipped in the package so the bot works without any setup.
SAMPLE_ARCHIVE_DIR = Path(__file__).resolve().parent / "sample_archive"
# The sample's own SQLite file in the data dir, so that `run` without a config never writes
# the sample over a user's archive (`digest-bot.sqlite3`, which `import DIR` fills).
SAMPLE_ARCHIVE_FILE = "sample.sqlite3"
# Days in a row whose host did not answer before a range import stops: one blip is forgiven.
BREAKER_DAYS = 3


def is_sample(source: DigestSource | str) -> bool:
    """Whether `source` (or a source spec from the config) is the bundled sample folder."""
    if isinstance(source, str):
        text = source.strip()
        if not text or "://" in text:
            return False
        root = Path(text).expanduser()
    elif isinstance(source, DirectorySource):
        root = source.root
    else:
        return False
    return root.resolve() == SAMPLE_ARCHIVE_DIR


def archive_file_for(source_spec: str) -> str:
    """The SQLite file (in the data dir) of the archive for this source, when no URL is set."""
    return SAMPLE_ARCHIVE_FILE if is_sample(source_spec) else ARCHIVE_FILE


def sample_notice() -> str:
    """What the embedded default says on screen: this is a sample, and how to load real data."""
    days = [day for day, _ in iter_digest_files(SAMPLE_ARCHIVE_DIR)]
    return (
        f"This is the bundled {len(days)}-day sample ({days[0]} to {days[-1]}), kept in its own "
        f"database ({SAMPLE_ARCHIVE_FILE}). For your own digests: `digest-bot import DIR` fills "
        'your archive, and `source = "DIR"` in digest-bot.toml makes `digest-bot run` use it.'
    )


def _check_sample_target(archive: Archive) -> None:
    """UserError unless the archive holds nothing but the sample: it never replaces real days."""
    theirs = [day for day, source in archive.day_sources().items() if not _from_sample(source)]
    if theirs:
        raise UserError(
            f"the bundled sample is not imported: this archive holds {len(theirs)} days of your "
            f"own digests ({theirs[0]} to {theirs[-1]}) that it could replace; import your "
            "folder instead (`digest-bot import DIR`), or give another --data-dir for the sample"
        )


def _from_sample(stored_source: str) -> bool:
    # By the folder's place in a package, not its full path: the sample imported by another
    # installation of the bot (another venv) is the sample too.
    folder = Path(stored_source).parent
    return folder.name == SAMPLE_ARCHIVE_DIR.name and folder.parent.name == "bot"


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


async def import_from_source(
    archive: Archive,
    source: DigestSource,
    days: list[dt.date] | None = None,
    progress: Progress | None = None,
    on_wait: Notice | None = None,
) -> ImportReport:
    """Import `days` from `source` (a directory: every file in it when `days` is None).

    A day the source has no digest for is skipped; a day that fails to download or holds no
    digest is reported in `failed` and the others are still imported (see `fetch_days`). The
    bundled sample goes only into an archive holding nothing else (UserError otherwise).
    `on_wait` is called if another process is importing and this one waits for it.
    """
    if is_sample(source):
        _check_sample_target(archive)
    if isinstance(source, DirectorySource) and days is None:
        return archive.import_files(iter_digest_files(source.root), progress, on_wait)
    if days is None:
        listed = await source.list_days()
        if listed is None:
            raise SourceError(
                f"{source.description} cannot list its digests; give the days to import "
                "(--since YYYY-MM-DD [--until YYYY-MM-DD])"
            )
        days = listed
    digests, failed = await fetch_days(source, days, progress)
    written = archive.import_digests(digests, on_wait)
    written.files = len(days)
    written.failed = failed
    return written


async def fetch_days(
    source: DigestSource,
    days: list[dt.date],
    progress: Progress | None = None,
    *,
    stop_after_unreachable: int = BREAKER_DAYS,
) -> tuple[list[Digest], list[str]]:
    """The digests of `days` and one line per day that failed, naming the day and why.

    A day that cannot be read (an HTML page, an empty answer, a server error) is reported and
    the next day fetched. After `stop_after_unreachable` days in a row whose host never answered,
    the rest are not tried: one line names the host and the days left, instead of waiting out
    every retry of every remaining day.
    """
    digests: list[Digest] = []
    failed: list[str] = []
    unreachable = 0
    for done, day in enumerate(days, start=1):
        try:
            digest = await source.fetch(day)
        except SourceUnreachable as error:
            failed.append(f"{day.isoformat()}: {error}")
            unreachable += 1
            if unreachable >= stop_after_unreachable and done < len(days):
                left = days[done:]
                failed.append(
                    f"stopped: {error.host} did not answer for {unreachable} days in a row; "
                    f"{len(left)} days not fetched ({left[0].isoformat()} to "
                    f"{left[-1].isoformat()}); import them again once it is back"
                )
                break
        except (SourceError, DigestParseError) as error:
            failed.append(f"{day.isoformat()}: {error}")
            unreachable = 0
        else:
            unreachable = 0
            if digest is not None:
                digests.append(digest)
        if progress is not None:
            progress(done, len(days))
    return digests, failed
