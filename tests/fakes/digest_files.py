"""Digest files in the real format, written by archive tests, and a count of what was stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from bot.archive import Archive


def digest_text(day: dt.date, *entries: tuple[str, str, str, str]) -> str:
    """A digest in the real format; entries are (arxiv id, title, votes, summary)."""
    lines = [f"## Daily Papers ({day.isoformat()})", ""]
    for arxiv_id, title, votes, summary in entries:
        lines += [
            f"### [{title}](https://arxiv.org/abs/{arxiv_id})",
            f"![](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png)",
            f"Vote: {votes}",
            "Authors: Ada Lovelace, Alan Turing",
            f"- ***What's New***: {summary}",
            "",
        ]
    return "\n".join(lines)


def write(folder: Path, day: dt.date, text: str) -> tuple[dt.date, Path]:
    path = folder / f"{day.isoformat()}.md"
    path.write_text(text, encoding="utf-8")
    return day, path


def count(archive: Archive, table: object) -> int:
    with archive.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
