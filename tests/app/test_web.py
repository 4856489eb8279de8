"""The HTTP server's listening socket: connections without Nagle, clear errors for a bad address."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.app.web import WebApp, WebServer, tcp_listener
from bot.errors import ConfigError


async def nodelay_of_accepted_connection(listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of one connection asyncio accepts on `listener`."""
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accept, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        result = await asyncio.wait_for(seen, timeout=5)
        writer.close()
        return result
    finally:
        server.close()
        await server.wait_closed()


async def test_connections_on_the_listener_have_nagle_off() -> None:
    # With Nagle on, an answer's body (written after its headers) waited ~40 ms for the
    # client's delayed ACK: every Slack slash-command answer was that much slower.
    assert await nodelay_of_accepted_connection(tcp_listener("127.0.0.1", 0)) != 0


async def test_a_plain_socket_would_not_get_nagle_turned_off() -> None:
    # Why tcp_listener names the protocol: asyncio leaves sockets of protocol 0 alone.
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    plain.bind(("127.0.0.1", 0))
    assert await nodelay_of_accepted_connection(plain) == 0


async def test_a_taken_port_is_a_config_error_naming_the_address() -> None:
    taken = tcp_listener("127.0.0.1", 0)
    taken.listen()
    port = taken.getsockname()[1]
    server = WebServer(WebApp(lambda: (True, {}), {}), "127.0.0.1", port)
    try:
        with pytest.raises(ConfigError, match=f"http: cannot listen on 127.0.0.1:{port}"):
            await server.start()
    finally:
        taken.close()
