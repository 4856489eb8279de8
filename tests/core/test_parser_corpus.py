"""The parser against every real digest in the shared corpus (read by path, never copied)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.parser import parse_file
from tests.conftest import corpus_files

pytestmark = pytest.mark.corpus


def _expected_papers(path: Path) -> list[dict[str, object]]:
    """A deliberately naive reading of the file, independent of the parser under test."""
    papers: list[dict[str, object]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### ["):
            split = line.rindex("](")
            url = line[split + 2 : line.rindex(")")]
            papers.append(
                {
                    "title": line[5:split],
                    "arxiv_id": re.sub(r"v\d+$", "", url.rsplit("/", 1)[-1]),
                    "votes": None,
                    "authors": 0,
                }
            )
        elif papers and line.startswith("Vote: ") and line[6:].strip().isdigit():
            papers[-1]["votes"] = int(line[6:])
        elif papers and line.startswith("Authors: "):
            value = line[9:].strip()
            names = ast.literal_eval(value) if value.startswith("[") else value.split(",")
            papers[-1]["authors"] = len([n for n in names if n.strip()])
    return papers


def test_every_real_digest_parses_exactly() -> None:
    files = corpus_files()
    total = 0
    for path in files:
        digest = parse_file(path)
        expected = _expected_papers(path)
        actual = [
            {
                "title": p.title,
                "arxiv_id": p.arxiv_id,
                "votes": p.votes,
                "authors": len(p.authors),
            }
            for p in digest.papers
        ]
        assert actual == expected, path.name
        assert digest.date.isoformat() == path.stem
        assert digest.warnings == [], path.name
        total += len(actual)
    assert total > 3000


def test_real_digest_variants_are_understood() -> None:
    papers = [p for path in corpus_files() for p in parse_file(path).papers]
    labels = {s.label for p in papers for s in p.sections}
    assert {"What's New", "Technical Details", "Performance Highlights", None} <= labels
    assert not any(label and "’" in label for label in labels)
    assert any(p.video_url for p in papers)
    assert all(p.thumbnail_url is None or p.thumbnail_url.startswith("https://") for p in papers)
    assert not any("<video" in s.text or "<div>" in s.text for p in papers for s in p.sections)
    assert all(p.sections for p in papers), "every real paper has a summary"
