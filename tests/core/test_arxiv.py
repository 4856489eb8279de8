"""arXiv references: ids and URLs in every accepted form resolve to one normalised id."""

from __future__ import annotations

import pytest

from bot.arxiv import ArxivId, parse_arxiv_id, try_parse_arxiv_id
from bot.errors import InvalidArxivId, UserError
from bot.models import Paper


@pytest.mark.parametrize(
    "text",
    [
        "2501.04682",
        " 2501.04682v2 ",
        "arXiv:2501.04682",
        "https://arxiv.org/abs/2501.04682",
        "http://arxiv.org/abs/2501.04682v3",
        "https://www.arxiv.org/pdf/2501.04682v1.pdf",
        "arxiv.org/pdf/2501.04682",
        "https://export.arxiv.org/abs/2501.04682",
        "https://huggingface.co/papers/2501.04682",
        "https://huggingface.co/papers/2501.04682?utm=x#comments",
        "<https://arxiv.org/abs/2501.04682>",
    ],
)
def test_every_form_resolves_to_the_same_paper(text: str) -> None:
    assert parse_arxiv_id(text).id == "2501.04682"


def test_version_is_kept_in_its_own_field() -> None:
    assert parse_arxiv_id("2501.04682v2") == ArxivId("2501.04682", 2)
    assert parse_arxiv_id("2501.04682") == ArxivId("2501.04682", None)


def test_old_style_and_four_digit_ids() -> None:
    assert parse_arxiv_id("hep-th/9901001v1") == ArxivId("hep-th/9901001", 1)
    assert parse_arxiv_id("https://arxiv.org/abs/math.GT/0309136").id == "math.GT/0309136"
    assert parse_arxiv_id("HEP-TH/9901001").id == "hep-th/9901001"
    assert parse_arxiv_id("0704.0001").id == "0704.0001"


@pytest.mark.parametrize(
    "text",
    ["hello", "", "2513.04682", "2501.4682", "25010.04682", "https://example.org/abs/2501.04682"],
)
def test_invalid_references_get_a_helpful_user_error(text: str) -> None:
    expected = r"is not an arXiv id\. Use an id like 2501\.04682"
    with pytest.raises(InvalidArxivId, match=expected) as info:
        parse_arxiv_id(text)
    assert isinstance(info.value, UserError)
    assert try_parse_arxiv_id(text) is None


def test_long_garbage_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidArxivId) as info:
        parse_arxiv_id("x" * 500)
    assert len(str(info.value)) < 200


def test_paper_urls_follow_the_id() -> None:
    paper = Paper(
        arxiv_id="arXiv:2501.04682v2", title="T", url="https://arxiv.org/abs/2501.04682v2"
    )
    assert paper.arxiv_id == "2501.04682"
    assert paper.pdf_url == "https://arxiv.org/pdf/2501.04682"
    assert paper.hf_url == "https://huggingface.co/papers/2501.04682"
    assert Paper(arxiv_id=None, title="T", url="https://x.org").abs_url == "https://x.org"
