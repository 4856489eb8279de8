"""Per-channel settings changed in chat with `/digest-config`, kept in the bot's database.

The config file gives every channel its settings; an admin may change some of them from the
channel itself. Only the changed keys are stored, applied over the file's values, and every change
is validated by the same `ChannelConfig` model, with the same messages, as `check-config`. Readers
ask the registry at each use, so a change counts from the next delivery on without a restart; the
scheduler learns of a new time through `on_change`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, delete, insert, select, update

from bot.channels.model import ChannelConfig
from bot.channels.problems import describe_problems
from bot.channels.vocabulary import DIGEST_CONFIG, Vocabulary
from bot.clock import Clock, utc_now
from bot.errors import UserError
from bot.storage import ensure_schema
from bot.storage.tables import channel_overrides

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SettingsChange:
    """The channel's settings after a change, and the fields the change set."""

    config: ChannelConfig
    changed: dict[str, Any]


class ChannelRegistry:
    """The configured channels with the settings changed in chat applied over the file's."""

    def __init__(
        self,
        channels: Sequence[ChannelConfig],
        engine: Engine,
        *,
        clock: Clock = utc_now,
        vocabulary: Vocabulary = DIGEST_CONFIG,
    ) -> None:
        self._base = {channel.name: channel for channel in channels}
        self.engine = engine
        self.clock = clock
        # The words `change` reads; `/digest-config` shows and tells channels from settings by it.
        self.vocabulary = vocabulary
        self._listeners: list[Callable[[ChannelConfig], None]] = []
        ensure_schema(engine)

    def on_change(self, listener: Callable[[ChannelConfig], None]) -> None:
        self._listeners.append(listener)

    def names(self) -> list[str]:
        return list(self._base)

    def base(self, name: str) -> ChannelConfig:
        """The channel as the config file has it."""
        try:
            return self._base[name]
        except KeyError:
            known = ", ".join(self._base) or "none configured"
            raise UserError(f"No channel named '{name}' (known: {known}).") from None

    def get(self, name: str) -> ChannelConfig:
        """The channel's settings now: the file's, with the ones changed in chat applied."""
        base = self.base(name)
        return _applied(base, self.overrides(name))

    def all(self) -> list[ChannelConfig]:
        query = select(channel_overrides.c.channel, channel_overrides.c.settings)
        with self.engine.connect() as connection:
            stored = {name: settings for name, settings in connection.execute(query)}
        return [_applied(base, stored.get(name) or {}) for name, base in self._base.items()]

    def find(self, platform: str, channel_id: str) -> ChannelConfig | None:
        """The configured channel a platform channel id belongs to (webhook channels have none)."""
        for name, base in self._base.items():
            if base.platform == platform and base.target == channel_id:
                return self.get(name)
        return None

    def overrides(self, name: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(channel_overrides.c.settings).where(channel_overrides.c.channel == name)
            ).scalar()
        return dict(found or {})

    def change(self, name: str, text: str, *, by: str) -> SettingsChange:
        """Apply `/digest-config` words; UserError with check-config's messages if invalid."""
        base, stored = self.base(name), self.overrides(name)
        current = _applied(base, stored)
        changes = self.vocabulary.parse(current, text)
        try:
            config = ChannelConfig.model_validate({**current.model_dump(), **changes})
        except ValidationError as error:
            raise UserError("\n".join(describe_problems(error))) from None
        settled = {field: getattr(config, field) for field in changes}
        self._store(name, {**stored, **settled}, by)
        self._notify(config)
        return SettingsChange(config, settled)

    def reset(self, name: str, *, by: str) -> ChannelConfig:
        """Forget every setting changed in chat: the config file's values count again."""
        base = self.base(name)
        with self.engine.begin() as connection:
            connection.execute(delete(channel_overrides).where(channel_overrides.c.channel == name))
        log.info("channel=%s: settings reset to the config file by %s", name, by)
        self._notify(base)
        return base

    def _store(self, name: str, settings: dict[str, Any], by: str) -> None:
        row = {"settings": settings, "updated_by": by, "updated_at": self.clock()}
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(channel_overrides).where(channel_overrides.c.channel == name).values(row)
            ).rowcount
            if not updated:
                connection.execute(insert(channel_overrides).values(channel=name, **row))
        log.info("channel=%s: settings changed by %s: %s", name, by, sorted(settings))

    def _notify(self, config: ChannelConfig) -> None:
        for listener in self._listeners:
            listener(config)


def _applied(base: ChannelConfig, overrides: dict[str, Any]) -> ChannelConfig:
    if not overrides:
        return base
    try:
        return ChannelConfig.model_validate({**base.model_dump(), **overrides})
    except ValidationError as error:
        # Written by an older or newer bot: the file's settings are safe to fall back on.
        log.warning(
            "channel=%s: ignoring settings changed in chat: %s",
            base.name,
            "; ".join(describe_problems(error)),
        )
        return base
