"""The optional weekly post: a channel's top papers of the seven days before the post.

It goes through the same ledger as the daily digest, as the channel's `weekly` delivery of the
week's last day, so each week is posted once.
"""

from __future__ import annotations

import datetime as dt

from bot.archive import Archive
from bot.channels import ChannelConfig
from bot.formatter import format_top
from bot.messages import Post
from bot.schedule import time_zone


def week_before(channel: ChannelConfig, fire_time: dt.datetime) -> tuple[dt.date, dt.date]:
    """The seven days that end the day before the post, where the channel is."""
    last = fire_time.astimezone(time_zone(channel.timezone)).date() - dt.timedelta(days=1)
    return last - dt.timedelta(days=6), last


def weekly_post(archive: Archive, channel: ChannelConfig, first: dt.date, last: dt.date) -> Post:
    papers = [ranked.paper for ranked in archive.top_between(first, last, channel.weekly_top)]
    title = f"Top {len(papers)} of the week — {first.isoformat()} … {last.isoformat()}"
    message = format_top(papers, title=title, options=channel.format_options())
    return Post(mode="single", messages=[message])
