"""Slash commands on a bolt app: every command of the registry, under its Slack name.

The answer goes in the `ack()` itself, so it reaches Slack inside the 3-second window in one
round trip (an archive lookup takes a millisecond). It is ephemeral, with a "Share in channel"
button that posts the same answer for everyone through the command's `response_url`. Answers
that depend on who asks (`/digest-status`, `/digest-config`, `/paper-alert`) are never cached
nor shareable.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse

from adapters.slack.permissions import SlackAdmins
from adapters.slack.render import render_message
from bot.adapter_contract import ContextFactory
from bot.commands import (
    COMMANDS,
    AnswerCache,
    Caller,
    CommandRegistry,
    CommandResult,
    run_command,
)

log = logging.getLogger(__name__)


def slash_commands(commands: CommandRegistry = COMMANDS) -> dict[str, str]:
    """Slack's `/name` → the registry's name; Slack reserves some, e.g. /search → /papers-search."""
    return {f"/{spec.name_on('slack')}": name for name, spec in commands.items()}


SLASH_COMMANDS = slash_commands()
SHARE_ACTION = "digest_share"
BUTTON_VALUE_MAX = 2000
_LINK_BUTTON = re.compile(r"-link-\d+$")


def _answer(result: CommandResult, *, share: dict[str, str] | None) -> list[dict[str, Any]]:
    """The Slack messages of a command's answer; the first gets the Share button."""
    payloads = render_message(result.message)
    first = payloads[0]
    blocks = list(first.get("blocks") or [])
    if share is not None and blocks and len(blocks) < 50:
        value = json.dumps(share, ensure_ascii=False)
        if len(value) <= BUTTON_VALUE_MAX:
            button = {
                "type": "button",
                "text": {"type": "plain_text", "text": "Share in channel"},
                "action_id": SHARE_ACTION,
                "value": value,
            }
            blocks.append({"type": "actions", "elements": [button]})
            payloads[0] = {**first, "blocks": blocks}
    return payloads


def register_commands(
    app: AsyncApp,
    context: ContextFactory,
    admins: SlackAdmins,
    commands: CommandRegistry = COMMANDS,
) -> None:
    """Handle every command of `commands` under its Slack name, and the Share button, on `app`."""
    names = slash_commands(commands)

    # A cached answer is kept as the ack's JSON body: serialising the blocks again for every
    # request was the largest part of the bot's own work per command in a profile.
    cache: AnswerCache[tuple[str, list[dict[str, Any]]]] = AnswerCache()

    def answer(name: str, text: str) -> tuple[str, list[dict[str, Any]]]:
        ctx = context()
        key = (name, " ".join(text.split()), ctx.today, ctx.archive.generation)

        def compute() -> tuple[str, list[dict[str, Any]]]:
            result = run_command(ctx, name, text, commands)
            first, *rest = _answer(result, share={"c": name, "t": text} if result.ok else None)
            return json.dumps({"response_type": "ephemeral", **first}), rest

        return cache.get_or_compute(key, compute)

    async def on_command(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        name = names.get(str(command.get("command")), "help")
        text = str(command.get("text") or "")
        spec = commands.get(name)
        if spec is not None and spec.personal:
            await personal(ack, respond, command, name, text)
            return
        body, rest = answer(name, text)
        # What `await ack(response_type="ephemeral", **first)` sets, minus its json.dumps.
        ack.response = BoltResponse(status=200, body=body)
        for payload in rest:  # an answer over 50 blocks; never the case for one paper
            await respond(response_type="ephemeral", replace_original=False, **payload)

    async def personal(
        ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], name: str, text: str
    ) -> None:
        user = str(command.get("user_id") or "")
        caller = Caller(
            platform="slack",
            user_id=user,
            channel_id=str(command.get("channel_id") or "") or None,
            # users.info only for the admin commands: /paper-alert needs no such call.
            is_admin=bool(user) and commands[name].admin and await admins.is_admin(user),
        )
        first, *rest = _answer(run_command(context(caller), name, text, commands), share=None)
        await ack(response_type="ephemeral", **first)
        for payload in rest:
            await respond(response_type="ephemeral", replace_original=False, **payload)

    async def on_share(ack: AsyncAck, respond: AsyncRespond, action: dict[str, Any]) -> None:
        await ack()
        try:
            asked = json.loads(str(action.get("value") or ""))
            name, text = str(asked["c"]), str(asked["t"])
        except (ValueError, KeyError, TypeError):
            log.warning("slack: a Share button with an unreadable value was pressed")
            return
        # Computed again, not copied from the button: the archive is the source of truth.
        result = run_command(context(), name, text, commands)
        for payload in _answer(result, share=None):
            await respond(response_type="in_channel", replace_original=False, **payload)
        await respond(delete_original=True)

    async def on_link(ack: AsyncAck) -> None:
        await ack()  # link buttons open in the browser; Slack still reports the click

    for slash in names:
        app.command(slash)(on_command)
    app.action(SHARE_ACTION)(on_share)
    app.action(_LINK_BUTTON)(on_link)
