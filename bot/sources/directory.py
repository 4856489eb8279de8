"""A local folder of digests named `YYYY-MM-DD.md` or `YYYY/MM/DD.md` (the default source)."""

from __future__ import annotations

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


def iter_digest_files(root: Path) -> list[tuple[dt.date, Path]]:
    """Every digest file under `root` with its day, by day; `YYYY-MM-DD.md` wins a tie."""
    if not root.is_dir():
        raise SourceError(
            f"{root}: no such folder of digests; give a folder of YYYY-MM-DD.md files, a URL "
            "template with {yyyy}/{mm}/{dd}, or 'huggingface'"
        )
    found: dict[dt.date, Path] = {}
    for path in root.glob("*/*/*.md"):
        day = _day(_NESTED.match(path.relative_to(root).as_posix()))
        if day is not None:
            found[day] = path
    for path in root.glob("*.md"):
        day = _day(_FLAT.match(path.name))
        if day is not None:
            found[day] = path
    return sorted(found.items())


class DirectorySource:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def description(self) -> str:
        return f"folder {self.root}"

    def path_for(self, day: dt.date) -> Path | None:
        for path in (self.root / f"{day.isoformat()}.md", self.root / day.strftime("%Y/%m/%d.md")):
            if path.is_file():
                return path
        return None

    async def fetch(self, day: dt.date) -> Digest | None:
        if not self.root.is_dir():
            iter_digest_files(self.root)  # raises the helpful error
        path = self.path_for(day)
        return None if path is None else parse_file(path)

    async def list_days(self) -> list[dt.date] | None:
        return [day for day, _ in iter_digest_files(self.root)]
