"""Property tests: whatever the parser is given, it answers with a digest or DigestParseError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import DigestParseError
from bot.parser import parse_digest

_VARIANTS = (
    Path(__file__).resolve().parent.parent / "fixtures" / "digests" / "variants.md"
).read_text(encoding="utf-8")

# Line fragments the format is made of, so random text often looks almost like a digest.
_FRAGMENTS = st.sampled_from(
    [
        "## Daily Papers (2024-01-01)",
        "## Daily Papers (2024-13-45)",
        "### [",
        "### [t](",
        "### [a [b] c](https://arxiv.org/abs/2401.00001)",
        "### [x](https://huggingface.co/papers/hep-th/9901001v3)",
        "Vote: ",
        "Vote: -",
        "Vote: 99999999999999999999999",
        "Authors: ['a', ",
        "Authors: [",
        "- ***",
        "- **What's New**:",
        "![](",
        "[Watch Video](",
        '<div><video src="',
        "\x00",
        "\ufeff",
        "\r",
        "  - ",
    ]
)


def _parse_or_parse_error(text: str) -> None:
    try:
        digest = parse_digest(text, "fuzz.md")
    except DigestParseError as error:
        message = str(error)
    else:
        assert all(p.title is not None for p in digest.papers)
        return
    assert message.startswith("fuzz.md: ")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    _parse_or_parse_error(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=30))
def test_digest_like_fragments(lines: list[str]) -> None:
    _parse_or_parse_error("\n".join(lines))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(_VARIANTS)))
def test_any_truncation_of_a_real_shaped_digest(cut: int) -> None:
    _parse_or_parse_error(_VARIANTS[:cut])
