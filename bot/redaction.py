"""Secrets never shown: the one place that masks them, in any text and in every log record.

Two kinds of masking: the exact secrets the bot was configured with (tokens, webhook URLs, a
database password), registered once the settings are loaded, and secret-shaped text whatever its
origin (URL passwords, query tokens, Slack and Discord tokens, webhook paths), so that a secret
the bot never heard of — or one written in a form it did not expect — is masked too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

MASK = "***"
# Shorter registered values would mask ordinary words; such secrets are still masked where they
# have a secret's shape (a URL's password, a query token).
MIN_SECRET_LENGTH = 6

# Environment variables whose value is a secret by their name alone (OPENAI_API_KEY, …).
SECRET_ENV_NAME = re.compile(r"(TOKEN|SECRET|API_KEY|PASSWORD|PASSWD|WEBHOOK_URL)$", re.IGNORECASE)

# (pattern, replacement), applied in order; each keeps what says which kind of secret it was.
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:PASSWORD@ in any URL.
    (re.compile(r"(://[^/\s:@'\"]*:)[^/\s@'\"]+@"), rf"\1{MASK}@"),
    # Query or form parameters named like secrets: ?token=…, &api_key=…, sig=…, secret=….
    (
        re.compile(
            r"((?:^|[?&;\s,('\"])[\w.-]*(?:token|key|sig|signature|secret|password|passwd|pwd|auth)"
            r"=)[^&\s#'\",)]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    # Slack tokens: bot/user/app-level/refresh (xoxb-, xoxp-, xapp-, xoxe-…).
    (re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+"), rf"\1-{MASK}"),
    # Slack incoming webhooks and workflow triggers, with or without https://; not the form
    # shown in help texts ("hooks.slack.com/services/T…/B…/…"). Webhook secrets have no
    # parentheses, so a "(got …)" around one keeps its closing one.
    (re.compile(r"(hooks\.slack(?:-gov)?\.com/)(?![^\s'\"<>()]*…)[^\s'\"<>()]+"), rf"\1{MASK}"),
    # Discord webhook and interaction tokens: /webhooks/<id>/<token>, on any host (fakes too).
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/?\s'\"<>()]+"), rf"\1{MASK}"),
    # Discord bot tokens (three base64url parts) and bearer credentials in headers.
    (re.compile(r"\b[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,}"), MASK),
    (re.compile(r"\b((?:Bot|Bearer)\s+)[\w.~+/=-]{8,}"), rf"\1{MASK}"),
    # OpenAI-style API keys.
    (re.compile(r"\bsk-[\w-]{16,}"), f"sk-{MASK}"),
)
# Line breaks, escapes and other control characters: a log line from input stays one line, and a
# terminal never interprets what a request carried.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")

_registered: set[str] = set()


def register_secrets(values: Iterable[str | None]) -> None:
    """Mask these exact values from now on (and their URL-encoded and scheme-less forms)."""
    for value in values:
        if not value or len(value) < MIN_SECRET_LENGTH:
            continue
        _registered.update({value, quote(value, safe="")})
        _scheme, sep, rest = value.partition("://")
        if sep and len(rest) >= MIN_SECRET_LENGTH:
            _registered.add(rest)  # a webhook URL written without https:// is the same secret


def register_environment_secrets(environ: Mapping[str, str]) -> None:
    """Register the environment variables that hold secrets by their name."""
    register_secrets(value for name, value in environ.items() if SECRET_ENV_NAME.search(name))


def redact(text: str) -> str:
    """`text` with every registered secret and every secret-shaped part replaced by ***."""
    for secret in sorted(_registered, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


def mask_url(url: str) -> str:
    """A URL that is a secret as a whole (a webhook's), as it may be shown: its credentials,
    query and last path segment masked, whatever its form, then what `redact` masks too."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    host, slash, path = rest.partition("/")
    host = host.rpartition("@")[2]  # user:password@ is a secret too
    segments = path.split("/") if slash else []
    while segments and not segments[-1]:
        segments.pop()
    if segments:
        segments[-1] = MASK
    shown = "/".join([host, *segments])
    return redact(f"{scheme}://{shown}" if scheme else shown)


def escape_controls(text: str) -> str:
    r"""`text` with newlines and other control characters written as escapes (\n, \x1b)."""
    return _CONTROLS.sub(lambda found: repr(found.group())[1:-1], text)


class RedactingFilter(logging.Filter):
    """Masks secrets in a record and keeps it on one line; install it on every handler.

    The message is formatted here, once, so the secret cannot come back through the arguments;
    a traceback is formatted here too, so that its text is masked before any handler shows it.
    """

    _tracebacks = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: show what was given rather than lose it
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = escape_controls(redact(message)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._tracebacks.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


REDACTING_FILTER = RedactingFilter()


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler there is now: the root's and any library's own."""
    loggers: list[logging.Logger] = [logger or logging.getLogger()]
    loggers += [
        found
        for found in logging.Logger.manager.loggerDict.values()
        if isinstance(found, logging.Logger)
    ]
    for each in loggers:
        for handler in each.handlers:
            if REDACTING_FILTER not in handler.filters:
                handler.addFilter(REDACTING_FILTER)


__all__ = [
    "MASK",
    "REDACTING_FILTER",
    "RedactingFilter",
    "escape_controls",
    "install_redaction",
    "mask_url",
    "redact",
    "register_environment_secrets",
    "register_secrets",
]
