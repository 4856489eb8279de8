"""The platform-neutral message model: what the formatter produces and every adapter renders.

Text here is plain and unescaped; each renderer escapes it for its platform and enforces that
platform's limits. Nothing in this module knows about Slack or Discord.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MessageRole = Literal["header", "paper", "answer", "notice"]
PostMode = Literal["thread", "single"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Link(_Frozen):
    """A labelled link, shown as a button where the platform has buttons."""

    label: str
    url: str


class Image(_Frozen):
    """A picture for a card. Renderers decide whether their platform can show its format."""

    url: str
    alt: str = ""


class Fact(_Frozen):
    """A short name/value pair (votes, authors) shown side by side where there is room."""

    name: str
    value: str


class TextSection(_Frozen):
    """A paragraph with an optional bold label, e.g. a "What's New" summary bullet."""

    label: str | None = None
    text: str


class ListItem(_Frozen):
    """One entry of a ranked list (the header's top papers, search results)."""

    text: str
    url: str | None = None
    note: str | None = None  # e.g. "▲ 102"; rendered after the text


class Card(_Frozen):
    """A titled block of content: the digest header, one paper, or a command's answer."""

    title: str
    url: str | None = None
    intro: str | None = None
    facts: list[Fact] = Field(default_factory=list)
    sections: list[TextSection] = Field(default_factory=list)
    items: list[ListItem] = Field(default_factory=list)
    image: Image | None = None
    links: list[Link] = Field(default_factory=list)
    footer: str | None = None


class Message(_Frozen):
    """One logical chat message; a renderer may split it into several platform messages."""

    role: MessageRole
    text: str  # plain-text fallback for notifications and screen readers
    cards: list[Card] = Field(default_factory=list)


class Post(_Frozen):
    """Everything one delivery sends to one channel, in posting order.

    In thread mode the first message starts the thread and the others are replies in it; in single
    mode there is exactly one message.
    """

    mode: PostMode
    messages: list[Message]
