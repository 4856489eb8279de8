"""What the bot's /healthz says: the database answers, the scheduler runs, each channel's last
delivery (a failed one shows)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.archive import Archive
from bot.delivery.ledger import DeliveryLedger


def delivery_health(
    archive: Archive, ledger: DeliveryLedger, channels: Sequence[str], *, scheduling: bool
) -> tuple[bool, dict[str, Any]]:
    """Healthy when the database answers and the scheduler runs (or there is nothing to
    schedule); details per channel name in `channels`."""
    try:
        latest = archive.latest_date()
    except Exception as error:  # the database is down: say so, never crash the probe
        return False, {"database": f"unavailable ({type(error).__name__})"}
    deliveries = {}
    for name in channels:
        record = ledger.last_delivery(name, done=False)  # a failure shows
        deliveries[name] = (
            None if record is None else {"date": record.day.isoformat(), "state": record.state}
        )
    details = {
        "latest_digest": latest.isoformat() if latest else None,
        "scheduler": "running" if scheduling else "stopped",
        "channels": deliveries,
    }
    return bool(scheduling or not channels), details
