"""`/slack/events` in HTTP mode: what anyone on the internet can send, bounded before bolt sees it.

bolt's own ASGI handler reads a body whole, however large, answers 500 to a body or timestamp it
cannot parse, and logs a refused body in full at INFO. This app reads at most `max_body` bytes
(413 past it), answers 400 to what it cannot parse, checks the signature itself so that a refused
request is logged in one line without its body, and only then hands the request to bolt (which
checks the signature again: the framework stays the guard).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.adapter.asgi.http_response import AsgiHttpResponse
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from bot.app.web import BodyTooLarge, Receive, RequestAborted, Send, read_body, respond

log = logging.getLogger(__name__)

# Slack's requests are small (a slash command is < 1 KB, an interaction payload with its message
# tens of KB); this leaves room for the largest while keeping a hostile body harmless.
MAX_BODY_BYTES = 1 << 20
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_TEXT = "text/plain; charset=utf-8"


class SlackEventsApp:
    """The ASGI app serving bolt's `AsyncApp` on one path, with bounded, checked input."""

    def __init__(
        self,
        app: AsyncApp,
        signing_secret: str,
        *,
        max_body: int = MAX_BODY_BYTES,
        clock: Clock | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.verifier = SignatureVerifier(signing_secret, clock or Clock())

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await respond(send, 405, _TEXT, b"POST only\n")
            return
        try:
            raw = await read_body(scope, receive, self.max_body)
        except BodyTooLarge:
            log.warning("slack: refused a request over %d bytes (413)", self.max_body)
            await respond(send, 413, _TEXT, b"request body too large\n")
            return
        except RequestAborted:
            return
        # Header values as bytes-for-bytes text: a non-UTF-8 header cannot fail here.
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        timestamp = headers.get("x-slack-request-timestamp")
        if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
            await respond(send, 400, _TEXT, b"bad X-Slack-Request-Timestamp\n")
            return
        try:
            body = raw.decode("utf-8")
            request = AsyncBoltRequest(
                body=body, query=scope["query_string"].decode("latin-1"), headers=headers
            )
        except (ValueError, TypeError, AttributeError):
            # bolt parses the form (and its JSON `payload`) while building the request: a body it
            # cannot read, or JSON of the wrong shape, fails there.
            await respond(send, 400, _TEXT, b"malformed request body\n")
            return
        if not self.verifier.is_valid(body, timestamp or "0", headers.get("x-slack-signature", "")):
            log.info("slack: refused a request with a missing, wrong or stale signature (401)")
            await respond(send, 401, "application/json", b'{"error": "invalid request"}')
            return
        answer = await self.app.async_dispatch(request)
        response = AsgiHttpResponse(answer.status, answer.headers, answer.body)
        await send(response.get_response_start())
        await send(response.get_response_body())
