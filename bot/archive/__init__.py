"""The archive of imported digests: import, then ask for papers, tops and searches."""

from bot.archive.archive import ARCHIVE_FILE, Archive
from bot.archive.records import ImportReport, PaperRecord, RankedPaper

__all__ = ["ARCHIVE_FILE", "Archive", "ImportReport", "PaperRecord", "RankedPaper"]
