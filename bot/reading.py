"""Digest bytes to text, the one way every reader does it (`parse`, folder import, URL source).

A digest file may start with a byte-order mark, use Windows (CRLF) or old Mac (CR) line ends,
or hold a stray byte that is not UTF-8. Each reader decoding on its own gave three results for
one file; here the BOM goes, every line end becomes "\\n", and each bad byte becomes U+FFFD and a
warning naming its line, so the parser's line numbers are the ones an editor shows.
"""

from __future__ import annotations

import codecs

from bot.models import ParseWarning

_SHOWN_LINES = 5  # a Latin-1 file has a bad byte on most lines: name a few, count the rest


def decode_digest(data: bytes, source: str) -> tuple[str, list[ParseWarning]]:
    """The text of a digest file and a warning if some bytes were not UTF-8 (replaced by '�')."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):  # a file saved as "Unicode" by some Windows editors
            text = data[len(bom) :].decode(codec, errors="replace")
            return normalise_newlines(text), []
    data = data.removeprefix(codecs.BOM_UTF8)
    # On bytes, before decoding: CR and LF never occur inside a multi-byte UTF-8 sequence.
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    text, bad_lines = _decode_replacing(data)
    shown = ", ".join(str(n) for n in bad_lines[:_SHOWN_LINES])
    more = len(bad_lines) - _SHOWN_LINES
    where = f"line {shown}" if len(bad_lines) == 1 else f"lines {shown}"
    if more > 0:
        where += f" and {more} more"
    message = f"bytes that are not UTF-8 were replaced by '\ufffd' on {where} (save it as UTF-8)"
    return text, [ParseWarning(source=source, line=bad_lines[0], message=message)]


def _decode_replacing(data: bytes) -> tuple[str, list[int]]:
    """`data` decoded with each bad byte sequence replaced, and the (1-based) lines holding one."""
    pieces: list[str] = []
    bad_lines: list[int] = []
    position, line, counted_to = 0, 1, 0
    while True:
        try:
            pieces.append(data[position:].decode("utf-8"))
            return "".join(pieces), bad_lines
        except UnicodeDecodeError as error:
            start, end = position + error.start, position + error.end
            pieces.append(data[position:start].decode("utf-8"))
            pieces.append("\ufffd")
            line += data.count(b"\n", counted_to, start)
            counted_to = start
            if not bad_lines or bad_lines[-1] != line:
                bad_lines.append(line)
            position = end


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR line ends as "\\n", for text that did not come through `decode_digest`."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
