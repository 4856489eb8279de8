"""Slash commands through the real bolt app in HTTP mode, over loopback, with signed requests."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from adapters.slack.adapter import SlackAdapter
from adapters.slack.commands import SHARE_ACTION
from bot.archive import Archive
from bot.commands import CommandContext
from config import BotSettings
from config.settings import SlackSettings
from tests.fakes.asgi_server import serve_asgi
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USER = "U0HUMAN001"


class SlackClient:
    """Sends what Slack sends: form bodies signed with the app's signing secret."""

    def __init__(self, http: httpx.AsyncClient, api: FakeSlackAPI) -> None:
        self.http = http
        self.api = api
        self.count = 0

    async def post(
        self, body: str, *, secret: str = SECRET, timestamp: int | None = None
    ) -> httpx.Response:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": str(signature),
        }
        return await self.http.post("/slack/events", content=body, headers=headers)

    def command_body(self, command: str, text: str) -> str:
        self.count += 1
        return urlencode(
            {
                "token": "deprecated-verification-token",
                "team_id": "T0FAKETEAM",
                "channel_id": DEFAULT_CHANNEL,
                "user_id": USER,
                "command": command,
                "text": text,
                "response_url": self.api.response_url(f"cmd{self.count}"),
                "trigger_id": f"trigger.{self.count}",
                "api_app_id": "A0FAKEAPP",
            }
        )

    async def command(self, command: str, text: str = "") -> dict[str, Any]:
        response = await self.post(self.command_body(command, text))
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def click(self, button: dict[str, Any]) -> httpx.Response:
        self.count += 1
        payload = {
            "type": "block_actions",
            "team": {"id": "T0FAKETEAM"},
            "user": {"id": USER},
            "api_app_id": "A0FAKEAPP",
            "channel": {"id": DEFAULT_CHANNEL},
            "container": {"type": "message", "is_ephemeral": True},
            "trigger_id": f"trigger.{self.count}",
            "response_url": self.api.response_url(f"click{self.count}"),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "b",
                    "value": button.get("value", ""),
                    "action_ts": "1736400000.000100",
                }
            ],
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}))


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as server:
        yield server


@pytest.fixture
async def slack(api: FakeSlackAPI, sample_archive: Archive) -> AsyncIterator[SlackClient]:
    settings = BotSettings(
        slack=SlackSettings(mode="http", api_base_url=api.base_url),
        slack_bot_token=SecretStr(FAKE_BOT_TOKEN),
        slack_signing_secret=SecretStr(SECRET),
    )
    adapter = SlackAdapter(
        settings, lambda: CommandContext(archive=sample_archive, today=dt.date(2025, 1, 11))
    )
    await adapter.start()
    [(path, app)] = adapter.http_routes.items()
    assert path == "/slack/events"
    async with serve_asgi(app) as url, httpx.AsyncClient(base_url=url) as http:
        yield SlackClient(http, api)
    await adapter.close()


def texts(answer: dict[str, Any]) -> str:
    return json.dumps(answer.get("blocks"), ensure_ascii=False) + answer.get("text", "")


def share_button(answer: dict[str, Any]) -> dict[str, Any] | None:
    for block in answer.get("blocks") or []:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") == SHARE_ACTION:
                return dict(element)
    return None


async def test_paper_answers_the_card_privately_with_a_share_button(slack: SlackClient) -> None:
    answer = await slack.command("/paper", "2501.04682")
    assert answer["response_type"] == "ephemeral"
    assert "Towards System 2 Reasoning in LLMs" in texts(answer)
    assert "Chase Blagden" in texts(answer)
    assert share_button(answer) is not None
    # A link resolves to the same paper.
    by_link = await slack.command("/paper", "https://huggingface.co/papers/2501.04682")
    assert by_link["blocks"][:-1] == answer["blocks"][:-1]  # all but the Share button


async def test_top_ranks_the_day_by_votes(slack: SlackClient) -> None:
    answer = await slack.command("/top", "3 2025-01-09")
    shown = texts(answer)
    assert "Top 3 — 2025-01-09" in shown
    assert shown.index("rStar-Math") < shown.index("Towards System 2") < shown.index("URSA")
    latest = await slack.command("/top", "")
    assert "2025-01-10" in texts(latest)
    yesterday = await slack.command("/top", "1 yesterday")  # today is 2025-01-11 here
    assert "Top 1 — 2025-01-10" in texts(yesterday)


async def test_top_week_and_month_rank_the_days_up_to_the_latest(
    slack: SlackClient, api: FakeSlackAPI
) -> None:
    week = await slack.command("/top", "week")  # the sample's latest digest is 2025-01-10
    shown = texts(week)
    assert week["response_type"] == "ephemeral"
    assert "Top 5 — week 2025-01-04 … 2025-01-10" in shown
    # Papers of 2025-01-09, 2025-01-08 and 2025-01-10 in one list, by votes.
    assert shown.index("rStar-Math") < shown.index("REINFORCE++") < shown.index("Search-o1")
    month = await slack.command("/top", "2 month")
    assert "Top 2 — month 2024-12-12 … 2025-01-10" in texts(month)
    assert "REINFORCE++" not in texts(month)  # only the best two
    assert "week|month" in texts(await slack.command("/top", "help"))

    button = share_button(week)
    assert button is not None
    assert (await slack.click(button)).status_code == 200
    shared = api.responses[0][1]
    assert shared["response_type"] == "in_channel"
    assert "Top 5 — week 2025-01-04 … 2025-01-10" in json.dumps(
        shared["blocks"], ensure_ascii=False
    )


async def test_digest_and_search(slack: SlackClient) -> None:
    digest = await slack.command("/digest", "2025-01-09")
    assert "Daily Papers — 2025-01-09" in texts(digest)
    found = await slack.command("/papers-search", "reasoning")
    assert "Search: reasoning" in texts(found)
    assert "rStar-Math" in texts(found) or "Towards System 2" in texts(found)


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/paper", "hello", "'hello' is not an arXiv id"),
        ("/paper", "", "Which paper?"),
        ("/paper", "2501.99999", "2501.99999 is not in any digest"),
        ("/top", "-3", "n must be between 1 and 25 (got -3)"),
        ("/top", "1000", "n must be between 1 and 25 (got 1000)"),
        ("/top", "2024-02-30", "'2024-02-30' is not a date"),
        ("/top", "2025-01-01", "No digest for 2025-01-01"),
        ("/papers-search", "", "Search for what?"),
    ],
)
async def test_bad_input_gets_a_short_helpful_private_answer(
    slack: SlackClient, command: str, text: str, expected: str
) -> None:
    answer = await slack.command(command, text)
    assert answer["response_type"] == "ephemeral"
    assert expected in texts(answer)
    assert share_button(answer) is None


async def test_help_explains_usage(slack: SlackClient) -> None:
    answer = await slack.command("/top", "help")
    assert "/top [n] [YYYY-MM-DD|yesterday]" in texts(answer)


async def test_share_posts_the_answer_in_the_channel(slack: SlackClient, api: FakeSlackAPI) -> None:
    answer = await slack.command("/paper", "2501.04682")
    button = share_button(answer)
    assert button is not None
    response = await slack.click(button)
    assert response.status_code == 200
    [(first_id, shared), (second_id, removed)] = api.responses
    assert first_id == second_id == f"click{slack.count}"
    assert shared["response_type"] == "in_channel"
    assert shared["replace_original"] is False
    assert "Towards System 2 Reasoning" in json.dumps(shared["blocks"])
    assert share_button(shared) is None  # the shared copy has no button of its own
    assert removed["delete_original"] is True


async def test_a_forged_or_stale_request_is_refused(slack: SlackClient, api: FakeSlackAPI) -> None:
    body = slack.command_body("/paper", "2501.04682")
    forged = await slack.post(body, secret="not-the-signing-secret")
    stale = await slack.post(body, timestamp=int(time.time()) - 10 * 60)
    unsigned = await slack.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    assert "Towards System 2" not in forged.text + stale.text + unsigned.text
    assert api.responses == []
