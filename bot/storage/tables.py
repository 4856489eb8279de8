"""Every table of the bot's database, in one SQLAlchemy `MetaData`.

The archive owns `papers`, `digests` and `digest_entries`; the delivery ledger owns `deliveries`,
`delivered_messages` and `posted_papers`. Full-text search on SQLite is an FTS5 table created next
to these (see `bot.archive.search`); PostgreSQL searches `papers.search_text` directly.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
)

# One row per paper, whatever the number of days it was listed; `key` is the arXiv id, or
# "url:<link>" for the rare entry whose link is not on arXiv.
papers = Table(
    "papers",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("arxiv_id", String(64), nullable=True, index=True),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("authors", JSON, nullable=False),
    Column("thumbnail_url", Text, nullable=True),
    Column("video_url", Text, nullable=True),
    Column("sections", JSON, nullable=False),
    # Title, authors and summary in one string: what search matches on PostgreSQL.
    Column("search_text", Text, nullable=False),
)

digests = Table(
    "digests",
    metadata,
    Column("day", Date, primary_key=True),
    Column("source", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("paper_count", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

digest_entries = Table(
    "digest_entries",
    metadata,
    Column("day", Date, ForeignKey("digests.day", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True, autoincrement=False),
    Column("paper_key", String(300), ForeignKey("papers.key"), nullable=False),
    Column("votes", Integer, nullable=True),
    UniqueConstraint("day", "paper_key", name="uq_entry_day_paper"),
    Index("ix_entries_paper", "paper_key"),
)

# One row per (channel, day): the unique constraint is what makes two bot processes sharing a
# database unable to both claim, and therefore both post, the same digest.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(200), nullable=False),
    Column("day", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("owner", String(100), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("total_messages", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("channel", "day", name="uq_delivery_channel_day"),
)

delivered_messages = Table(
    "delivered_messages",
    metadata,
    Column(
        "delivery_id",
        Integer,
        ForeignKey("deliveries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("message_id", String(100), nullable=False),
    Column("thread_id", String(100), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

# Which papers (by `bot.models.paper_key`) each channel was sent, and the first day it was, so a
# later digest can mark or leave out a paper the channel has already seen.
posted_papers = Table(
    "posted_papers",
    metadata,
    Column("channel", String(200), primary_key=True),
    Column("paper_key", String(300), primary_key=True),
    Column("day", Date, nullable=False),
    Index("ix_posted_channel_day", "channel", "day"),
)


# Settings changed in chat with /digest-config, per configured channel: only the changed keys,
# applied over the config file's values (so later edits of the file's other keys still count).
channel_overrides = Table(
    "channel_overrides",
    metadata,
    Column("channel", String(200), primary_key=True),
    Column("settings", JSON, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# What a delivery rendered: its papers in posting order and a fingerprint of each platform
# message. A resumed delivery renders the same list; a live update edits only what changed.
delivery_contents = Table(
    "delivery_contents",
    metadata,
    Column("channel", String(200), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("paper_keys", JSON, nullable=False),
    Column("fingerprints", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# Keyword alerts (`/paper-alert`): a user's words, normalised (see `bot.alerts`), once per user.
paper_alerts = Table(
    "paper_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("words", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "user_id", "words", name="uq_alert_user_words"),
)

# One row per user and digest day: inserting it is the claim that makes the alert DM go out at
# most once, even with two bot processes (or two channels' deliveries) telling the alerts at once.
alert_messages = Table(
    "alert_messages",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("user_id", String(100), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)
