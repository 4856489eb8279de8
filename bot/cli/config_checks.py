"""What `check-config` checks beyond the settings themselves: what `run` or a post would meet
at start-up (the platform extras, the source, the database), without posting anything."""

from __future__ import annotations

import asyncio

from bot.errors import SourceError
from bot.extras import MissingExtra, import_extra
from bot.sources import DirectorySource, source_from_spec
from bot.sources.directory import check_folder
from bot.storage import check_database
from config import BotSettings

DATABASE_TIMEOUT_SECONDS = 5


def environment_problems(
    settings: BotSettings, *, database_timeout: int = DATABASE_TIMEOUT_SECONDS
) -> list[str]:
    """One line per problem; the database is given `database_timeout` seconds to answer."""
    from bot.app.adapters import ADAPTERS, wanted_platforms  # the wiring knows each extra

    problems: list[str] = []
    for platform in wanted_platforms(settings):
        entry = ADAPTERS[platform]
        if entry.extra is None:  # built in (the console): nothing to install
            continue
        try:
            import_extra(entry.module, entry.extra, f"channels: platform '{platform}'")
        except MissingExtra as error:
            problems += error.problems
    source = _source_problem(settings.source)
    if source:
        problems.append(source)
    database = check_database(settings.resolved_database_url, timeout=database_timeout)
    if database:
        problems.append(f"database_url: {database}")
    return problems


def _source_problem(spec: str) -> str | None:
    try:
        source = source_from_spec(spec)
    except SourceError as error:
        return f"source: {error}"
    try:
        if isinstance(source, DirectorySource):
            check_folder(source.root)
    except SourceError as error:
        return f"source: {error}"
    finally:
        close = getattr(source, "aclose", None)
        if close is not None:
            asyncio.run(close())
    return None
