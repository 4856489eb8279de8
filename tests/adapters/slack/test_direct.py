"""Slack DMs (keyword alerts): conversations.open with the user, then chat.postMessage there."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.slack.client import make_web_client
from adapters.slack.direct import SlackDirectMessenger
from bot.errors import DeliveryError
from bot.messages import Card, ListItem, Message
from tests.fakes.slack_api import FAKE_BOT_TOKEN, FakeSlackAPI

USER = "U0READER01"
MESSAGE = Message(
    role="answer",
    text="Paper alert\n1. A paper",
    cards=[
        Card(
            title="Paper alert",
            items=[ListItem(text="A paper", url="https://arxiv.org/abs/2501.00001")],
        )
    ],
)


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI(users={USER: "rea"}) as server:
        yield server


async def test_the_message_goes_to_the_users_dm_channel(api: FakeSlackAPI) -> None:
    sender = SlackDirectMessenger(make_web_client(FAKE_BOT_TOKEN, api.base_url))
    await sender.send_direct(USER, MESSAGE)
    await sender.send_direct(USER, MESSAGE)  # the same DM channel again
    (dm,) = [c for c in api.channels.values() if c.is_im]
    assert dm.users == (USER,)
    assert [m.text for m in api.messages(dm.id)] == [MESSAGE.text, MESSAGE.text]
    assert api.messages(dm.id)[0].blocks


async def test_failures_become_delivery_errors(api: FakeSlackAPI) -> None:
    sender = SlackDirectMessenger(make_web_client(FAKE_BOT_TOKEN, api.base_url))
    with pytest.raises(DeliveryError, match="user_not_found: no such user") as unknown:
        await sender.send_direct("U0NOBODY01", MESSAGE)
    assert unknown.value.permanent
    api.fail_next("chat.postMessage", status=500)
    with pytest.raises(DeliveryError, match="Slack DM to user U0READER01") as outage:
        await sender.send_direct(USER, MESSAGE)
    assert not outage.value.permanent
    revoked = SlackDirectMessenger(make_web_client("xoxb-revoked", api.base_url))
    with pytest.raises(DeliveryError, match="invalid_auth") as refused:
        await revoked.send_direct(USER, MESSAGE)
    assert refused.value.permanent
    assert "xoxb-revoked" not in str(refused.value)
