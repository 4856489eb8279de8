"""`/paper-alert`: a user's keyword alerts, added, listed and removed from any channel.

Every member may use it; the answer is about the caller alone (their alerts), so it is private
and never cached. Alerts arrive as direct messages, which only Slack and Discord send.
"""

from __future__ import annotations

from bot.alerts import EXAMPLE, MAX_ALERTS, USAGE, Alert, AlertStore, paper_text, words_match
from bot.commands.context import Caller, CommandContext
from bot.errors import UserError
from bot.messages import Card, ListItem, Message

NEEDS_BOT = "/paper-alert needs the running bot: start it with `digest-bot run`."
NO_DIRECT_MESSAGES = "Alerts arrive as direct messages in Slack or Discord: use /paper-alert there."
HOW_IT_WORKS = (
    "When a digest lists papers with all the words of one of your alerts (in the title, authors "
    "or summary), you get one direct message naming them."
)


def _store(ctx: CommandContext) -> tuple[AlertStore, Caller]:
    services = ctx.services
    if services is None or services.alerts is None or ctx.caller is None:
        raise UserError(NEEDS_BOT)
    if ctx.caller.platform not in ("slack", "discord"):
        raise UserError(NO_DIRECT_MESSAGES)
    return services.alerts, ctx.caller


def alert_command(ctx: CommandContext, text: str) -> Message:
    """`/paper-alert [add <words> | list | remove <number|words>]`."""
    store, caller = _store(ctx)
    action, rest = [*text.split(maxsplit=1), "", ""][:2]
    action = action.lower()
    if action in ("", "list"):
        if rest.strip():
            raise UserError(f"/paper-alert list takes no words. Usage: {USAGE}")
        alerts = store.list(caller.platform, caller.user_id)
        return _alerts_answer(alerts, title=_count_title(alerts), footer=f"Usage: {USAGE}")
    if action == "add":
        added = store.add(caller.platform, caller.user_id, rest)
        alerts = store.list(caller.platform, caller.user_id)
        return _alerts_answer(
            alerts,
            title=f"Alert added: {added.words}",
            intro=f"{HOW_IT_WORKS} {_latest_preview(ctx, added.words)}",
            footer=f"{_count_title(alerts)} · Remove one: /paper-alert remove <number>",
        )
    if action in ("remove", "delete", "rm"):
        removed = store.remove(caller.platform, caller.user_id, rest)
        alerts = store.list(caller.platform, caller.user_id)
        return _alerts_answer(
            alerts, title=f"Alert removed: {removed.words}", footer=_count_title(alerts)
        )
    raise UserError(f"'{action[:40]}' is not an action: say add, list or remove. Usage: {USAGE}")


def _count_title(alerts: list[Alert]) -> str:
    if not alerts:
        return "You have no paper alerts"
    return f"Your paper alerts ({len(alerts)} of {MAX_ALERTS})"


def _alerts_answer(
    alerts: list[Alert], *, title: str, footer: str, intro: str | None = None
) -> Message:
    """The user's alerts, numbered as `/paper-alert remove <number>` takes them."""
    if not alerts and intro is None:
        intro = f"Add one: {EXAMPLE}. {HOW_IT_WORKS}"
    card = Card(
        title=title,
        intro=intro,
        items=[ListItem(text=alert.words) for alert in alerts],
        footer=footer,
    )
    lines = [f"{alert.number}. {alert.words}" for alert in alerts]
    return Message(role="answer", text="\n".join([title, *lines]), cards=[card])


def _latest_preview(ctx: CommandContext, words: str) -> str:
    """How many papers of the latest digest the new alert finds: a check that it is not too
    narrow (or too broad)."""
    latest = ctx.archive.latest_date()
    digest = None if latest is None else ctx.archive.get_digest(latest)
    if digest is None:
        return ""
    found = sum(words_match(words, paper_text(paper)) for paper in digest.papers)
    papers = "paper" if found == 1 else "papers"
    return f"In the latest digest ({digest.date.isoformat()}) it finds {found} {papers}."
