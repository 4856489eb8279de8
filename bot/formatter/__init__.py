"""The formatter: digests and papers in, platform-neutral messages (`bot.messages`) out."""

from bot.formatter.cards import format_notice, format_paper, format_top
from bot.formatter.digest import format_digest
from bot.formatter.labels import LABELS, Labels
from bot.formatter.options import FormatOptions, Language, SeenBefore
from bot.formatter.selection import select_papers

__all__ = [
    "LABELS",
    "FormatOptions",
    "Labels",
    "Language",
    "SeenBefore",
    "format_digest",
    "format_notice",
    "format_paper",
    "format_top",
    "select_papers",
]
