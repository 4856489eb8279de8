"""arXiv identifiers: one normal form for a bare id, an arXiv URL or a Hugging Face paper URL."""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.errors import InvalidArxivId

# New style (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN from 2015; old style: archive/YYMMNNN.
_NEW = r"(?P<new>(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5}))"
_OLD = r"(?P<old>[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})"
_ID = rf"(?:{_NEW}|{_OLD})(?:v(?P<version>\d+))?"
_BARE = re.compile(rf"^(?:arxiv:)?{_ID}$", re.IGNORECASE)
_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?"
    r"(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers|hf\.co/papers)/"
    rf"{_ID}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


class ArxivId(NamedTuple):
    """A normalised arXiv id (no version suffix) and the version that was asked for, if any."""

    id: str
    version: int | None = None

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.id}"


def _plausible_new_style(match: re.Match[str]) -> bool:
    # New-style ids began in 2007-04 with four digits; five digits since 2015-01.
    yymm = int(match["yy"]) * 100 + int(match["mm"])
    if not 1 <= int(match["mm"]) <= 12 or yymm < 704:
        return False
    return len(match["num"]) == (5 if yymm >= 1501 else 4)


def parse_arxiv_id(text: str) -> ArxivId:
    """Read an arXiv id from an id, `arXiv:` id, arxiv.org abs/pdf URL or huggingface.co/papers URL.

    Raises `InvalidArxivId` with a message that shows what is accepted.
    """
    candidate = text.strip().strip("<>")
    match = _BARE.match(candidate) or _URL.match(candidate)
    if match is None or (match["new"] and not _plausible_new_style(match)):
        shown = candidate if len(candidate) <= 60 else candidate[:57] + "..."
        raise InvalidArxivId(
            f"'{shown}' is not an arXiv id. Use an id like 2501.04682 (or hep-th/9901001), "
            "or an arxiv.org / huggingface.co/papers link."
        )
    version = int(match["version"]) if match["version"] else None
    if match["new"]:
        return ArxivId(match["new"], version)
    archive, number = match["old"].split("/")
    # Archive names are lower case; only the subject class after the dot is upper case.
    name, _, subject = archive.partition(".")
    normal = name.lower() + (f".{subject.upper()}" if subject else "")
    return ArxivId(f"{normal}/{number}", version)


def try_parse_arxiv_id(text: str) -> ArxivId | None:
    """Like `parse_arxiv_id`, but None for text that is not an arXiv reference."""
    try:
        return parse_arxiv_id(text)
    except InvalidArxivId:
        return None
