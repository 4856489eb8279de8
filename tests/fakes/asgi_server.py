"""Serve an ASGI app with uvicorn on 127.0.0.1 for a test: real HTTP over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from bot.app.web import tcp_listener


@asynccontextmanager
async def serve_asgi(app: Callable[..., Any]) -> AsyncIterator[str]:
    """Yield the server's base URL (http://127.0.0.1:PORT) while it runs."""
    sock = tcp_listener("127.0.0.1", 0)  # the bot's own listener: Nagle off, as in production
    port = sock.getsockname()[1]
    # As the bot's own server: no logging config of uvicorn's (which would stop its lines
    # reaching the root logger's handlers for the rest of the session).
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # a start-up failure: raise it here
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
