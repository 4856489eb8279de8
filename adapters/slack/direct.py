"""Direct messages to Slack users: the keyword alerts of `/paper-alert`.

`conversations.open` with the user's id gives the bot's DM channel with them (the same one each
time; it needs the `im:write` scope), then `chat.postMessage` posts the rendered message there.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.client import PERMANENT_ERRORS, error_code, is_ambiguous
from adapters.slack.render import render_message
from bot.errors import DeliveryError
from bot.messages import Message

log = logging.getLogger(__name__)

# Why a user cannot get a DM, beyond the errors every Slack call may meet.
DM_ERRORS: dict[str, str] = {
    "user_not_found": "no such user in this workspace",
    "user_disabled": "the user's account is deactivated",
    "user_not_visible": "the app cannot see this user",
    "cannot_dm_bot": "the user is a bot",
    "missing_scope": "the app lacks the im:write scope: reinstall it from "
    "`digest-bot slack manifest`",
}


class SlackDirectMessenger:
    """Sends a neutral `Message` to one Slack user as a direct message from the bot."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send_direct(self, user_id: str, message: Message) -> None:
        where = f"Slack DM to user {user_id}"
        try:
            opened = await self.client.conversations_open(users=user_id)
            channel = str(opened["channel"]["id"])
            for payload in render_message(message):
                await self.client.chat_postMessage(
                    channel=channel, unfurl_links=False, unfurl_media=False, **payload
                )
        except SlackApiError as error:
            code = error_code(error)
            hint = DM_ERRORS.get(code) or PERMANENT_ERRORS.get(code)
            permanent = hint is not None and not is_ambiguous(error)
            raise DeliveryError(
                f"{where}: {code}" + (f": {hint}" if hint else ""), permanent=permanent
            ) from None
        except Exception as error:
            if not is_ambiguous(error):
                raise
            # The type only: the text of some network errors holds the request's URL.
            raise DeliveryError(f"{where}: cannot reach Slack ({type(error).__name__})") from None
        log.debug("slack: alert DM sent to user %s", user_id)
