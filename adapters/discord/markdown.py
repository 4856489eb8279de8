"""Digest text made safe for Discord markdown, and cut to Discord's limits without breaking it.

Discord parses markdown in message content, embed titles, descriptions and field names/values,
and turns `<@id>`, `<@&id>`, `<#id>`, `<t:…>` and `@everyone` into mentions. Every piece of digest
text passes through `escape_discord` once, so it is shown exactly as written.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import discord

URL_MAX = 2048  # embed url / thumbnail url
LINK_URL_MAX = 512  # a masked link inside text; longer ones would eat the 6000-character budget
ELLIPSIS = "…"
BLANK = "\u200b"  # Discord rejects empty field names; a zero-width space shows nothing

# discord.utils.escape_markdown escapes a masked link "[a](b)" with one backslash for the whole
# match, so "[a](b) [c](d)" would keep the second link live. We escape "[" and "]" ourselves:
# swapped for private-use placeholders around escape_markdown, then back as "\[" and "\]".
_OWN_ESCAPES = {"[": "\ue000", "]": "\ue001"}
_TO_PLACEHOLDER = str.maketrans({**_OWN_ESCAPES, **{p: None for p in _OWN_ESCAPES.values()}})
_FROM_PLACEHOLDER = re.compile("[\ue000\ue001]")
_PLACEHOLDER_CHAR = {p: c for c, p in _OWN_ESCAPES.items()}
# escape_markdown escapes an indented list dash as "\  - x"; "\ " is no escape, so Discord would
# show the backslash. Moving it next to the dash keeps the meaning and hides the backslash.
_INDENTED_DASH = re.compile(r"^\\([ \t]+)-", re.MULTILINE)
_ANGLE = re.compile(r"(\\*)<")
_SHOWABLE_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def escape_discord(text: str) -> str:
    """`text` shown literally: no markdown, no masked links, no mentions of any kind."""
    escaped = discord.utils.escape_markdown(text.translate(_TO_PLACEHOLDER))
    escaped = _FROM_PLACEHOLDER.sub(lambda m: "\\" + _PLACEHOLDER_CHAR[m.group()], escaped)
    escaped = _INDENTED_DASH.sub(r"\1\\-", escaped)
    escaped = _ANGLE.sub(_escape_angle, escaped)
    return discord.utils.escape_mentions(escaped)


def _escape_angle(match: re.Match[str]) -> str:
    # escape_markdown leaves "<" alone, so "<@123>", "<@&1>", "<#1>" and "<t:1>" would still render
    # as mentions. Backslashes before it come in escaped pairs, except a URL's own trailing "\"
    # (URLs are left as they are); Discord reads that as part of the URL, so a space ends the URL.
    backslashes = match.group(1)
    return backslashes + (" \\<" if len(backslashes) % 2 else "\\<")


def plain_text(text: str) -> str:
    """For footers and author names, where Discord parses no markdown: only defuse @everyone."""
    return discord.utils.escape_mentions(text)


def safe_cut(text: str, cut: int) -> int:
    """`cut` moved back so the piece before it does not end inside a backslash escape."""
    cut = max(0, min(cut, len(text)))
    backslashes = 0
    while backslashes < cut and text[cut - 1 - backslashes] == "\\":
        backslashes += 1
    return cut - 1 if backslashes % 2 else cut


def shorten(text: str, limit: int) -> str:
    """`text` if it fits, else cut at a word break (when one is near) and ended with "…"."""
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    cut = limit - 1
    space = text.rfind(" ", 0, cut + 1)
    if space > limit // 2:
        cut = space
    return text[: safe_cut(text, cut)].rstrip() + ELLIPSIS


def chunks(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line or word breaks when near."""
    pieces: list[str] = []
    text = text.strip()
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        cut = safe_cut(text, cut) or limit  # a run of `limit` backslashes: cut anyway
        piece = text[:cut].rstrip()
        if piece:
            pieces.append(piece)
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def ellipsize(text: str) -> str:
    """`text` with its end replaced by "…", to show that more was cut after it."""
    if text.endswith(ELLIPSIS):
        return text
    return text[: safe_cut(text, len(text) - 1)].rstrip() + ELLIPSIS


def safe_url(url: str | None, limit: int = URL_MAX) -> str | None:
    """`url` if Discord accepts it as a link (absolute http/https, no spaces, short), else None."""
    if not url:
        return None
    url = url.strip()
    if len(url) > limit or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def showable_image(url: str | None) -> str | None:
    """`url` if Discord can show it as a thumbnail: absolute https PNG/JPEG/GIF/WebP."""
    checked = safe_url(url)
    if checked is None or not checked.startswith("https://"):
        return None
    path = urlsplit(checked).path.lower()
    return checked if path.endswith(_SHOWABLE_IMAGE_SUFFIXES) else None


def masked_link(label: str, url: str | None) -> str:
    """`[label](url)` with the label escaped, or just the escaped label when the url is unusable."""
    shown = escape_discord(label).strip() or "link"
    target = safe_url(url, LINK_URL_MAX)
    if target is None:
        return shown
    # A ")" or "<"/">" in the target would end or break the link early; percent-encoding them
    # leaves the address the same for every web server.
    target = target.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{shown}]({target})"
