"""Digest sources: a local folder (default), a URL template, or the Hugging Face API."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.errors import SourceError
from bot.sources.base import DigestSource
from bot.sources.directory import DirectorySource, iter_digest_files
from bot.sources.fetching import safe_url
from bot.sources.http import UrlTemplateSource
from bot.sources.huggingface import HuggingFaceSource, digest_from_hf_json

__all__ = [
    "DigestSource",
    "DirectorySource",
    "HuggingFaceSource",
    "UrlTemplateSource",
    "digest_from_hf_json",
    "iter_digest_files",
    "source_from_spec",
]

_EXAMPLE_TEMPLATE = "https://example.org/digests/{yyyy}/{mm}/{dd}.md"


def source_from_spec(spec: str, *, client: httpx.AsyncClient | None = None) -> DigestSource:
    """`huggingface` (or `hf`), an http(s) URL template with date placeholders, or a folder path.

    Raises SourceError for an empty spec, a URL without placeholders or a bad template; a folder
    is checked when it is first read, so it may be created after the bot starts.
    """
    text = spec.strip()
    if not text:
        raise SourceError(
            "no digest source given; use a folder path, 'huggingface', or a URL template such "
            f"as {_EXAMPLE_TEMPLATE}"
        )
    if text.lower() in {"huggingface", "hf"}:
        return HuggingFaceSource(client=client)
    if text.lower().startswith(("http://", "https://")):
        if "{" not in text:
            raise SourceError(
                f"{safe_url(text)}: a URL source needs date placeholders ({{yyyy}}, {{mm}}, "
                f"{{dd}} or {{date}}), e.g. {_EXAMPLE_TEMPLATE}"
            )
        return UrlTemplateSource(text, client=client)
    if "{" in text and "://" in text:
        raise SourceError(
            f"{safe_url(text)}: URL templates must start with http:// or https://, "
            f"e.g. {_EXAMPLE_TEMPLATE}"
        )
    return DirectorySource(Path(text).expanduser())
