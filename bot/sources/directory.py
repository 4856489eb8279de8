"""A local folder of digests named `YYYY-MM-DD.md` or `YYYY/MM/DD.md` (the default source)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

from bot.errors import SourceError
from bot.models import Digest
from bot.parser import parse_file

_FLAT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.md$")
_NESTED = re.compile(r"^(\d{4})/(\d{2})/(\d{2})\.md$")


def _day(match: re.Match[str] | None) -> dt.date | None:
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2025-02-30.md is not a day
        return None


def check_folder(root: Path) -> None:
    """SourceError naming the path and what to do, unless `root` is a readable folder."""
    if root.is_dir():
        return
    what = "it is a file" if root.exists() else "it does not exist"
    raise SourceError(
        f"{root}: no such folder of digests ({what}); create it and put digests named "
        "YYYY-MM-DD.md (or YYYY/MM/DD.md) in it, or set the source to a URL template with "
        "{yyyy}/{mm}/{dd} or to 'huggingface'"
    )


def iter_digest_files(root: Path) -> list[tuple[dt.date, Path]]:
    """Every digest file under `root` with its day, by day; `YYYY-MM-DD.md` wins a tie.

    Files whose names are not dates (README.md, notes, 2025-02-30.md) are ignored. A dated name
    that is not a readable file (a folder named 2025-01-10.md) is listed all the same, unless a
    file holds that day: the import then names it instead of leaving the day out unsaid.
    """
    check_folder(root)
    found: dict[dt.date, Path] = {}
    for path in root.glob("*/*/*.md"):
        day = _day(_NESTED.match(path.relative_to(root).as_posix()))
        if day is not None:
            found[day] = path
    # Flat names go second so they replace a nested file of the same day, whatever the disk order.
    for path in root.glob("*.md"):
        day = _day(_FLAT.match(path.name))
        if day is not None and (day not in found or path.is_file() or not found[day].is_file()):
            found[day] = path
    return sorted(found.items())


class DirectorySource:
    """Digests read from files; also what `digest-bot import` reads in bulk."""

    live = False  # a file, once written, is the day's digest

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def description(self) -> str:
        return f"folder {self.root}"

    def path_for(self, day: dt.date) -> Path | None:
        """The file holding `day`'s digest, with the same preference as `iter_digest_files`."""
        for path in (self.root / f"{day.isoformat()}.md", self.root / day.strftime("%Y/%m/%d.md")):
            if path.is_file():
                return path
        return None

    async def fetch(self, day: dt.date) -> Digest | None:
        """The day's digest, None without a file; DigestParseError for a file with no digest."""
        check_folder(self.root)
        path = self.path_for(day)
        if path is None:
            return None
        # Reading and parsing is disk and CPU work; keep the event loop free for chat traffic.
        return await asyncio.to_thread(parse_file, path)

    async def list_days(self) -> list[dt.date] | None:
        files = await asyncio.to_thread(iter_digest_files, self.root)
        return [day for day, _ in files]
