"""`/digest-status` and `/digest-config`: a channel's delivery state and settings, in the channel.

Both answer for the channel they are typed in (or a channel named first, on the same platform)
and only for admins, as the platform's own permission data says: status shows the source's errors
and config changes what everybody gets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.channels import ChannelConfig
from bot.commands.context import BotServices, CommandContext
from bot.errors import UserError
from bot.formatter import select_papers
from bot.messages import Card, Fact, Message
from bot.schedule import next_fire_time, time_zone

REFUSED = (
    "Only workspace or server admins, or members of the bot's admin role, can use /{name}. "
    "Ask one of them, or have the bot's operator add you to the role."
)
NOT_A_DIGEST_CHANNEL = (
    "This channel gets no digest from this bot. Name a channel: /{name} <channel> "
    "(configured: {known})."
)
NOT_HERE = (
    "'{channel}' is not a channel of this server: /{name} reaches only the digest channels "
    "here (configured here: {known})."
)


def _services(ctx: CommandContext, name: str) -> BotServices:
    if ctx.services is None:
        raise UserError(f"/{name} needs the running bot: start it with `digest-bot run`.")
    if ctx.caller is None or not ctx.caller.is_admin:
        raise UserError(REFUSED.format(name=name))
    return ctx.services


def _channel(ctx: CommandContext, services: BotServices, name: str, words: list[str]) -> str:
    """The configured channel meant: named first (then dropped from `words`), else this one."""
    caller = ctx.caller
    assert caller is not None  # checked by _services
    same_platform = [
        channel
        for channel in services.channels.names()
        if caller.platform == "console"
        or services.channels.base(channel).platform == caller.platform
    ]
    here = [
        channel
        for channel in same_platform
        if caller.channels_here is None
        or services.channels.base(channel).target in caller.channels_here
    ]
    if words and words[0] in same_platform and words[0] not in services.channels.vocabulary:
        if words[0] not in here:  # another server's channel: not this admin's to see or change
            raise UserError(NOT_HERE.format(channel=words[0], name=name, known=_listed(here)))
        return words.pop(0)
    if words and words[0] in services.channels.names():
        platform = services.channels.base(words[0]).platform
        raise UserError(f"'{words[0]}' is a {platform} channel: use /{name} from {platform}.")
    if caller.channel_id is not None:
        found = services.channels.find(caller.platform, caller.channel_id)
        if found is not None and found.name in here:
            return found.name
    if len(here) == 1:
        return here[0]
    raise UserError(NOT_A_DIGEST_CHANNEL.format(name=name, known=_listed(here)))


def _listed(channels: list[str]) -> str:
    return ", ".join(channels) or "none"


def _when(moment: dt.datetime, zone: str, now: dt.datetime) -> str:
    """A moment in the channel's time zone, with how far away it is."""
    if moment.tzinfo is None:  # SQLite keeps no zone; the bot writes every time in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(time_zone(zone))
    seconds = int((moment - now).total_seconds())
    distance = _duration(abs(seconds))
    relative = f"in {distance}" if seconds >= 0 else f"{distance} ago"
    return f"{local:%Y-%m-%d %H:%M} {zone} ({relative})"


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def status_command(ctx: CommandContext, text: str) -> Message:
    """`/digest-status [channel]`: last delivery, next run, the source's health."""
    services = _services(ctx, "digest-status")
    words = text.split()
    name = _channel(ctx, services, "digest-status", words)
    channel = services.channels.get(name)
    facts = [
        Fact(name="Last delivery", value=_last_delivery(ctx, services, channel)),
        *_unfinished(services, channel),
        Fact(name="Next run", value=_next_run(channel, ctx.now)),
        *_next_weekly(channel, ctx.now),
        Fact(name="Source", value=_source_health(services, channel, ctx.now)),
    ]
    changed = services.channels.overrides(name)
    if changed:
        facts.append(Fact(name="Changed in chat", value=", ".join(sorted(changed))))
    card = Card(title=f"Digest status — {name}", facts=facts)
    return Message(role="answer", text=f"Digest status of {name}", cards=[card])


def _last_delivery(ctx: CommandContext, services: BotServices, channel: ChannelConfig) -> str:
    record = services.ledger.last_delivery(channel.name)
    if record is None:
        return "nothing delivered yet"
    digest = ctx.archive.get_digest(record.day)
    day = record.day.isoformat()
    if digest is not None:
        day += f", {len(select_papers(digest, channel.format_options()))} papers"
    finished = record.finished_at or record.updated_at
    return f"{day}, posted {_when(finished, channel.timezone, ctx.now)}"


def _unfinished(services: BotServices, channel: ChannelConfig) -> list[Fact]:
    """A later day still being posted, failing or given up: why nothing newer arrived."""
    record = services.ledger.last_delivery(channel.name, done=False)
    if record is None or record.state == "done":
        return []
    day = record.day.isoformat()
    if record.state == "claimed":
        value = f"{day}: being posted now ({record.messages} messages so far)"
    else:
        what = (
            "failed, retried within the catch-up window" if record.state == "failed" else "given up"
        )
        error = f": {record.error}" if record.error else ""
        value = f"{day}: {what} after {record.attempts} attempt(s){error}"
    return [Fact(name="Latest attempt", value=value)]


def _next_run(channel: ChannelConfig, now: dt.datetime) -> str:
    fire = next_fire_time(channel.schedule, channel.timezone, now)
    if fire is None:
        return f"none: the schedule '{channel.schedule}' never fires again"
    day = "the day before's digest" if channel.post_day == "yesterday" else "that day's digest"
    return f"{_when(fire, channel.timezone, now)}, posting {day}"


def _next_weekly(channel: ChannelConfig, now: dt.datetime) -> list[Fact]:
    if channel.weekly_schedule is None:
        return []
    fire = next_fire_time(channel.weekly_schedule, channel.timezone, now)
    shown = "never" if fire is None else _when(fire, channel.timezone, now)
    return [Fact(name="Next weekly post", value=f"{shown}, top {channel.weekly_top}")]


def _source_health(services: BotServices, channel: ChannelConfig, now: dt.datetime) -> str:
    health = services.health
    parts = [health.description]
    if health.last_fetch_at is None:
        parts.append(f"not asked since the bot started {_when(health.started_at, 'UTC', now)}")
    else:
        found = "found" if health.last_fetch_found else "not there yet"
        day = health.last_fetch_day.isoformat() if health.last_fetch_day else "?"
        parts.append(
            f"last fetch {_when(health.last_fetch_at, channel.timezone, now)} ({day}: {found})"
        )
    if health.last_error is not None and health.last_error_at is not None:
        state = "recovered since" if health.healthy else "failing"
        parts.append(
            f"last error {_when(health.last_error_at, channel.timezone, now)}, {state}: "
            f"{health.last_error}"
        )
    return "; ".join(parts)


def config_command(ctx: CommandContext, text: str) -> Message:
    """`/digest-config [channel] [settings…] | reset`: show or change a channel's settings."""
    services = _services(ctx, "digest-config")
    assert ctx.caller is not None
    words = text.split()
    name = _channel(ctx, services, "digest-config", words)
    by = f"{ctx.caller.platform}:{ctx.caller.user_id}"
    if not words:
        return _settings_card(services, name, title=f"Digest settings — {name}")
    if [word.lower() for word in words] == ["reset"]:
        services.channels.reset(name, by=by)
        return _settings_card(services, name, title=f"{name}: back to the config file's settings")
    change = services.channels.change(name, " ".join(words), by=by)
    shown = ", ".join(
        f"{field} = {_shown(field, value)}" for field, value in change.changed.items()
    )
    return _settings_card(
        services,
        name,
        title=f"{name}: changed {shown}",
        footer=f"Next run: {_next_run(change.config, ctx.now)}",
    )


def _shown(field: str, value: Any) -> str:
    if value is None:
        return "all" if field == "top_n" else "off"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


def _settings_card(
    services: BotServices, name: str, *, title: str, footer: str | None = None
) -> Message:
    channel = services.channels.get(name)
    changed = services.channels.overrides(name)
    vocabulary = services.channels.vocabulary
    facts = [
        Fact(
            name=f"{setting.word}{' (changed in chat)' if setting.field in changed else ''}",
            value=_shown(setting.field, getattr(channel, setting.field)),
        )
        for setting in vocabulary.settings
    ]
    card = Card(title=title, facts=facts, footer=footer or f"Change: {vocabulary.usage}")
    return Message(role="answer", text=title, cards=[card])
