"""Which papers a channel gets: ranking, vote threshold, keywords, top n."""

from __future__ import annotations

import pydantic
import pytest

from bot.formatter import FormatOptions, select_papers
from bot.models import Digest
from tests.fakes.digests import FOUR, make_digest, make_paper


def ids(options: FormatOptions, digest: Digest = FOUR) -> list[str | None]:
    return [p.arxiv_id for p in select_papers(digest, options)]


def test_most_voted_first_and_papers_without_votes_last() -> None:
    assert ids(FormatOptions()) == ["2501.00002", "2501.00004", "2501.00001", "2501.00003"]


def test_equal_votes_keep_digest_order_and_unknown_votes_rank_below_zero() -> None:
    digest = make_digest(make_paper(1, None), make_paper(2, 7), make_paper(3, 0), make_paper(4, 7))
    assert ids(FormatOptions(), digest) == ["2501.00002", "2501.00004", "2501.00003", "2501.00001"]


def test_top_n_keeps_the_most_voted_after_filtering() -> None:
    assert ids(FormatOptions(top_n=2)) == ["2501.00002", "2501.00004"]
    assert ids(FormatOptions(top_n=1, exclude_keywords=("diffusion",))) == ["2501.00004"]
    assert len(ids(FormatOptions(top_n=10))) == 4


def test_min_votes_counts_missing_votes_as_zero() -> None:
    assert ids(FormatOptions(min_votes=12)) == ["2501.00002", "2501.00004"]
    assert "2501.00003" not in ids(FormatOptions(min_votes=1))
    assert "2501.00003" in ids(FormatOptions(min_votes=0))


def test_include_keywords_match_title_authors_or_summary_ignoring_case() -> None:
    digest = make_digest(
        make_paper(1, 1, "Sparse Attention"),
        make_paper(2, 2, summary="We study ATTENTION sinks."),
        make_paper(3, 3, authors=9),  # "Author 8" only in the third paper
        make_paper(4, 4, "Protein folding"),
    )
    assert ids(FormatOptions(include_keywords=("attention",)), digest) == [
        "2501.00002",
        "2501.00001",
    ]
    assert ids(FormatOptions(include_keywords=("author 8",)), digest) == ["2501.00003"]
    assert ids(FormatOptions(include_keywords=("PROTEIN", "sinks")), digest) == [
        "2501.00004",
        "2501.00002",
    ]


def test_exclude_keywords_drop_papers_even_when_included() -> None:
    assert ids(FormatOptions(exclude_keywords=("Diffusion",))) == [
        "2501.00004",
        "2501.00001",
        "2501.00003",
    ]
    both = FormatOptions(include_keywords=("graphs", "video"), exclude_keywords=("diffusion",))
    assert ids(both) == ["2501.00004"]


def test_blank_keywords_are_ignored_rather_than_matching_everything() -> None:
    options = FormatOptions(include_keywords=(" ",), exclude_keywords=("", "  "))
    assert options.include_keywords == ()
    assert options.exclude_keywords == ()
    assert len(ids(options)) == 4
    assert FormatOptions(include_keywords=(" graphs ",)).include_keywords == ("graphs",)


@pytest.mark.parametrize(
    "bad", [{"top_n": 0}, {"min_votes": -1}, {"language": "fr"}, {"mode": "both"}]
)
def test_impossible_options_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        FormatOptions.model_validate(bad)


def test_options_are_frozen_and_selection_leaves_the_digest_alone() -> None:
    options = FormatOptions()
    with pytest.raises(pydantic.ValidationError):
        options.top_n = 3  # type: ignore[misc]
    before = [p.arxiv_id for p in FOUR.papers]
    select_papers(FOUR, FormatOptions(top_n=1))
    assert [p.arxiv_id for p in FOUR.papers] == before
