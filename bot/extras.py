"""The optional extras (platform SDKs): import a module that needs one, or say which to install.

The base install has no Slack or Discord SDK; every command that needs one says the same thing.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from bot.errors import ConfigError

PACKAGE = "daily-papers-digest-bot"
# Our own packages: a module of these missing is a broken install, not a missing extra.
_OURS = ("adapters", "bot", "config")


class MissingExtra(ConfigError):
    """A platform's SDK is not installed; the message names the extra to install."""


def import_extra(module_name: str, extra: str, needed_for: str) -> ModuleType:
    """`import_module(module_name)`, or MissingExtra saying `needed_for` needs `extra`."""
    try:
        return import_module(module_name)
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if not missing or missing in _OURS:
            raise
        raise MissingExtra(
            [
                f"{needed_for} needs the '{extra}' extra ({missing} is not installed): "
                f"pip install '{PACKAGE}[{extra}]'"
            ]
        ) from None
