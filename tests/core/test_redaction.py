"""Secrets masked in any text and every log record; a log line from input stays one line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import redaction
from bot.redaction import (
    MASK,
    RedactingFilter,
    escape_controls,
    redact,
    register_environment_secrets,
    register_secrets,
)


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    saved = set(redaction._registered)
    yield
    redaction._registered.clear()
    redaction._registered.update(saved)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET http://user:PASSWORD1@127.0.0.1:8000/x", "PASSWORD1"),
        ("postgresql+psycopg://bot:s3cr3t-pw@db:5432/digest", "s3cr3t-pw"),
        ("https://h.example/2025-01-09.md?token=SECRETQ1&x=1", "SECRETQ1"),
        ("https://h.example/d?api_key=SECRETQ2", "SECRETQ2"),
        ("https://h.example/d?a=1&sig=SECRETQ3", "SECRETQ3"),
        ("https://h.example/d?client_secret=SECRETQ4#f", "SECRETQ4"),
        ("error (got 'token=SECRETQ5')", "SECRETQ5"),
        ("SLACK_BOT_TOKEN: got 'xoxb-1234-5678-abcdefSECRET'", "abcdefSECRET"),
        ("app token xapp-1-A0123-4567-deadbeefSECRET", "deadbeefSECRET"),
        ("user token xoxp-11-22-SECRETUSER", "SECRETUSER"),
        ("url: https://hooks.slack.com/services/T000/B000/XXXXSECRET", "XXXXSECRET"),
        ("the target hooks.slack.com/services/T000/B000/YYYYSECRET", "YYYYSECRET"),
        ("https://discord.com/api/webhooks/123456/ZZZZSECRET?wait=true", "ZZZZSECRET"),
        ("discord.com/api/webhooks/123456/WWWWSECRET", "WWWWSECRET"),
        ("POST http://127.0.0.1:9/api/v10/interactions/99/INTERSECRET/callback", "INTERSECRET"),
        (
            "Authorization: Bot MTA4NjQ1NzY1NDMyMTA5ODc2NQ.GhIjKl.abcdefghijklmnopqrstuvwxyz12345",
            "abcdefghijklmnopqrstuvwxyz12345",
        ),
        ("key sk-proj-abcdefghijklmnop1234 used", "abcdefghijklmnop1234"),
    ],
)
def test_secret_shapes_are_masked_whatever_their_origin(text: str, secret: str) -> None:
    shown = redact(text)
    assert secret not in shown
    assert MASK in shown


def test_ordinary_text_is_left_alone() -> None:
    text = "slack channel=C0DIGEST01 part=3: posted after all (https://arxiv.org/abs/2501.04519)"
    assert redact(text) == text


def test_a_registered_secret_is_masked_in_every_form_it_appears() -> None:
    hook = "http://127.0.0.1:4567/webhooks/hook-team"
    register_secrets([hook, "plain-signing-secret", "abc", None])
    assert redact(f"posting to {hook}") == f"posting to {MASK}"
    assert "hook-team" not in redact("target 127.0.0.1:4567/webhooks/hook-team")  # no scheme
    assert "hook-team" not in redact("u=http%3A%2F%2F127.0.0.1%3A4567%2Fwebhooks%2Fhook-team")
    assert redact("sig plain-signing-secret") == f"sig {MASK}"
    assert redact("abc stays") == "abc stays"  # too short to mask without masking words


def test_environment_secrets_are_known_by_their_names() -> None:
    register_environment_secrets(
        {"OPENAI_API_KEY": "opaque-key-123", "MY_TOKEN": "opaque-token-456", "HOME": "/home/u"}
    )
    assert redact("opaque-key-123 opaque-token-456 /home/u") == f"{MASK} {MASK} /home/u"


def test_escaped_controls_keep_a_line_one_line() -> None:
    assert (
        escape_controls("a\nb\r\x1b[31mc\u2028d\te") == "a\\nb\\r\\x1b[31mc\\u2028d\te"
    )  # a tab stays


def log_through_filter(*args: object, exc: BaseException | None = None) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc is not None:
            try:
                raise exc
            except BaseException:
                logger.exception(*args)
        else:
            logger.warning(*args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_logged_argument_cannot_forge_a_line_or_show_a_secret() -> None:
    forged = "C0DIGEST01\n2025-01-09 09:00:00 INFO bot: forged xoxb-1-2-SECRETFORGE"
    shown = log_through_filter("slack channel=%s: failed after %d attempts", forged, 3)
    assert shown.count("\n") == 1  # the record's own line end
    assert "SECRETFORGE" not in shown
    assert "failed after 3 attempts" in shown


def test_a_traceback_in_the_log_is_masked_too() -> None:
    error = RuntimeError("cannot reach https://hooks.slack.com/services/T0/B0/TRACESECRET")
    shown = log_through_filter("delivery failed", exc=error)
    assert "Traceback" in shown
    assert "TRACESECRET" not in shown


def test_the_webhook_form_in_help_texts_stays_readable() -> None:
    text = "not a Slack incoming-webhook URL of the form https://hooks.slack.com/services/T…/B…/…"
    assert redact(text) == text


def test_a_masked_webhook_in_parentheses_keeps_the_closing_one() -> None:
    slack = "(got hooks.slack.com/services/T0AAAA/B0BBBB/SECRETHOOK)"
    assert redact(slack) == f"(got hooks.slack.com/{MASK})"
    discord = "(got https://discord.com/api/webhooks/123/SECRETTOKEN), then"
    assert redact(discord) == f"(got https://discord.com/api/webhooks/123/{MASK}), then"
