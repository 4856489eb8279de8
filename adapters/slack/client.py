"""The Slack Web API client the adapter uses, and how Slack's failures are classified.

slack_sdk's default retry handler resends a request whose connection broke, which for
`chat.postMessage` can post the same message twice. Ours retries only what is sure not to have
been posted (429s, via slack_sdk's own handler) and leaves the rest to the publisher, which looks
for the message before sending it again.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from slack_sdk.webhook.webhook_response import WebhookResponse

DEFAULT_BASE_URL = "https://slack.com/api/"
REQUEST_TIMEOUT = 15
RATE_LIMIT_RETRIES = 4

# The bot cannot serve the channel until someone changes something in Slack or in the config.
PERMANENT_ERRORS: dict[str, str] = {
    "not_in_channel": "the app is not in the channel: invite it with /invite @<app name>",
    "channel_not_found": "no such channel, or the app cannot see it: check the channel id",
    "is_archived": "the channel is archived",
    "invalid_auth": "Slack refused SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token",
    "not_authed": "no token was sent: set SLACK_BOT_TOKEN",
    "account_inactive": "the token belongs to a deleted or deactivated app or user",
    "token_revoked": "SLACK_BOT_TOKEN was revoked: reinstall the app and copy the new token",
    "token_expired": "SLACK_BOT_TOKEN expired: reinstall the app and copy the new token",
    "missing_scope": "the app lacks a scope: reinstall it from `digest-bot slack manifest`",
    "restricted_action": "a workspace setting stops the app from posting in this channel",
    "ekm_access_denied": "an administrator suspended posting for this workspace",
    "invalid_blocks": "Slack refused the message layout (a bug: please report it)",
    "msg_too_long": "Slack refused the message length (a bug: please report it)",
}


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def proxy_for(url: str) -> str | None:
    """The proxy a request to `url` goes through: the environment's, as curl would choose it.

    slack_sdk takes HTTPS_PROXY/HTTP_PROXY for every host and ignores NO_PROXY; this honours
    NO_PROXY and ALL_PROXY, and never proxies a loopback address (a local relay or fake).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    proxies = urllib.request.getproxies_environment()
    if host in LOOPBACK or urllib.request.proxy_bypass(host):
        return None
    return proxies.get(parts.scheme) or proxies.get("https") or proxies.get("all") or None


def make_web_client(
    token: str | None,
    base_url: str = DEFAULT_BASE_URL,
    session: aiohttp.ClientSession | None = None,
) -> AsyncWebClient:
    """A client that waits out 429s (Retry-After) and never resends a request on its own.

    Give it a `session` to reuse connections (a fan-out sends thousands of messages); without
    one slack_sdk opens a new connection per call.
    """
    client = AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        timeout=REQUEST_TIMEOUT,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )
    client.proxy = proxy_for(base_url)  # set after: the constructor loads the environment's
    return client


async def keep_proxy_rule(context: AsyncBoltContext, next_: Callable[[], Awaitable[None]]) -> None:
    """bolt's `before_authorize`: the same `proxy_for` rule for what bolt builds per request.

    bolt gives every request its own API client, and a `respond` for its response_url, and
    slack_sdk gives each the environment's proxy again, for any host and past NO_PROXY.
    """
    context.client.proxy = proxy_for(context.client.base_url)
    if context.response_url:
        context["respond"] = ProxyRuleRespond(
            response_url=context.response_url, ssl=context.client.ssl
        )
    await next_()


class ProxyRuleRespond(AsyncRespond):
    """bolt's `respond` (a post to the response_url) through `proxy_for`'s proxy, or none.

    bolt's own builds an AsyncWebhookClient per call, which takes the environment's proxy
    whenever its proxy is None: set it after the constructor, as for the API client.
    """

    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = AsyncWebhookClient(self.response_url, ssl=self.ssl)
        client.proxy = proxy_for(self.response_url)
        whole = text if isinstance(text, dict) else {"text": text, **fields}
        return await client.send_dict(_build_message(**whole))


def error_code(error: SlackApiError) -> str:
    code = error.response.get("error") if isinstance(error.response.data, dict) else None
    return str(code or f"http_{error.response.status_code}")


def is_ambiguous(error: BaseException) -> bool:
    """Whether a failed call may still have taken effect (the answer, not the request, was lost).

    A broken connection, a timeout or a 5xx can all follow a message Slack already stored.
    """
    if isinstance(error, SlackApiError):
        return bool(error.response.status_code >= 500)
    return isinstance(
        error, aiohttp.ClientError | asyncio.TimeoutError | SlackRequestError | ValueError
    )
