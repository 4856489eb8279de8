"""The words around the digest's content, per language. Both languages have the same keys."""

from __future__ import annotations

from typing import Final, Literal

Label = Literal[
    "daily_title",
    "papers",
    "papers_of",
    "no_papers",
    "votes",
    "authors",
    "more_authors",
    "top_today",
    "open_on_hf",
    "arxiv",
    "pdf",
    "hugging_face",
    "video",
    "in_digests",
    "nothing_matched",
    "fallback_top",
]

LABELS: Final[dict[str, dict[Label, str]]] = {
    "en": {
        "daily_title": "🤗 Daily Papers — {date}",
        "papers": "{n} papers",
        "papers_of": "{n} of {total} papers",
        "no_papers": "No papers in this digest match this channel's filters.",
        "votes": "Votes",
        "authors": "Authors",
        "more_authors": "+{n} more",
        "top_today": "Most voted",
        "open_on_hf": "See the full list on Hugging Face",
        "arxiv": "arXiv",
        "pdf": "PDF",
        "hugging_face": "Hugging Face",
        "video": "Video",
        "in_digests": "In digests",
        "nothing_matched": "Nothing matched.",
        "fallback_top": "top",
    },
    "ko": {
        "daily_title": "🤗 오늘의 논문 — {date}",
        "papers": "논문 {n}편",
        "papers_of": "논문 {total}편 중 {n}편",
        "no_papers": "이 채널의 필터에 맞는 논문이 없습니다.",
        "votes": "추천",
        "authors": "저자",
        "more_authors": "외 {n}명",
        "top_today": "추천 많은 논문",
        "open_on_hf": "Hugging Face에서 전체 목록 보기",
        "arxiv": "arXiv",
        "pdf": "PDF",
        "hugging_face": "Hugging Face",
        "video": "동영상",
        "in_digests": "실린 날짜",
        "nothing_matched": "일치하는 논문이 없습니다.",
        "fallback_top": "1위",
    },
}


def label(language: str, key: Label, **values: object) -> str:
    return LABELS[language][key].format(**values)
