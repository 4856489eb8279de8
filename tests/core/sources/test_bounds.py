"""Both network sources stay within a size cap and a deadline, whatever the server sends.

The fake bodies are streams that count how much of them was pulled, so "refused without reading
it whole" is asserted by bytes read and tracemalloc, never by wall time.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from bot.errors import SourceError, SourceUnreachable
from bot.sources import FetchLimits, HuggingFaceSource, UrlTemplateSource
from bot.sources.base import DigestSource
from tests.fakes.clock import ManualClock
from tests.fakes.digest_server import DAY, DIGEST, Server

TEMPLATE = "https://example.org/digests/{date}.md"
HF_DAY = b'[{"paper": {"id": "2501.04682", "title": "Our Test Paper", "upvotes": 7}}]'
KB = 1024


class CountedStream(httpx.AsyncByteStream):
    """A body produced chunk by chunk; `pulled` counts the chunks the client asked for."""

    def __init__(self, chunks: Iterator[bytes], on_chunk: Callable[[], None] = lambda: None):
        self.chunks = chunks
        self.on_chunk = on_chunk
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            self.on_chunk()
            yield chunk


def streamed(stream: CountedStream, **headers: str) -> httpx.Response:
    # `stream=` keeps the body unread until the client reads it, as on a real connection.
    return httpx.Response(200, headers=headers, stream=stream)


def endless(chunk: bytes) -> Iterator[bytes]:
    while True:
        yield chunk


SourceFactory = Callable[..., DigestSource]


@pytest.fixture(params=["url-template", "huggingface"])
def make_source(request: pytest.FixtureRequest, server: Server) -> SourceFactory:
    def make(**options: Any) -> DigestSource:
        if request.param == "huggingface":
            return HuggingFaceSource(client=server.client, **options)
        return UrlTemplateSource(TEMPLATE, client=server.client, **options)

    return make


async def test_a_body_declared_larger_than_the_cap_is_refused_unread(
    server: Server, make_source: SourceFactory
) -> None:
    body = CountedStream(endless(b"x" * KB))
    server.will(streamed(body, **{"Content-Length": str(50 * KB * KB)}))
    source = make_source(limits=FetchLimits(max_bytes=KB))
    with pytest.raises(SourceError, match=r"larger than 1024 bytes \(source_max_bytes\)") as info:
        await source.fetch(DAY)
    assert "check the URL" in str(info.value)
    assert body.pulled == 0
    assert len(server.requests) == 1  # a wrong URL is not retried


async def test_an_endless_chunked_body_is_cut_at_the_cap(
    server: Server, make_source: SourceFactory
) -> None:
    body = CountedStream(endless(b"x" * 256))
    server.will(streamed(body))
    with pytest.raises(SourceError, match="larger than 1024 bytes"):
        await make_source(limits=FetchLimits(max_bytes=KB)).fetch(DAY)
    assert body.pulled == 5  # 1280 bytes: the first chunk past the cap


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw deflate
    ],
)
async def test_a_compression_bomb_is_refused_without_inflating_it(
    server: Server,
    make_source: SourceFactory,
    encoding: str,
    compress: Callable[[bytes], bytes],
) -> None:
    bomb = compress(bytes(32 * KB * KB))  # 32 MB of zeros in about 32 KB
    chunks = [bomb[n : n + KB] for n in range(0, len(bomb), KB)]
    body = CountedStream(iter(chunks))
    server.will(streamed(body, **{"Content-Encoding": encoding}))
    source = make_source(limits=FetchLimits(max_bytes=64 * KB))
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="larger than 65536 bytes"):
            await source.fetch(DAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert body.pulled < len(chunks) / 10
    assert peak < 4 * KB * KB  # inflated whole it would be 32 MB


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("identity", bytes)],
)
async def test_a_compressed_answer_within_the_cap_is_read(
    server: Server, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = CountedStream(iter([compress(DIGEST.encode())]))
    server.will(streamed(body, **{"Content-Encoding": encoding}))
    source = UrlTemplateSource(TEMPLATE, client=server.client, limits=FetchLimits(max_bytes=KB))
    digest = await source.fetch(DAY)
    assert digest is not None
    assert [p.arxiv_id for p in digest.papers] == ["2501.04682"]
    # Only what can be decoded within the cap is asked for (not br or zstd).
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


async def test_an_encoding_we_cannot_bound_is_refused_by_name(server: Server) -> None:
    server.will(streamed(CountedStream(iter([b"\x00" * 10])), **{"Content-Encoding": "br"}))
    with pytest.raises(SourceError, match="encoded as 'br'; only gzip and deflate"):
        await UrlTemplateSource(TEMPLATE, client=server.client).fetch(DAY)


async def test_the_hugging_face_day_within_the_cap_is_read(server: Server) -> None:
    server.will(streamed(CountedStream(iter([HF_DAY[:30], HF_DAY[30:]]))))
    source = HuggingFaceSource(client=server.client, limits=FetchLimits(max_bytes=KB))
    digest = await source.fetch(DAY)
    assert digest is not None
    assert [p.votes for p in digest.papers] == [7]


async def test_a_server_that_drips_is_given_up_at_the_deadline(
    server: Server, make_source: SourceFactory
) -> None:
    clock = ManualClock()

    def five_seconds_pass() -> None:
        clock.advance(5.0)

    body = CountedStream(endless(b"#"), on_chunk=five_seconds_pass)
    server.will(streamed(body))
    source = make_source(
        limits=FetchLimits(deadline=12.0, clock=clock.monotonic), sleep=clock.sleep
    )
    with pytest.raises(SourceUnreachable, match="no complete answer within the 12s deadline"):
        await source.fetch(DAY)
    assert body.pulled == 3  # 15 s of dripping: no more
    assert len(server.requests) == 1  # no time is left for another attempt


async def test_waits_between_attempts_count_against_the_deadline(
    server: Server, make_source: SourceFactory
) -> None:
    clock = ManualClock()
    server.will(*[httpx.Response(503)] * 3)
    source = make_source(
        retries=10,
        backoff=1.0,
        sleep=clock.sleep,
        limits=FetchLimits(deadline=5.0, clock=clock.monotonic),
    )
    with pytest.raises(SourceError, match=r"HTTP 503 \(no complete answer within the 5s") as info:
        await source.fetch(DAY)
    assert "after 3 attempts" in str(info.value)
    assert clock.monotonic() == 1003.0  # waited 1 s and 2 s; the 4 s wait would pass the deadline


async def test_a_blocked_read_on_a_real_socket_is_cut_by_the_deadline() -> None:
    """The per-read timeout never fires on a server that sends a byte now and then."""
    release = asyncio.Event()

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n#")
        await writer.drain()
        await release.wait()  # then nothing, as long as the client waits
        writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    source = UrlTemplateSource(
        f"http://127.0.0.1:{port}/{{date}}.md", timeout=60.0, limits=FetchLimits(deadline=0.2)
    )
    try:
        with pytest.raises(SourceUnreachable, match=r"within the 0\.2s deadline") as info:
            await source.fetch(DAY)
        assert info.value.host == f"127.0.0.1:{port}"
    finally:
        release.set()
        await source.aclose()
        server.close()
        await server.wait_closed()


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        FetchLimits(max_bytes=0)
    with pytest.raises(ValueError, match="deadline"):
        FetchLimits(deadline=0)


async def test_network_trouble_after_every_retry_is_unreachable_naming_the_host(
    server: Server, clock: ManualClock
) -> None:
    server.will(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"))
    source = UrlTemplateSource(
        "https://u:secret@example.org:8443/{date}.md",
        client=server.client,
        retries=1,
        sleep=clock.sleep,
    )
    with pytest.raises(SourceUnreachable) as info:
        await source.fetch(DAY)
    assert info.value.host == "example.org:8443"
    assert "secret" not in str(info.value)
