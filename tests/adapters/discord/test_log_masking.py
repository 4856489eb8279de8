"""discord.py's request lines are masked by the one redacting rule, whichever handler shows them."""

from __future__ import annotations

import io
import logging

from adapters.discord.webhook_publisher import hide_webhook_tokens


def test_a_webhook_request_line_is_masked_even_on_a_handler_added_later() -> None:
    hide_webhook_tokens()
    logger = logging.getLogger("discord.webhook.async_")
    late = io.StringIO()
    handler = logging.StreamHandler(late)  # e.g. one added after the command line's setup
    logger.addHandler(handler)
    try:
        logger.warning(
            "Webhook ID %s with %s has returned status code %s",
            "1323802873061965824",
            "https://discord.com/api/v10/webhooks/1323802873061965824/Tok3n-s3cret?wait=1",
            200,
        )
    finally:
        logger.removeHandler(handler)
    shown = late.getvalue()
    assert "Tok3n-s3cret" not in shown
    assert "/webhooks/1323802873061965824/***" in shown
