"""Choosing a source from the one configuration string."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.errors import SourceError
from bot.sources import (
    DigestSource,
    DirectorySource,
    HuggingFaceSource,
    UrlTemplateSource,
    check_source_spec,
    source_from_spec,
)
from tests.fakes.digest_server import DAY, DIGEST, Server


@pytest.mark.parametrize("spec", ["huggingface", "hf", " HuggingFace ", "HF"])
def test_hugging_face_by_name(spec: str) -> None:
    assert isinstance(source_from_spec(spec), HuggingFaceSource)


async def test_a_url_template_uses_the_given_client(server: Server) -> None:
    server.will(httpx.Response(200, text=DIGEST))
    source = source_from_spec("https://example.org/{yyyy}/{mm}/{dd}.md", client=server.client)
    assert isinstance(source, UrlTemplateSource)
    assert await source.fetch(DAY) is not None
    assert server.urls == ["https://example.org/2025/01/09.md"]


async def test_hugging_face_uses_the_given_client(server: Server) -> None:
    server.will(httpx.Response(200, json=[]))
    assert await source_from_spec("hf", client=server.client).fetch(DAY) is None
    assert len(server.requests) == 1


def test_anything_else_is_a_folder(tmp_path: Path) -> None:
    source = source_from_spec(str(tmp_path))
    assert isinstance(source, DirectorySource)
    assert source.root == tmp_path


def test_a_folder_under_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    source = source_from_spec("~/digests")
    assert isinstance(source, DirectorySource)
    assert source.root == tmp_path / "digests"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("https://user:pw@example.org/today.md?key=1", "no date placeholder"),
        ("https://example.org/{when}.md", r"unknown placeholder \{when\}"),
        ("https://example.org/{yyyy:>99999999999}.md", "takes no format spec"),
        ("ftp://example.org/{date}.md", "must start with http:// or https://"),
        # Without placeholders a non-http URL used to be taken for a folder name.
        ("ftp://user:pw@example.org/digests?key=1", "must start with http:// or https://"),
        ("s3://bucket/{date}.md", "must start with http:// or https://"),
        ("   ", "no digest source given"),
    ],
)
def test_unusable_specs_say_what_to_write(spec: str, problem: str) -> None:
    for check in (source_from_spec, check_source_spec):
        with pytest.raises(SourceError, match=problem) as info:
            check(spec)
        assert "pw" not in str(info.value)
        assert "key=1" not in str(info.value)
        assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "spec", ["huggingface", "HF", "https://example.org/{yyyy}/{mm}/{dd}.md", "~/digests", "d"]
)
def test_usable_specs_pass_the_check(spec: str) -> None:
    check_source_spec(spec)


def test_every_source_fits_the_interface(tmp_path: Path) -> None:
    sources: list[DigestSource] = [
        DirectorySource(tmp_path),
        UrlTemplateSource("https://example.org/{date}.md"),
        HuggingFaceSource(),
    ]
    assert all(source.description for source in sources)
