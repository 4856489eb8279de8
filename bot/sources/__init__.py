"""Digest sources: a local folder (default), a URL template, or the Hugging Face API."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.errors import SourceError
from bot.sources.base import DigestSource
from bot.sources.bounded import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, FetchLimits
from bot.sources.directory import DirectorySource, iter_digest_files
from bot.sources.fetching import DEFAULT_LIMITS, safe_url
from bot.sources.http import UrlTemplateSource, check_template
from bot.sources.huggingface import HuggingFaceSource, digest_from_hf_json

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "DigestSource",
    "DirectorySource",
    "FetchLimits",
    "HuggingFaceSource",
    "UrlTemplateSource",
    "check_source_spec",
    "digest_from_hf_json",
    "iter_digest_files",
    "source_from_spec",
]

_EXAMPLE_TEMPLATE = "https://example.org/digests/{yyyy}/{mm}/{dd}.md"


def _kind(spec: str) -> str:
    """'huggingface', 'url' or 'folder'; SourceError for a spec that is none of them."""
    text = spec.strip()
    if not text:
        raise SourceError(
            "no digest source given; use a folder path, 'huggingface', or a URL template such "
            f"as {_EXAMPLE_TEMPLATE}"
        )
    if text.lower() in {"huggingface", "hf"}:
        return "huggingface"
    if text.lower().startswith(("http://", "https://")):
        return "url"
    if "://" in text:  # ftp://, file://, s3://: a URL we cannot fetch, not a folder name
        raise SourceError(
            f"{safe_url(text)}: URL templates must start with http:// or https://, "
            f"e.g. {_EXAMPLE_TEMPLATE}"
        )
    return "folder"


def check_source_spec(spec: str) -> None:
    """SourceError with one line saying what to fix, unless `spec` can be made into a source.

    Touches neither the network nor the disk (a folder may be created after the bot starts);
    `source_from_spec` and `check-config` both rely on it.
    """
    if _kind(spec) == "url":
        check_template(spec.strip())


def source_from_spec(
    spec: str,
    *,
    client: httpx.AsyncClient | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
) -> DigestSource:
    """`huggingface` (or `hf`), an http(s) URL template with date placeholders, or a folder path.

    Raises SourceError as `check_source_spec` does; `limits` bound each network fetch.
    """
    check_source_spec(spec)
    kind, text = _kind(spec), spec.strip()
    if kind == "huggingface":
        return HuggingFaceSource(client=client, limits=limits)
    if kind == "url":
        return UrlTemplateSource(text, client=client, limits=limits)
    return DirectorySource(Path(text).expanduser())
