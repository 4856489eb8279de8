"""Prometheus metrics of the running bot, served at /metrics on the [http] server.

Counters live in the process-wide default registry, as prometheus_client intends; labels are
the configured channel name, the platform, or the command, never user text.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "digest_bot_deliveries",
    "Deliveries of a day's digest to a channel, by outcome.",
    ["channel", "platform", "outcome"],
)
LAST_DELIVERED = Gauge(
    "digest_bot_last_delivered_timestamp_seconds",
    "When the channel last got a digest (Unix time).",
    ["channel"],
)
COMMANDS = Counter(
    "digest_bot_commands",
    "Slash commands answered, by command and whether the input was usable.",
    ["command", "ok"],
)
COMMAND_SECONDS = Histogram(
    "digest_bot_command_seconds",
    "Time to compute a command's answer.",
    ["command"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
