"""What a channel is sent: its daily digest, or its optional weekly top post.

Each kind is delivered once per (channel, day). The ledger, the scheduler and the adapters'
message ids need one string per channel and kind: `delivery_name` is the only place it is made.
"""

from __future__ import annotations

from typing import Literal, get_args

DeliveryKind = Literal["daily", "weekly"]
KINDS: tuple[DeliveryKind, ...] = get_args(DeliveryKind)


def delivery_name(channel: str, kind: DeliveryKind) -> str:
    """`research` for the daily digest, `research#weekly` for the weekly post.

    The form rows of the ledger have always been stored in (configured channel names cannot
    contain `#`), so existing rows stay readable.
    """
    return channel if kind == "daily" else f"{channel}#{kind}"


def parse_delivery_name(name: str) -> tuple[str, DeliveryKind]:
    """The channel and kind of a `delivery_name`."""
    channel, _, kind = name.partition("#")
    for known in KINDS:
        if known == (kind or "daily"):
            return channel, known
    raise ValueError(f"not a delivery name: {name!r}")
