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


def source_from_spec(spec: str, *, client: httpx.AsyncClient | None = None) -> DigestSource:
    """`huggingface`, a URL template with {yyyy}/{mm}/{dd}, or a folder path."""
    text = spec.strip()
    if text.lower() in {"huggingface", "hf"}:
        return HuggingFaceSource(client=client)
    if text.startswith(("http://", "https://")):
        if "{" not in text:
            raise SourceError(
                f"{safe_url(text)}: a URL source needs date placeholders, e.g. "
                "https://example.org/logs/{yyyy}/{mm}/{dd}.md"
            )
        return UrlTemplateSource(text, client=client)
    return DirectorySource(Path(text).expanduser())
