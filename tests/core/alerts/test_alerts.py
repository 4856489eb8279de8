"""Keyword alerts in the core: the store's rules, what matches, and one DM per user and day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from bot.alerts import (
    MAX_ALERTS,
    AlertNotifier,
    AlertStore,
    alert_message,
    normalise_words,
    words_match,
)
from bot.archive import Archive
from bot.errors import DeliveryError, UserError
from bot.formatter import FormatOptions
from bot.messages import Message
from bot.models import Digest, Paper, Section

DAY = dt.date(2025, 3, 4)


def paper(number: int, title: str, *, authors: list[str] | None = None, summary: str = "") -> Paper:
    return Paper(
        arxiv_id=f"2503.{number:05d}",
        title=title,
        url=f"https://arxiv.org/abs/2503.{number:05d}",
        votes=100 - number,
        authors=authors or ["Some Author"],
        sections=[Section(label="What's New", text=summary)] if summary else [],
    )


DIGEST = Digest(
    date=DAY,
    papers=[
        paper(1, "Moving Pictures from Noise", summary="A diffusion model makes short videos."),
        paper(2, "Sparse Experts at Scale", authors=["Grace Hopper", "Alan Turing"]),
        paper(3, "A Video Benchmark", summary="Clips and questions, no generation at all."),
        paper(4, "Diffusion for Tables", summary="Tabular data synthesis."),
    ],
)


class Recorder:
    """A `DirectMessenger` that keeps what it sent, and fails while `failures` lasts."""

    def __init__(self, platform: str = "slack", failures: int = 0) -> None:
        self.platform = platform
        self.failures = failures
        self.sent: list[tuple[str, Message]] = []

    async def send_direct(self, user_id: str, message: Message) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError(f"{self.platform} DM to user {user_id}: unreachable")
        self.sent.append((user_id, message))


@pytest.fixture
def store(database_engine: Engine) -> AlertStore:
    return AlertStore(database_engine)


def test_words_are_normalised() -> None:
    assert normalise_words("  Diffusion,  VIDEO;video\tmodels ") == "diffusion video models"
    assert normalise_words(" ,; ") == ""


def test_add_list_and_remove_by_number_or_words(store: AlertStore) -> None:
    first = store.add("slack", "U1", "Diffusion  Video")
    second = store.add("slack", "U1", "sparse experts")
    store.add("slack", "U1", "benchmark")
    store.add("discord", "U1", "diffusion video")  # another platform's user with the same id
    assert (first.number, first.words) == (1, "diffusion video")
    assert second.number == 2
    assert [a.words for a in store.list("slack", "U1")] == [
        "diffusion video",
        "sparse experts",
        "benchmark",
    ]

    assert store.remove("slack", "U1", "2").words == "sparse experts"
    assert store.remove("slack", "U1", "VIDEO diffusion").words == "diffusion video"
    assert [(a.number, a.words) for a in store.list("slack", "U1")] == [(1, "benchmark")]
    assert [a.words for a in store.list("discord", "U1")] == ["diffusion video"]
    assert store.list("slack", "U2") == []


def test_refusals_say_what_to_do(store: AlertStore) -> None:
    with pytest.raises(UserError, match="Which words"):
        store.add("slack", "U1", "  , ")
    with pytest.raises(UserError, match="at most 100 characters"):
        store.add("slack", "U1", " ".join(f"word{n}" for n in range(30)))
    store.add("slack", "U1", "video diffusion")
    with pytest.raises(UserError, match=r"already have this alert: 1\. video diffusion"):
        store.add("slack", "U1", "Diffusion, video")
    with pytest.raises(UserError, match="No alert 'nothing'"):
        store.remove("slack", "U1", "nothing")
    with pytest.raises(UserError, match=r"No alert '7'\. Give a number from 1 to 1"):
        store.remove("slack", "U1", "7")
    with pytest.raises(UserError, match="no alerts to remove"):
        store.remove("slack", "U9", "1")


def test_at_most_twenty_alerts_per_user(store: AlertStore) -> None:
    for number in range(MAX_ALERTS):
        store.add("discord", "42", f"topic{number}")
    with pytest.raises(UserError, match="You have 20 alerts, the most there can be"):
        store.add("discord", "42", "one more")
    store.add("discord", "43", "one more")  # someone else still can
    store.remove("discord", "42", "1")
    store.add("discord", "42", "one more")


def test_every_word_must_start_a_word_of_title_authors_or_summary() -> None:
    text = "moving pictures from noise\na diffusion model makes short videos."
    assert words_match("diffusion video", text)  # "video" starts "videos"
    assert words_match("DIFFUSION".casefold(), text)
    assert not words_match("diffusion audio", text)  # every word, not any
    assert not words_match("ictures", text)  # inside a word is not a match
    assert words_match("turing", "sparse experts\ngrace hopper\nalan turing")


def test_matches_list_each_users_papers_once_most_voted_first(store: AlertStore) -> None:
    store.add("slack", "U1", "diffusion")
    store.add("slack", "U1", "video")  # paper 1 matches both alerts: listed once
    store.add("discord", "7", "hopper")  # an author
    store.add("discord", "8", "quantum")  # nothing today

    found = store.matches(DIGEST)

    assert set(found) == {("slack", "U1"), ("discord", "7")}
    assert [p.arxiv_id for p in found["slack", "U1"]] == ["2503.00001", "2503.00003", "2503.00004"]
    assert [p.title for p in found["discord", "7"]] == ["Sparse Experts at Scale"]
    assert store.matches(Digest(date=DAY)) == {}


def test_the_message_lists_the_papers_and_the_alerts_that_found_them() -> None:
    papers = DIGEST.papers[:2]
    message = alert_message(DAY, papers, ["diffusion", "hopper"], FormatOptions())
    (card,) = message.cards
    assert card.title == "Paper alert — 2 papers for you in the digest of 2025-03-04"
    assert [item.text for item in card.items] == [p.title for p in papers]
    assert card.footer is not None
    assert "Matched your alerts: diffusion; hopper" in card.footer
    assert "Moving Pictures from Noise" in message.text


async def test_one_message_per_user_and_day_even_when_told_twice(store: AlertStore) -> None:
    store.add("slack", "U1", "diffusion")
    store.add("slack", "U1", "video")
    store.add("discord", "7", "hopper")
    slack, discord = Recorder("slack"), Recorder("discord")
    notifier = AlertNotifier(store, {"slack": slack, "discord": discord})

    assert await notifier.send_due(DIGEST) == 2
    await notifier.notify(DIGEST)  # a second channel delivered the same day
    assert await notifier.send_due(DIGEST) == 0

    assert [user for user, _ in slack.sent] == ["U1"]
    assert [user for user, _ in discord.sent] == ["7"]
    ((_, message),) = slack.sent
    assert [item.text for item in message.cards[0].items] == [
        "Moving Pictures from Noise",
        "A Video Benchmark",
        "Diffusion for Tables",
    ]
    # Another day is another message.
    tomorrow = DIGEST.model_copy(update={"date": DAY + dt.timedelta(days=1)})
    assert await notifier.send_due(tomorrow) == 2


async def test_two_notifiers_on_one_database_send_once(database_engine: Engine) -> None:
    """Two bot processes sharing the database: the claim lets only one of them send."""
    first, second = AlertStore(database_engine), AlertStore(database_engine)
    first.add("slack", "U1", "diffusion")
    one, other = Recorder(), Recorder()
    assert await AlertNotifier(first, {"slack": one}).send_due(DIGEST) == 1
    assert await AlertNotifier(second, {"slack": other}).send_due(DIGEST) == 0
    assert len(one.sent) + len(other.sent) == 1


async def test_a_failed_send_is_retried_by_the_next_call(
    store: AlertStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.add("slack", "U1", "diffusion")
    store.add("slack", "U2", "hopper")
    flaky = Recorder(failures=1)
    notifier = AlertNotifier(store, {"slack": flaky})

    assert await notifier.send_due(DIGEST) == 1  # the first user's send failed, not the other's
    assert "alert message to slack user U1 not sent, retried later" in caplog.text
    assert [user for user, _ in flaky.sent] == ["U2"]

    assert await notifier.send_due(DIGEST) == 1
    assert await notifier.send_due(DIGEST) == 0
    assert sorted(user for user, _ in flaky.sent) == ["U1", "U2"]


async def test_a_bug_in_a_sender_is_logged_and_retried(
    store: AlertStore, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Recorder):
        async def send_direct(self, user_id: str, message: Message) -> None:
            raise RuntimeError("a bug")

    store.add("slack", "U1", "diffusion")
    assert await AlertNotifier(store, {"slack": Broken()}).send_due(DIGEST) == 0
    assert "alert message to slack user U1 failed" in caplog.text
    recorder = Recorder()
    assert await AlertNotifier(store, {"slack": recorder}).send_due(DIGEST) == 1


async def test_users_of_a_platform_without_a_sender_are_skipped(store: AlertStore) -> None:
    store.add("discord", "7", "diffusion")
    slack = Recorder()
    assert await AlertNotifier(store, {"slack": slack}).send_due(DIGEST) == 0
    # Nothing was claimed: once Discord is there, the message goes out.
    discord = Recorder("discord")
    assert await AlertNotifier(store, {"discord": discord}).send_due(DIGEST) == 1


async def test_the_sample_digest_finds_papers(sample_archive: Archive) -> None:
    store = AlertStore(sample_archive.engine)
    store.add("slack", "U1", "math reasoning")
    digest = sample_archive.get_digest(dt.date(2025, 1, 9))
    assert digest is not None
    titles = [p.title for p in store.matches(digest)["slack", "U1"]]
    assert len(titles) >= 2
    assert all("math" in t.casefold() and "reasoning" in t.casefold() for t in titles)
