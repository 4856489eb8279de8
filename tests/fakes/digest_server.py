"""A scripted digest server (httpx.MockTransport) and the one digest it serves, for source tests."""

from __future__ import annotations

import datetime as dt

import httpx

DAY = dt.date(2025, 1, 9)

# Written by us for these tests; the id, title and vote count are facts about a real paper.
DIGEST = """## Daily Papers (2025-01-09)

### [Our Test Paper](https://arxiv.org/abs/2501.04682)
Vote: 7
Authors: Ada Lovelace, Alan Turing
- ***What's New***: a sentence we wrote for this test
"""


class Server:
    """Answers requests from a script, one entry per request, and records what was asked."""

    def __init__(self) -> None:
        self.script: list[httpx.Response | Exception] = []
        self.requests: list[httpx.Request] = []
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self._answer))

    def will(self, *answers: httpx.Response | Exception) -> Server:
        self.script.extend(answers)
        return self

    @property
    def urls(self) -> list[str]:
        return [str(request.url) for request in self.requests]

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.script:
            raise AssertionError(f"unexpected extra request: {request.url}")
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
