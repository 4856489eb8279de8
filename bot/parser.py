"""Read a daily digest Markdown file into a `Digest`.

The digest format is line-oriented (one fact per line), so the file is scanned line by line; only
the paper headings go through markdown-it-py's link parser, which gets nested brackets and escapes
in titles right. A full Markdown parse of every file would cost ~40x more for no better result.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkLabel
from markdown_it.rules_inline import StateInline

from bot.arxiv import try_parse_arxiv_id
from bot.errors import DigestParseError
from bot.models import Digest, Paper, ParseWarning, Section

HF_BASE_URL = "https://huggingface.co"

_DAY_HEADING = re.compile(r"^##\s+Daily Papers\s*\((?P<date>[^)]*)\)\s*$", re.IGNORECASE)
_VOTE = re.compile(r"^Votes?\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_AUTHORS = re.compile(r"^Authors?\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_IMAGE = re.compile(r"^!\[[^\]]*\]\((?P<url>[^)\s]*)[^)]*\)\s*$")
_VIDEO = re.compile(r"^\[Watch Video\]\(?(?P<url>[^)\s]+)\)?\s*$", re.IGNORECASE)
_HTML_VIDEO_SRC = re.compile(r"<video[^>]*\ssrc=\"(?P<url>[^\"]+)\"", re.IGNORECASE)
_BULLET = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?P<body>.*)$")
# `***What's New***: text`, `**What's New**: text` and `**What's New:** text` alike.
_LABELLED = re.compile(r"^\*{2,3}(?P<label>[^*]+?)\*{2,3}\s*(?::\s*)?(?P<text>.*)$", re.DOTALL)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

# Most headings need no Markdown parser at all; the rest (brackets, escapes, code) go through it.
_SIMPLE_LINK = re.compile(r"^\[(?P<title>[^\[\]\\`]*)\]\((?P<url>[^()\s<>\\]*)\)\s*$")

_markdown = MarkdownIt("commonmark")


@dataclass
class _PaperDraft:
    """A paper being read; becomes a `Paper` when the next heading (or the end) is reached."""

    line: int
    title: str
    url: str
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    votes: int | None = None
    authors: list[str] = field(default_factory=list)
    thumbnail_url: str | None = None
    video_url: str | None = None
    sections: list[list[str | None]] = field(default_factory=list)  # [label, text] pairs

    def build(self) -> Paper:
        # Every value was read and checked here (the id by `parse_arxiv_id`), so skip pydantic's
        # second validation pass: it was a third of the parse time over a whole archive.
        return Paper.model_construct(
            arxiv_id=self.arxiv_id,
            arxiv_version=self.arxiv_version,
            title=self.title,
            url=self.url,
            votes=self.votes,
            authors=self.authors,
            thumbnail_url=self.thumbnail_url,
            video_url=self.video_url,
            sections=[Section.model_construct(label=lb, text=tx or "") for lb, tx in self.sections],
        )


class _DigestReader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[ParseWarning] = []
        self.papers: list[Paper] = []
        self.dates: list[tuple[int, dt.date]] = []
        self.current: _PaperDraft | None = None

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ParseWarning(source=self.source, line=line, message=message))

    def finish_paper(self) -> None:
        if self.current is not None:
            self.papers.append(self.current.build())
            self.current = None

    def read(self, text: str) -> None:
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.rstrip()
            if not line.strip():
                continue
            if line.startswith("### "):
                self.finish_paper()
                self.read_heading(number, line[4:].strip())
            elif line.startswith("## ") or line.startswith("# "):
                self.finish_paper()
                self.read_day_heading(number, line)
            elif self.current is None:
                if not line.startswith("#"):
                    self.warn(number, "text outside any paper was ignored")
            else:
                self.read_paper_line(number, line, self.current)
        self.finish_paper()

    def read_day_heading(self, number: int, line: str) -> None:
        match = _DAY_HEADING.match(line)
        if match is None:
            self.warn(number, f"unexpected heading ignored: {line[:80]!r}")
            return
        try:
            self.dates.append((number, dt.date.fromisoformat(match["date"].strip())))
        except ValueError:
            self.warn(number, f"'{match['date']}' is not a date (expected YYYY-MM-DD)")

    def read_heading(self, number: int, heading: str) -> None:
        if not heading.startswith("["):
            self.warn(number, "a '### ' heading without a [title](link) is not a paper; ignored")
            return
        title, url = _split_link(heading)
        if url is None:
            self.warn(number, "paper heading has no (link) after its [title]; kept without a link")
            url = ""
        self.current = draft = _PaperDraft(line=number, title=title, url=url)
        reference = try_parse_arxiv_id(url) if url else None
        if reference is None:
            self.warn(number, f"no arXiv id in the paper link {url!r}; kept without an id")
        else:
            draft.arxiv_id, draft.arxiv_version = reference.id, reference.version

    def read_paper_line(self, number: int, line: str, draft: _PaperDraft) -> None:
        stripped = line.strip()
        if line.startswith("- "):  # most lines are top-level bullets: test them first
            draft.sections.append(list(_read_bullet(line[2:])))
        elif match := _VOTE.match(stripped):
            draft.votes = self.read_votes(number, match["value"].strip())
        elif match := _AUTHORS.match(stripped):
            draft.authors = _split_authors(match["value"])
        elif match := _IMAGE.match(stripped):
            draft.thumbnail_url = _absolute(match["url"]) if match["url"] else None
        elif match := _VIDEO.match(stripped):
            draft.video_url = _absolute(match["url"])
        elif stripped.startswith("<"):
            # HTML such as `<div><video controls src=…>` repeats the video link; it is not summary.
            if draft.video_url is None and (video := _HTML_VIDEO_SRC.search(stripped)):
                draft.video_url = _absolute(video["url"])
        elif (bullet := _BULLET.match(line)) and not bullet["indent"]:
            draft.sections.append(list(_read_bullet(bullet["body"])))
        elif draft.sections:
            # A nested bullet or a wrapped line continues the bullet above it.
            previous = draft.sections[-1]
            previous[1] = f"{previous[1]}\n{stripped}"
        else:
            draft.sections.append([None, stripped])

    def read_votes(self, number: int, value: str) -> int | None:
        if value in {"-", ""}:
            return None
        try:
            return int(value.replace(",", ""))
        except ValueError:
            self.warn(number, f"vote count {value[:40]!r} is not a number; kept as unknown")
            return None


def _split_link(heading: str) -> tuple[str, str | None]:
    """Split `[title](url)` with markdown-it's own link rules (nested brackets, escapes)."""
    if simple := _SIMPLE_LINK.match(heading):
        return simple["title"].strip(), simple["url"]
    state = StateInline(heading, _markdown, {}, [])
    end = parseLinkLabel(state, 0)
    if end < 0:
        return heading.strip("[] "), None
    title = heading[1:end].strip()
    rest = end + 1
    if rest >= len(heading) or heading[rest] != "(":
        return title, None
    destination = parseLinkDestination(heading, rest + 1, len(heading))
    if not destination.ok:
        return title, None
    return title, destination.str


def _absolute(url: str) -> str:
    """Resolve a site-relative link such as `/avatars/x.svg` against the Hugging Face site."""
    return url if url.startswith(("https://", "http://")) else urljoin(HF_BASE_URL, url)


def _split_authors(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = None
        if isinstance(parsed, list):
            return [str(name).strip() for name in parsed if str(name).strip()]
        value = value[1:-1]
    return [name.strip().strip("'\"") for name in value.split(",") if name.strip().strip("'\"")]


def _read_bullet(body: str) -> tuple[str | None, str]:
    match = _LABELLED.match(body)
    if match is None:
        return None, body.strip()
    label = match["label"].strip().rstrip(":").strip().translate(_APOSTROPHES)
    return label, match["text"].strip()


def parse_digest(text: str, source: str = "<text>", *, day: dt.date | None = None) -> Digest:
    """Parse one digest file's text; `day` (e.g. from the file name) is used if no heading has one.

    Raises `DigestParseError` when the text holds no digest at all.
    """
    reader = _DigestReader(source)
    reader.read(text.replace("\x00", ""))
    if not reader.dates and not reader.papers:
        raise DigestParseError(
            "no digest found: expected a '## Daily Papers (YYYY-MM-DD)' heading followed by "
            "'### [title](https://arxiv.org/abs/ID)' paper headings",
            source=source,
        )
    digest_day = reader.dates[0][1] if reader.dates else day
    if digest_day is None:
        raise DigestParseError(
            "no date: add a '## Daily Papers (YYYY-MM-DD)' heading or name the file YYYY-MM-DD.md",
            source=source,
        )
    for number, other in reader.dates[1:]:
        if other != digest_day:
            reader.warn(number, f"section dated {other} is read as part of {digest_day}")
    if day is not None and reader.dates and day != digest_day:
        reader.warn(reader.dates[0][0], f"heading says {digest_day} but the file is for {day}")
    return Digest(date=digest_day, papers=reader.papers, source=source, warnings=reader.warnings)


_FILE_DATE = re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{2})[-/](?P<d>\d{2})(?:\.md)?$")


def date_from_path(path: Path) -> dt.date | None:
    """The date in `YYYY-MM-DD.md` or `YYYY/MM/DD.md`, or None."""
    tail = "/".join(path.with_suffix("").parts[-3:])
    match = _FILE_DATE.search(tail)
    if match is None:
        return None
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def parse_file(path: Path) -> Digest:
    """Parse a digest file; bytes that are not UTF-8 are replaced and reported as a warning."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DigestParseError(f"cannot read file: {error.strerror}", source=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
        bad_bytes = False
    except UnicodeDecodeError:
        text, bad_bytes = data.decode("utf-8", errors="replace"), True
    digest = parse_digest(text, str(path), day=date_from_path(path))
    if bad_bytes:
        warning = ParseWarning(source=str(path), line=1, message="file is not valid UTF-8")
        digest.warnings.insert(0, warning)
    return digest
