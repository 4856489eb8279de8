"""The Slack side of the running bot: the publisher, and the bolt app for slash commands.

Socket Mode (the default) needs no public URL: the app opens a websocket to Slack with the
app-level token. HTTP mode serves `/slack/events` on the bot's [http] server instead, through
`SlackEventsApp`: bounded bodies, and every request's `X-Slack-Signature` checked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.client import (
    PERMANENT_ERRORS,
    error_code,
    keep_proxy_rule,
    make_web_client,
    proxy_for,
)
from adapters.slack.commands import register_commands
from adapters.slack.direct import SlackDirectMessenger
from adapters.slack.http_events import SlackEventsApp
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.permissions import SlackAdmins
from adapters.slack.publisher import SlackPublisher
from bot.adapter_contract import ASGIApp, ContextFactory
from bot.alerts import DirectMessenger
from bot.errors import ConfigError, PlatformUnavailable
from config import BotSettings

log = logging.getLogger(__name__)

CONNECTIONS = 256  # to Slack at once; 200 channels are served in parallel


class NoTokenNote(logging.Filter):
    """Drop bolt's note that a client given with SLACK_BOT_TOKEN set makes the token unused.

    bolt reads SLACK_BOT_TOKEN from the environment itself, so every start printed it; the
    client we pass is built from that very token.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def build_bolt_app(
    settings: BotSettings, context: ContextFactory, client: AsyncWebClient
) -> AsyncApp:
    """The bolt app answering the slash commands, verifying signatures in HTTP mode."""
    secret = settings.slack_signing_secret
    bolt_logger = logging.getLogger("slack_bolt")
    if not any(isinstance(f, NoTokenNote) for f in bolt_logger.filters):
        bolt_logger.addFilter(NoTokenNote())
    app = AsyncApp(
        client=client,
        signing_secret=secret.get_secret_value() if secret else "",
        request_verification_enabled=settings.slack.mode == "http",
        # Run a listener inline and answer when it returns: our listeners ack in about a
        # millisecond, and bolt's other path polls for the ack every 10 ms.
        process_before_response=True,
        # Requests bolt cannot route get an answer, not a hang until Slack's timeout.
        raise_error_for_unhandled_request=False,
        # bolt gives each of its loggers the level of the root logger as it is at this moment
        # (INFO in `run`); with a base logger they take its level instead: WARNING unless -v.
        logger=bolt_logger,
        before_authorize=keep_proxy_rule,  # its per-request clients would take any proxy
    )
    register_commands(app, context, SlackAdmins(client, settings.slack.admin_groups))
    return app


class SlackAdapter:
    platform = "slack"

    def __init__(self, settings: BotSettings, context: ContextFactory) -> None:
        self.settings = settings
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        self.client = make_web_client(token, settings.slack.api_base_url)
        self.publisher = SlackPublisher(self.client)
        # Keyword alerts go out as DMs from the bot user: only with a bot token.
        self.direct: DirectMessenger | None = SlackDirectMessenger(self.client) if token else None
        # Without a bot token only webhook channels are served, and there are no commands.
        self.app = build_bolt_app(settings, context, self.client) if token else None
        self.http_routes: Mapping[str, ASGIApp] = {}
        if self.app is not None and settings.slack.mode == "http":
            secret = settings.slack_signing_secret
            events = SlackEventsApp(self.app, secret.get_secret_value() if secret else "")
            self.http_routes = {EVENTS_PATH: events}
        self._socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self.app is None:
            return
        if self.client.session is None:
            # One pool of connections for every call: a fan-out sends thousands of messages.
            connector = aiohttp.TCPConnector(limit=CONNECTIONS)
            self._session = self.client.session = aiohttp.ClientSession(connector=connector)
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            code = error_code(error)
            if code not in PERMANENT_ERRORS:  # an outage (5xx, ratelimited): worth retrying
                raise PlatformUnavailable(
                    f"Slack answered auth.test with {code}: Slack is having trouble; "
                    "try again later"
                ) from None
            hint = PERMANENT_ERRORS[code]
            raise ConfigError([f"SLACK_BOT_TOKEN: Slack refused it ({code}): {hint}"]) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise PlatformUnavailable(
                f"cannot reach the Slack API ({type(error).__name__}): check the network and "
                "[slack] api_base_url"
            ) from None
        log.info("slack: connected as %s in %s", identity.get("user"), identity.get("team"))
        if self.settings.slack.mode == "socket":
            app_token = self.settings.slack_app_token
            if app_token is None:
                raise ConfigError(["slack.mode: 'socket' needs SLACK_APP_TOKEN (xapp-…)"])
            try:
                # Checked here because the socket client only logs a refusal and retries forever.
                await self.client.apps_connections_open(app_token=app_token.get_secret_value())
            except SlackApiError as error:
                raise ConfigError(
                    [
                        f"SLACK_APP_TOKEN: Slack refused it ({error_code(error)}): create an "
                        "app-level token with the connections:write scope (xapp-…)"
                    ]
                ) from None
            self._socket = AsyncSocketModeHandler(
                self.app, app_token.get_secret_value(), web_client=self.client
            )
            # Its websocket goes where the API said, past the same proxy rule as the API.
            self._socket.client.proxy = proxy_for(self.settings.slack.api_base_url)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack: Socket Mode connected; slash commands are live")

    async def close(self) -> None:
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()  # type: ignore[no-untyped-call]
        if self._session is not None:
            session, self._session = self._session, None
            self.client.session = None
            await session.close()
