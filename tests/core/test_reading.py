"""One digest reader: a BOM, a bad byte or Windows line ends read the same in `parse`, folder
import and the URL source, with the same warning naming the line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from bot.archive import Archive
from bot.cli import main
from bot.ingest import import_from_source
from bot.models import Digest
from bot.parser import parse_file
from bot.reading import decode_digest
from bot.sources import DirectorySource, UrlTemplateSource

DAY = dt.date(2025, 1, 9)
# Written for these tests; "Café" becomes a Latin-1 byte in the invalid-byte variant.
TEXT = (
    "## Daily Papers (2025-01-09)\n"
    "\n"
    "### [Caf\u00e9 Models](https://arxiv.org/abs/2501.04682)\n"
    "Vote: 7\n"
    "- ***What's New***: a sentence we wrote\n"
)
UTF8 = TEXT.encode("utf-8")
VARIANTS = {
    "plain": UTF8,
    "bom": b"\xef\xbb\xbf" + UTF8,
    "crlf": UTF8.replace(b"\n", b"\r\n"),
    "cr": UTF8.replace(b"\n", b"\r"),
    "bom+crlf": b"\xef\xbb\xbf" + UTF8.replace(b"\n", b"\r\n"),
    "utf-16": TEXT.encode("utf-16"),
}
LATIN1 = TEXT.encode("latin-1")  # one byte (0xE9) that is not UTF-8, on line 3
BAD_BYTE_WARNING = (
    "3: bytes that are not UTF-8 were replaced by '\ufffd' on line 3 (save it as UTF-8)"
)


def test_decode_names_each_line_with_a_bad_byte_and_counts_the_rest() -> None:
    data = b"".join(b"line %d \xff\n" % n for n in range(1, 9)) + b"ok\n"
    text, warnings = decode_digest(data, "x.md")
    assert text.count("\ufffd") == 8
    assert [str(w) for w in warnings] == [
        "x.md:1: bytes that are not UTF-8 were replaced by '\ufffd' on lines 1, 2, 3, 4, 5 "
        "and 3 more (save it as UTF-8)"
    ]


def test_decode_counts_lines_the_same_whatever_the_line_ends() -> None:
    for newline in (b"\n", b"\r\n", b"\r"):
        data = newline.join([b"a", b"b", b"c \xff", b"d"])
        text, warnings = decode_digest(data, "x")
        assert text == "a\nb\nc \ufffd\nd"
        assert warnings[0].line == 3


def _via_parse(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, list[str]]:
    assert main(["parse", str(path), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    return parsed["papers"][0]["title"], parsed["warnings"]


async def _via_import(path: Path, tmp_path: Path) -> tuple[str, list[str]]:
    archive = Archive.in_data_dir(tmp_path / "data")
    report = await import_from_source(archive, DirectorySource(path.parent))
    stored = archive.get_digest(DAY)
    assert stored is not None
    return stored.papers[0].title, report.warnings


async def _via_url(data: bytes) -> Digest:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=data))
    )
    source = UrlTemplateSource("https://digests.test/{date}.md", client=client)
    digest = await source.fetch(DAY)
    await client.aclose()
    assert digest is not None
    return digest


@pytest.mark.parametrize("variant", sorted(VARIANTS))
async def test_bom_and_line_ends_read_the_same_everywhere(
    variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "digests" / "2025-01-09.md"
    path.parent.mkdir()
    path.write_bytes(VARIANTS[variant])
    expected = ("Caf\u00e9 Models", [])
    assert _via_parse(path, capsys) == expected
    assert await _via_import(path, tmp_path) == expected
    from_url = await _via_url(VARIANTS[variant])
    assert (from_url.papers[0].title, from_url.warnings) == expected
    assert parse_file(path).papers[0].votes == 7  # the line after the heading still counts


async def test_an_invalid_byte_is_the_same_warning_in_parse_import_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "digests" / "2025-01-09.md"
    path.parent.mkdir()
    path.write_bytes(LATIN1)
    expected = ("Caf\ufffd Models", [f"{path}:{BAD_BYTE_WARNING}"])
    assert _via_parse(path, capsys) == expected
    # Before: `import` stored U+FFFD without a word.
    assert await _via_import(path, tmp_path) == expected
    from_url = await _via_url(LATIN1)
    assert [str(w) for w in from_url.warnings] == [
        f"https://digests.test/2025-01-09.md:{BAD_BYTE_WARNING}"
    ]
