"""The words around the digest's content, per language.

`Labels` is a TypedDict so that mypy rejects a language that lacks a label, or a typo in a key
where a label is used. Placeholders in braces are filled with `str.format`.
"""

from __future__ import annotations

from typing import Final, TypedDict

from bot.formatter.options import Language


class Labels(TypedDict):
    daily_title: str  # {date}
    papers: str  # {n}
    papers_of: str  # {n} {total}
    empty_digest: str
    no_papers: str
    votes: str
    authors: str
    more_authors: str  # {n}
    open_on_hf: str
    arxiv: str
    pdf: str
    hugging_face: str
    paper_page: str
    video: str
    in_digests: str
    more_days: str  # {n}
    nothing_matched: str
    fallback_top: str
    seen_before: str
    seen_before_detail: str


LABELS: Final[dict[Language, Labels]] = {
    "en": {
        "daily_title": "🤗 Daily Papers — {date}",
        "papers": "{n} papers",
        "papers_of": "{n} of {total} papers",
        "empty_digest": "This digest has no papers.",
        "no_papers": "No papers in this digest match this channel's filters.",
        "votes": "Votes",
        "authors": "Authors",
        "more_authors": "+{n} more",
        "open_on_hf": "See the full list on Hugging Face",
        "arxiv": "arXiv",
        "pdf": "PDF",
        "hugging_face": "Hugging Face",
        "paper_page": "Paper",
        "video": "Video",
        "in_digests": "In digests",
        "more_days": "+{n} earlier",
        "nothing_matched": "Nothing matched.",
        "fallback_top": "top",
        "seen_before": "Seen before",
        "seen_before_detail": "posted here on an earlier day",
    },
    "ko": {
        "daily_title": "🤗 오늘의 논문 — {date}",
        "papers": "논문 {n}편",
        "papers_of": "논문 {total}편 중 {n}편",
        "empty_digest": "이 날의 다이제스트에는 논문이 없습니다.",
        "no_papers": "이 채널의 필터에 맞는 논문이 없습니다.",
        "votes": "추천",
        "authors": "저자",
        "more_authors": "외 {n}명",
        "open_on_hf": "Hugging Face에서 전체 목록 보기",
        "arxiv": "arXiv",
        "pdf": "PDF",
        "hugging_face": "Hugging Face",
        "paper_page": "논문 페이지",
        "video": "동영상",
        "in_digests": "실린 날짜",
        "more_days": "이전 {n}회 더",
        "nothing_matched": "일치하는 논문이 없습니다.",
        "fallback_top": "1위",
        "seen_before": "이미 소개됨",
        "seen_before_detail": "이 채널에 이전에 올라온 논문",
    },
}


def labels(language: Language) -> Labels:
    """The labels of one language; index with a key, then `.format(...)` the placeholders."""
    return LABELS[language]
