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
from bot.models import Digest, Paper, ParseWarning, Section, out_of_range_votes, votes_in_range
from bot.reading import decode_digest, normalise_newlines

HF_BASE_URL = "https://huggingface.co"

# A heading as an author may type it: indented by spaces or a tab, `#` marks then any blank
# (a tab, a no-break space); `###[title](link)` without the blank still names a paper.
_HEADING = re.compile(r"^[ \t]*(?:(?P<marks>#{1,3})\s+|(?P<tight>###)(?=\[))(?P<text>.*)$")
_DAY_TITLE = re.compile(r"^Daily Papers\s*\((?P<date>[^)]*)\)\s*$", re.IGNORECASE)
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
        # Only "\n" ends a line (see `bot.reading`): `splitlines` also split titles at U+2028,
        # form feeds and the like, and numbered lines differently from every editor.
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip()
            if not line:
                continue
            if line[0] in "# \t" and (heading := _HEADING.match(line)):
                self.finish_paper()
                if heading["tight"]:
                    self.warn(number, "a space is missing after '###'; read as a paper heading")
                marks = heading["marks"] or heading["tight"]
                if len(marks) == 3:
                    self.read_heading(number, heading["text"].strip())
                else:
                    self.read_day_heading(number, marks, heading["text"].strip())
            elif self.current is None:
                if not line.startswith("#"):
                    self.warn(number, "text outside any paper was ignored")
            else:
                self.read_paper_line(number, line, self.current)
        self.finish_paper()

    def read_day_heading(self, number: int, marks: str, title: str) -> None:
        match = _DAY_TITLE.match(title) if marks == "##" else None
        if match is None:
            self.warn(number, f"unexpected heading ignored: {f'{marks} {title}'[:80]!r}")
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
        elif (bullet := _BULLET.match(line)) and bullet["indent"] in {"", " "}:
            # One space is not a nested bullet yet (Markdown nests from the marker's width).
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
            votes = int(value.replace(",", ""))
        except ValueError:  # also past 4300 digits, Python's limit for int(str)
            self.warn(number, f"vote count {value[:40]!r} is not a number; kept as unknown")
            return None
        if not votes_in_range(votes):
            self.warn(number, out_of_range_votes(votes))
            return None
        return votes


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
    """Parse one digest file's text; `day` is the day it is for (its file name's or URL's date).

    `day` wins over a heading's date, with a warning: a file `2025-01-13.md` whose heading says
    2025-01-10 must never replace 2025-01-10. Without `day`, the first heading's date is used.
    Raises `DigestParseError` when the text holds no digest at all.
    """
    reader = _DigestReader(source)
    reader.read(normalise_newlines(text.replace("\x00", "")))
    if not reader.dates and not reader.papers:
        raise DigestParseError(
            "no digest found: expected a '## Daily Papers (YYYY-MM-DD)' heading followed by "
            "'### [title](https://arxiv.org/abs/ID)' paper headings",
            source=source,
        )
    digest_day = day or (reader.dates[0][1] if reader.dates else None)
    if digest_day is None:
        raise DigestParseError(
            "no date: add a '## Daily Papers (YYYY-MM-DD)' heading or name the file YYYY-MM-DD.md",
            source=source,
        )
    for index, (number, other) in enumerate(reader.dates):
        if other == digest_day:
            continue
        if index == 0:
            reader.warn(
                number,
                f"heading says {other} but the file name (or URL) says {digest_day}; "
                f"read as {digest_day}, {other} is left as it is",
            )
        else:
            reader.warn(number, f"section dated {other} is read as part of {digest_day}")
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


def parse_digest_bytes(data: bytes, source: str, *, day: dt.date | None = None) -> Digest:
    """Parse a digest as read from a file or a URL, decoded by `bot.reading.decode_digest`."""
    text, warnings = decode_digest(data, source)
    digest = parse_digest(text, source, day=day)
    digest.warnings[:0] = warnings
    return digest


def read_digest_file(path: Path) -> bytes:
    """A digest file's bytes; DigestParseError naming the file when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:  # no permission, a folder named *.md, removed since it was listed
        reason = error.strerror or type(error).__name__
        raise DigestParseError(f"cannot read the file ({reason})", source=str(path)) from None


def parse_file(path: Path) -> Digest:
    """Parse a digest file; its name's date (YYYY-MM-DD.md) is the day it is for."""
    return parse_digest_bytes(read_digest_file(path), str(path), day=date_from_path(path))
