"""Reading an HTTP body within a size cap and a deadline, decoding gzip/deflate as it arrives.

A digest is well under 200 KB and a Hugging Face day under 1 MB, so anything much larger is a
wrong URL or a hostile server. The cap counts DECODED bytes while they are produced, so a small
gzip bomb is refused after at most `max_bytes` of output, never inflated whole.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bot.errors import SourceError

Clock = Callable[[], float]

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# One day's fetch, every attempt and every wait between them included. Long enough for the
# whole ordinary retry schedule (5 attempts, 7.5 s of backoff) against a slow but honest server.
DEFAULT_DEADLINE = 120.0
# Only what we can decode within the cap; without this httpx would offer br/zstd when installed.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class FetchLimits:
    """How much one day's answer may weigh (decoded bytes) and how long fetching it may take."""

    max_bytes: int = DEFAULT_MAX_BYTES
    deadline: float = DEFAULT_DEADLINE
    clock: Clock = field(default=time.monotonic, compare=False)

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or not self.deadline > 0:
            raise ValueError(
                f"max_bytes ({self.max_bytes}) and deadline ({self.deadline}) must be > 0"
            )


class DeadlinePassed(Exception):
    """Raised inside an attempt when the injected clock says the day's deadline is over."""


@dataclass(frozen=True)
class HttpBody:
    """A successful answer, read whole within the limits: decoded bytes and the headers."""

    content: bytes
    headers: httpx.Headers


class _Inflater:
    """Content-Encoding undone chunk by chunk, never producing more than it is allowed."""

    def __init__(self, encoding: str, shown: str) -> None:
        names = _encodings(encoding)
        self._zlib: zlib._Decompress | None = None
        self._raw_fallback = False
        if not names:
            return
        if names in (["gzip"], ["x-gzip"]):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif names == ["deflate"]:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_fallback = True
        else:
            raise SourceError(
                f"{shown}: the answer is encoded as {encoding!r}; only gzip and deflate are read"
            )

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of `data`; at most `room + 1` of them, so an overflow is visible."""
        if self._zlib is None:
            return data[: room + 1]
        try:
            out = self._zlib.decompress(data, room + 1)
        except zlib.error:
            if not self._raw_fallback:
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(data, room + 1)
        self._raw_fallback = False
        return out

    def flush(self, room: int) -> bytes:
        return b"" if self._zlib is None else self._zlib.flush(room + 1)


def _encodings(header: str) -> list[str]:
    """The content codings applied, in order; `identity` is no coding."""
    names = [name.strip().lower() for name in header.split(",")]
    return [name for name in names if name and name != "identity"]


def _too_large(shown: str, max_bytes: int) -> SourceError:
    # A wrong URL or a hostile server: retrying cannot help.
    return SourceError(
        f"{shown}: the answer is larger than {max_bytes} bytes (source_max_bytes), far more "
        "than a digest; check the URL"
    )


async def read_capped(
    response: httpx.Response, limits: FetchLimits, ends_at: float, shown: str
) -> bytes:
    """The decoded body of a streamed response; SourceError past the cap, DeadlinePassed late."""
    if response.is_stream_consumed:
        # An answer built in memory (httpx.MockTransport's fakes) arrives read and decoded whole.
        if len(response.content) > limits.max_bytes:
            raise _too_large(shown, limits.max_bytes)
        return response.content
    declared = response.headers.get("Content-Length", "").strip()
    plain = not _encodings(response.headers.get("Content-Encoding", ""))
    if plain and declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(shown, limits.max_bytes)  # refused before a byte of it is read
    inflater = _Inflater(response.headers.get("Content-Encoding", ""), shown)
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_raw():
            out = inflater.feed(chunk, limits.max_bytes - size)
            size += len(out)
            if size > limits.max_bytes:
                raise _too_large(shown, limits.max_bytes)
            parts.append(out)
            if limits.clock() >= ends_at:
                raise DeadlinePassed
        tail = inflater.flush(limits.max_bytes - size)
    except zlib.error:
        raise SourceError(
            f"{shown}: the answer claims Content-Encoding "
            f"{response.headers.get('Content-Encoding')!r} but cannot be decoded"
        ) from None
    if size + len(tail) > limits.max_bytes:
        raise _too_large(shown, limits.max_bytes)
    parts.append(tail)
    return b"".join(parts)
