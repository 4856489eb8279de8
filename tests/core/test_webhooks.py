"""One answer to "is this target a webhook, and a valid one?", for the config and the publishers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.webhooks import is_webhook_target, mask_webhook, webhook_problem
from config import ChannelConfig

SLACK = "https://hooks.slack.com/services/T0AAAA/B0BBBB/SeCrEtPaRt123"
DISCORD = "https://discord.com/api/webhooks/123456789012345678/" + "t" * 68


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("slack", SLACK),
        ("slack", "http://127.0.0.1:8123/services/T0/B0/abc"),  # a local relay or fake
        ("discord", DISCORD),
        ("discord", DISCORD.replace("discord.com", "discordapp.com")),
        ("discord", DISCORD.replace("/api/", "/api/v10/")),
    ],
)
def test_valid_webhook_urls_are_webhooks_and_accepted(platform: str, url: str) -> None:
    assert is_webhook_target(url)
    assert webhook_problem(platform, url) is None
    ChannelConfig(name="c", platform=platform, target=url)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("slack", SLACK.removeprefix("https://")),  # no scheme: was posted as a channel id
        ("slack", SLACK.replace("https://", "http://")),  # the secret in clear
        ("slack", SLACK.replace("hooks.slack.com", "example.org")),
        ("slack", SLACK + "?token=x"),
        ("slack", "https://hooks.slack.com/services/T0AAAA/SeCrEtPaRt123"),
        ("slack", DISCORD),  # the other platform's webhook
        ("discord", DISCORD.removeprefix("https://")),
        ("discord", DISCORD.replace("https://", "http://")),
        ("discord", "https://discord.com/api/webhooks/123/SeCrEtPaRt123"),
        ("discord", SLACK),
    ],
)
def test_a_target_that_looks_like_a_url_but_is_no_webhook_is_a_config_error(
    platform: str, url: str
) -> None:
    assert is_webhook_target(url)
    assert webhook_problem(platform, url) is not None
    with pytest.raises(ValidationError) as error:
        ChannelConfig(name="lab", platform=platform, target=url)  # type: ignore[arg-type]
    message = str(error.value.errors()[0]["msg"])
    assert "channel 'lab'" in message
    assert "SeCrEtPaRt123" not in message
    assert "t" * 60 not in message


@pytest.mark.parametrize("target", ["C0123ABCD", "123456789012345678", "#general"])
def test_channel_ids_are_not_webhooks(target: str) -> None:
    assert not is_webhook_target(target)


def test_webhook_url_env_and_config_agree_with_the_publishers() -> None:
    # The drift of issue 14: an http:// target was a webhook to the publishers only.
    http = ChannelConfig(name="c", platform="slack", target="http://127.0.0.1:1/services/T/B/x")
    assert http.is_webhook
    assert http.format_options().mode == "single"  # a webhook cannot thread


def test_masking_hides_the_secret_part_and_credentials() -> None:
    # One rule with every other output (bot.redaction): a Slack webhook's path is all secret.
    assert mask_webhook(SLACK) == "https://hooks.slack.com/***"
    assert mask_webhook("hooks.slack.com/services/T/B/xyz") == "hooks.slack.com/***"
    assert mask_webhook("https://u:pw@h/x/y?token=z") == "https://h/x/***"
    discord = "https://discord.com/api/webhooks/123/tok"
    assert mask_webhook(discord) == "https://discord.com/api/webhooks/123/***"
    assert mask_webhook("https://example.org/hook/abcdefsecret") == "https://example.org/hook/***"
