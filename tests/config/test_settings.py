"""Config mistakes are answered with every problem at once, each naming key, value and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ConfigError
from config import EXAMPLE_CONFIG, load_settings

VALID = """
source = "huggingface"
[[channels]]
name = "research"
platform = "console"
schedule = "30 8 * * 1-5"
timezone = "Asia/Seoul"
top_n = 10
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DISCORD_BOT_TOKEN",
        "DIGEST_BOT_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest-bot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value.problems


def test_valid_config_loads(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, VALID))
    channel = settings.channel("research")
    assert (channel.timezone, channel.top_n, channel.format_options().top_n) == (
        "Asia/Seoul",
        10,
        10,
    )


def test_the_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "discord-test")
    hook = "https://discord.com/api/webhooks/123456789012345678/" + "t" * 68  # a valid form
    monkeypatch.setenv("DISCORD_RESEARCH_WEBHOOK", hook)
    assert load_settings(EXAMPLE_CONFIG).channels


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path,
            """
[[channels]]
name = "a"
platform = "slack"
target = "C0123"
timezone = "Mars/Olympus"

[[channels]]
name = "b"
platform = "console"
schedule = "61 9 * * *"
top_n = 0
colour = "blue"
""",
        )
    )
    text = "\n".join(found)
    assert "channels.0.timezone: 'Mars/Olympus' is not a time zone; use an IANA name" in text
    assert "channels.1.schedule: '61 9 * * *' is not a cron expression" in text
    assert "channels.1.top_n: Input should be greater than or equal to 1 (got 0)" in text
    assert "channels.1.colour: unknown key" in text
    assert len(found) == 4


def test_cross_checks_name_the_missing_secret(tmp_path: Path) -> None:
    found = problems(
        write(tmp_path, '[[channels]]\nname = "a"\nplatform = "slack"\ntarget = "C0123"\n')
    )
    assert any("SLACK_BOT_TOKEN" in p for p in found)
    assert any("SLACK_APP_TOKEN" in p for p in found)


def test_secrets_in_the_file_are_refused(tmp_path: Path) -> None:
    found = problems(write(tmp_path, 'slack_bot_token = "xoxb-secret"\n'))
    assert found == [
        "slack_bot_token: secrets belong in the environment: set SLACK_BOT_TOKEN there"
    ]


def test_broken_toml_says_where(tmp_path: Path) -> None:
    assert "not valid TOML" in problems(write(tmp_path, "[[channels]\n"))[0]


def test_check_config_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, VALID)
    assert main(["check-config", "--config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    bad = write(
        tmp_path,
        '[[channels]]\nname = "a"\nplatform = "slack"\ntarget = "C1"\ntimezone = "Nowhere"\n',
    )
    assert main(["check-config", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "'Nowhere' is not a time zone" in err
    assert "xoxb-very-secret" not in err


def test_a_webhook_channel_always_gets_the_single_message_form() -> None:
    from config import ChannelConfig

    hooked = ChannelConfig(name="h", platform="slack", webhook_url_env="HOOK", mode="thread")
    app = ChannelConfig(name="a", platform="slack", target="C0123456789", mode="thread")
    assert hooked.format_options().mode == "single"
    assert app.format_options().mode == "thread"


@pytest.mark.parametrize(("value", "shown"), [("0", "0"), ('"many"', "'many'")])
def test_discord_shards_must_be_auto_or_a_positive_count(
    tmp_path: Path, value: str, shown: str
) -> None:
    path = write(tmp_path, f"[discord]\nshards = {value}\n")
    assert problems(path) == [
        f'{path}: discord.shards: use "auto" or a number of shards of 1 or more (got {shown})'
    ]


def test_seen_before_defaults_to_mark_and_reaches_the_format_options(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, VALID + 'seen_before = "omit"\n'))
    assert settings.channel("research").format_options().seen_before == "omit"
    default = load_settings(write(tmp_path, VALID)).channel("research")
    assert (default.seen_before, default.format_options().seen_before) == ("mark", "mark")


def test_a_bad_seen_before_names_the_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + 'seen_before = "hide"\n')
    assert problems(path) == [
        f"{path}: channels.0.seen_before: Input should be 'mark', 'omit' or 'show' (got 'hide')"
    ]
