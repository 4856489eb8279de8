"""Full-text search: SQLite FTS5 ranked by relevance; on PostgreSQL, every word must match."""

from __future__ import annotations

import re

from sqlalchemy import Connection, and_, func, select, text

from bot.storage.tables import digest_entries, papers

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12


def search_words(query: str) -> list[str]:
    """The words of a query; punctuation and FTS operators are dropped so users can't break it."""
    return _WORD.findall(query.lower())[:MAX_WORDS]


def search_keys(connection: Connection, query: str, limit: int) -> list[str]:
    """Paper keys matching every word of `query`, best first."""
    words = search_words(query)
    if not words:
        return []
    if connection.dialect.name == "sqlite":
        # Each word quoted (so "and"/"near" are plain words) and prefix-matched ("diffus*").
        match = " ".join(f'"{word}"*' for word in words)
        rows = connection.execute(
            text(
                "SELECT key FROM paper_fts WHERE paper_fts MATCH :match "
                "ORDER BY bm25(paper_fts, 0.0, 10.0, 3.0, 1.0) LIMIT :limit"
            ),
            {"match": match, "limit": limit},
        )
        return list(rows.scalars())
    conditions = [
        papers.c.search_text.ilike(f"%{_escape_like(word)}%", escape="\\") for word in words
    ]
    # Without a relevance score, the most recently listed papers come first.
    last_listed = func.max(digest_entries.c.day)
    statement = (
        select(papers.c.key)
        .join(digest_entries, digest_entries.c.paper_key == papers.c.key)
        .where(and_(*conditions))
        .group_by(papers.c.key)
        .order_by(last_listed.desc(), papers.c.key)
        .limit(limit)
    )
    return list(connection.execute(statement).scalars())


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
