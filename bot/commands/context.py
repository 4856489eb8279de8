"""What a command runs with: the archive, the caller, and the running bot's channel services.

How a command is declared (`CommandSpec`) lives in `bot/commands/spec.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.alerts import AlertStore
from bot.archive import Archive
from bot.channels import ChannelRegistry
from bot.clock import utc_now
from bot.delivery.ledger import DeliveryLedger
from bot.formatter import FormatOptions
from bot.messages import Message
from bot.sources.health import SourceHealth


@dataclass(frozen=True)
class Caller:
    """Who asked, where, and whether the platform's own permission data makes them an admin.

    Adapters fill `is_admin` from the platform (Slack: workspace admin or owner, or a member of
    a configured user group; Discord: Manage Server or Administrator, or a configured role).
    """

    platform: str
    user_id: str
    channel_id: str | None = None
    is_admin: bool = False
    # Where one bot serves several separate communities (a Discord bot in several servers): the
    # platform channel ids of the caller's one, so that its admins reach only its channels.
    # None: every configured channel of the platform is the caller's (one Slack workspace).
    channels_here: frozenset[str] | None = None


@dataclass(frozen=True)
class BotServices:
    """The running bot's per-channel state: settings, deliveries, the source's health.

    `alerts` holds the users' keyword alerts (`/paper-alert`); None where nothing sends them.
    """

    channels: ChannelRegistry
    ledger: DeliveryLedger
    health: SourceHealth
    alerts: AlertStore | None = None


@dataclass(frozen=True)
class CommandContext:
    """What a command needs: the archive, today's date where the user is, and display options.

    `caller` and `services` are there when a running bot answers a platform's command; the
    `digest-*` commands need them, the archive commands do not.
    """

    archive: Archive
    today: dt.date
    options: FormatOptions = field(default_factory=FormatOptions)
    caller: Caller | None = None
    services: BotServices | None = None
    now: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class CommandResult:
    message: Message
    ok: bool  # False for a usage error or failure: adapters keep those private to the user
