"""Every exception the core raises, split by audience.

`UserError` messages are written for the person who typed the command or wrote the config and are
shown as written; anything else is a bug or an outage and is reported with a reference id only.
"""

from __future__ import annotations


class DigestBotError(Exception):
    """Base of every error this project raises on purpose."""


class UserError(DigestBotError):
    """Bad input from a person: shown to them as written, never with a traceback."""


class InvalidArxivId(UserError, ValueError):
    """Text that is neither an arXiv id nor an arXiv / Hugging Face paper URL."""


class PaperNotFound(UserError):
    """A well-formed arXiv id that the archive does not hold."""


class DigestNotFound(UserError):
    """No digest in the archive (or source) for the requested day."""


class DigestParseError(DigestBotError):
    """A file that holds no readable digest; the message says which file and what to fix."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line


class SourceError(DigestBotError):
    """The digest source could not be read (network down, server errors after every retry)."""


class SourceUnreachable(SourceError):
    """No answer from the source's host (connection failed or timed out); `host` names it.

    A range import stops after a few of these in a row instead of trying every remaining day.
    """

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host


class DatabaseUnavailable(DigestBotError):
    """The database cannot be reached or written (server down, wrong password, full disk,
    read-only file). Not a `UserError`: chat users get the generic reply, the operator the line."""


class ArchiveBusy(DatabaseUnavailable):
    """Another process (an import) kept the archive's write lock longer than an import waits."""


class ConfigError(DigestBotError):
    """One or more problems in the configuration, each naming the key and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DeliveryError(DigestBotError):
    """A post could not be delivered to a channel.

    `permanent` errors (the bot is not in the channel, the channel is gone, the token is revoked)
    are not retried until the configuration changes; the others are retried later.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class PlatformUnavailable(DigestBotError):
    """A platform's bot connection could not start (refused token, outage, unreachable host).

    The message is one line saying what to fix. `permanent` refusals (a token the platform
    rejects) are not retried until a restart; the others are retried while the bot runs.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
