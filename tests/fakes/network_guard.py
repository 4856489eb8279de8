"""Test-side network guards for a `digest-bot` subprocess: a proxy trap and a DNS guard.

`guarded_env` points every proxy variable at a local trap (which records any request) and puts
a `sitecustomize` on PYTHONPATH that makes `socket.getaddrinfo` fail for non-loopback names, so
a request to anywhere but the configured 127.0.0.1 fakes shows up instead of going out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

_SITECUSTOMIZE = """
import socket

_real = socket.getaddrinfo
_LOCAL = {"127.0.0.1", "localhost", "::1", None}


def _guarded(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOCAL:
        raise OSError(f"test network guard: DNS lookup of {name!r} refused")
    return _real(host, *args, **kwargs)


socket.getaddrinfo = _guarded
"""

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@contextlib.asynccontextmanager
async def guarded_env(tmp_path: Path) -> AsyncIterator[tuple[dict[str, str], list[str]]]:
    """(environment for the subprocess, requests the proxy trap received)."""
    trapped: list[str] = []

    async def trap(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Any connection at all is a failure: a plain request or an https CONNECT alike.
        first = await reader.readline()
        trapped.append(first.decode(errors="replace").strip() or "(a connection)")
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(trap, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    guard = tmp_path / "network-guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    proxy = f"http://127.0.0.1:{port}"
    env = {name: proxy for name in PROXY_VARIABLES}
    env.update({name.lower(): proxy for name in PROXY_VARIABLES})
    env["NO_PROXY"] = env["no_proxy"] = ""
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH")]))
    try:
        yield env, trapped
    finally:
        server.close()
        await server.wait_closed()
