"""The formatter: digests and papers in, platform-neutral messages (`bot.messages`) out."""

from bot.formatter.cards import format_digest, format_notice, format_paper, format_top
from bot.formatter.labels import LABELS
from bot.formatter.options import FormatOptions, Language, select_papers

__all__ = [
    "LABELS",
    "FormatOptions",
    "Language",
    "format_digest",
    "format_notice",
    "format_paper",
    "format_top",
    "select_papers",
]
