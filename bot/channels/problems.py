"""How a settings validation error reads: one line per problem, naming the key and the value.

`check-config` (config/settings.py) and `/digest-config` both say it this way, so a bad value
typed in chat gets the same words as the same value written in the config file.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from bot.redaction import redact

Location = tuple[int | str, ...]


def _unknown(error: ValidationError, loc: Location) -> str:
    return "unknown key"


def describe_problems(
    error: ValidationError,
    where: str = "",
    *,
    unknown_key: Callable[[ValidationError, Location], str] = _unknown,
) -> list[str]:
    """One line per problem: the key, what is wrong, the value given.

    `unknown_key` words the message for a key the model does not have (the config file's loader
    suggests the nearest known key).
    """
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"] if part not in ("function-after",))
        message = item["msg"].removeprefix("Value error, ")
        value = item.get("input")
        # A secret-looking value (a token in the wrong key) is shown masked.
        hidden = isinstance(value, dict) or item["type"] == "missing"
        shown = "" if hidden else f" (got {redact(repr(value))})"
        if item["type"] == "extra_forbidden":
            message = unknown_key(error, item["loc"])
        problems.append(f"{where}{key}: {message}{shown}")
    return problems
