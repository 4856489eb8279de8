"""How the network sources' bounds hold against hostile servers on 127.0.0.1, with the defaults.

Prints: the peak RSS of a process fetching a 50 MB body (declared, and chunked without a length)
and a 1 GB gzip bomb, each refused at the cap; the seconds to give up on a server that drips a
byte every 5 s; and the seconds to give up on a 30-day range whose host refuses connections.

    .venv/bin/python benchmarks/source_bounds.py
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MB = 1024 * 1024
CHUNK = 64 * 1024


def _gzip_of_zeros(size: int) -> bytes:
    """A gzip stream of `size` zero bytes, built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros, parts = bytes(MB), []
    for _ in range(size // MB):
        parts.append(packer.compress(zeros))
    parts.append(packer.flush())
    return b"".join(parts)


BOMB = b""  # filled in main(), served by the handler


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()  # a reset is the client giving up, as it should

    def do_GET(self) -> None:
        if self.path.startswith("/declared/"):
            self._send({"Content-Length": str(50 * MB)}, self._zeros(50 * MB))
        elif self.path.startswith("/chunked/"):
            self._send({"Transfer-Encoding": "chunked"}, self._zeros(50 * MB), chunked=True)
        elif self.path.startswith("/bomb/"):
            headers = {"Content-Encoding": "gzip", "Content-Length": str(len(BOMB))}
            self._send(headers, (BOMB[n : n + CHUNK] for n in range(0, len(BOMB), CHUNK)))
        elif self.path.startswith("/drip/"):
            self._send({"Content-Length": "100000"}, self._drip())

    def _send(self, headers: dict[str, str], body: Iterator[bytes], chunked: bool = False) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        for part in body:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
            self.wfile.flush()

    @staticmethod
    def _zeros(size: int) -> Iterator[bytes]:
        block = b"#" * CHUNK
        for _ in range(size // CHUNK):
            yield block

    @staticmethod
    def _drip() -> Iterator[bytes]:
        while True:
            yield b"#"
            time.sleep(5)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _child(url: str) -> None:
    """In a fresh process: fetch one day, print the outcome and the process's peak RSS."""
    from bot.sources import source_from_spec

    async def fetch() -> str:
        source = source_from_spec(url)
        try:
            await source.fetch(dt.date(2025, 1, 9))
        except Exception as error:
            return str(error)
        finally:
            await source.aclose()  # type: ignore[attr-defined]
        return "read"

    outcome = asyncio.run(fetch())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak_mb:.0f}\t{outcome}")


def _peak(url: str) -> tuple[str, str]:
    command = [sys.executable, __file__, "--child", url]  # this interpreter, this script
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    peak, outcome = done.stdout.strip().split("\t", 1)
    return peak, outcome


def _baseline() -> str:
    code = "import resource, bot.sources; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    command = [sys.executable, "-c", code]  # this interpreter, our own code
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return f"{int(done.stdout) / 1024:.0f}"


async def _offline_range(port: int) -> tuple[float, list[str]]:
    from bot.archive import Archive
    from bot.ingest import days_between, import_from_source
    from bot.sources import source_from_spec

    with tempfile.TemporaryDirectory() as folder:
        archive = Archive.from_url(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        source = source_from_spec(f"http://127.0.0.1:{port}/{{date}}.md")
        days = days_between(dt.date(2025, 1, 1), dt.date(2025, 1, 30))
        started = time.perf_counter()
        report = await import_from_source(archive, source, days)
        return time.perf_counter() - started, report.failed


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def main() -> None:
    global BOMB
    BOMB = _gzip_of_zeros(1024 * MB)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    print(f"baseline: peak RSS of a process that imports bot.sources: {_baseline()} MB")
    for name, what in [
        ("declared", "50 MB body with Content-Length"),
        ("chunked", "50 MB chunked body, no length"),
        ("bomb", f"1 GB gzip bomb ({len(BOMB) / MB:.1f} MB on the wire)"),
    ]:
        peak, outcome = _peak(f"{base}/{name}/{{date}}.md")
        print(f"{what}: peak RSS {peak} MB; {outcome}")

    from bot.sources import source_from_spec

    async def drip() -> tuple[float, str]:
        source = source_from_spec(f"{base}/drip/{{date}}.md")
        started = time.perf_counter()
        try:
            await source.fetch(dt.date(2025, 1, 9))
        except Exception as error:
            return time.perf_counter() - started, str(error)
        return time.perf_counter() - started, "read"

    seconds, outcome = asyncio.run(drip())
    print(f"drip server (1 byte / 5 s), default deadline: gave up after {seconds:.1f} s; {outcome}")

    seconds, failed = asyncio.run(_offline_range(_closed_port()))
    print(f"offline 30-day range (connection refused): gave up after {seconds:.1f} s")
    for line in failed:
        print(f"  {line}")
    server.shutdown()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        main()
