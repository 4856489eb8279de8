"""`digest-bot check-config` finds, in one round, what `run` or a post would fail on; each
problem is one line naming the key or variable and the fix, and the command exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.without_sdks import run_without_sdks

SECRET_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "DISCORD_BOT_TOKEN",
    "DIGEST_BOT_CONFIG",
    "DIGEST_BOT_CHANNELS",
    "DIGEST_BOT_DATABASE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIGEST_BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The problem lines check-config prints for this config; it must exit 2."""
    path = tmp_path / "digest-bot.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.removeprefix("digest-bot: error: ").splitlines()
    return [line.removeprefix(f"{path}: ") for line in lines]


CONSOLE = '[[channels]]\nname = "c"\nplatform = "console"\n'


def test_a_source_folder_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [line] = check(tmp_path, f'source = "{tmp_path / "nope"}"\n', capsys)
    assert line.startswith(f"source: {tmp_path / 'nope'}: no such folder of digests")


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("https://example.org/digest.md", "no date placeholder"),
        ("https://example.org/{yyyy:>99999999999}.md", "format spec"),
        ("ftp://example.org/{yyyy}/{mm}/{dd}.md", "must start with http:// or https://"),
    ],
)
def test_an_unusable_url_template(
    template: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [line] = check(tmp_path, f'source = "{template}"\n', capsys)
    assert line.startswith("source: ")
    assert says in line


def test_an_unreachable_database_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://bot:hunter2pw@127.0.0.1:1/digest"  # port 1: refused at once
    [line] = check(tmp_path, f'database_url = "{url}"\n', capsys)
    assert line.startswith(
        "database_url: cannot connect to the database postgresql+psycopg://bot:***@127.0.0.1:1/"
    )
    assert "hunter2pw" not in line


def test_a_data_dir_that_cannot_be_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    [line] = check(tmp_path, f'data_dir = "{blocker / "data"}"\n', capsys)
    assert line.startswith(f"database_url: data_dir: cannot create {blocker / 'data'}")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        (
            "SLACK_BOT_TOKEN",
            "xapp-1-A0-1-abc",
            "a Slack app-level token (xapp-…), which belongs in SLACK_APP_TOKEN",
        ),
        (
            "SLACK_APP_TOKEN",
            "xoxb-1-2-abc",
            "a Slack bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN",
        ),
        ("SLACK_BOT_TOKEN", "xoxp-1-2-abc", "a Slack user token (xoxp-…); set SLACK_BOT_TOKEN"),
        (
            "DISCORD_BOT_TOKEN",
            "xoxb-1-2-abc",
            "a Slack bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN",
        ),
        ("SLACK_SIGNING_SECRET", "xoxb-1-2-abc", "a Slack bot token"),
        (
            "SLACK_BOT_TOKEN",
            "MTA4NjU0MzIxMDk4NzY1NDMyMQ.GhAbCd.abcdefghijklmnopqrstuvwxyz012345",
            "a Discord bot token, which belongs in DISCORD_BOT_TOKEN",
        ),
        ("DISCORD_BOT_TOKEN", "Bot MTA4.Gh.abc", "without the 'Bot ' prefix"),
    ],
)
def test_a_token_in_the_wrong_variable(
    variable: str,
    value: str,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, value)
    [line] = check(tmp_path, CONSOLE, capsys)
    assert line.startswith(f"{variable}: ")
    assert says in line
    assert value not in line


def test_schema_and_environment_problems_in_one_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    lines = check(
        tmp_path,
        """
[http]
port = 99999

[[channels]]
name = "bad"
platform = "console"
top_n = 0

[[channels]]
name = "news"
platform = "slack"
target = "C0123456789"

[[channels]]
name = "hook"
platform = "discord"
webhook_url_env = "HOOK_URL_UNSET"
""",
        capsys,
    )
    assert lines == [
        "http.port: Input should be less than or equal to 65535 (got 99999)",
        "channels.0.top_n: Input should be greater than or equal to 1 (got 0)",
        "channels.2 (hook).webhook_url_env: the environment variable HOOK_URL_UNSET is not set",
        "slack.mode: 'socket' needs the SLACK_APP_TOKEN environment variable (xapp-…)",
    ]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (CONSOLE + "topn = 3\n", "channels.0.topn: unknown key; did you mean top_n? (got 3)"),
        ("[http]\nprot = 80\n", "http.prot: unknown key; did you mean port? (got 80)"),
        ("langauge = 'ko'\n", "langauge: unknown key; did you mean language? (got 'ko')"),
    ],
)
def test_a_misspelt_key_gets_the_nearest_one(
    toml: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(tmp_path, toml, capsys) == [expected]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[http]\nenabled = "yes"\n',
            "http.enabled: write true or false, without quotes (got 'yes')",
        ),
        (
            CONSOLE + 'top_n = "10"\n',
            "channels.0.top_n: write a whole number, without quotes (got '10')",
        ),
        (
            '[live]\nsettle_minutes = "5"\n',
            "live.settle_minutes: write a number, without quotes (got '5')",
        ),
        ("[http]\nport = 8080.0\n", "http.port: write a whole number, without quotes (got 8080.0)"),
    ],
)
def test_quoted_numbers_and_booleans_are_refused(
    toml: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(tmp_path, toml, capsys) == [expected]


def test_environment_variables_are_text_and_still_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_BOT_HTTP__PORT", "8081")
    monkeypatch.setenv("DIGEST_BOT_HTTP__ENABLED", "true")
    path = tmp_path / "digest-bot.toml"
    path.write_text(CONSOLE, encoding="utf-8")
    assert main(["check-config", "--config", str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


@pytest.mark.parametrize(
    ("zone", "guess"),
    [("asia/seoul", "Asia/Seoul"), ("EUROPE/BERLIN", "Europe/Berlin"), ("Asia/Seol", "Asia/Seoul")],
)
def test_a_time_zone_in_the_wrong_case_gets_its_name(
    zone: str, guess: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [line] = check(tmp_path, CONSOLE + f'timezone = "{zone}"\n', capsys)
    assert (
        line
        == f"channels.0.timezone: '{zone}' is not a time zone; did you mean {guess}? (got '{zone}')"
    )


def test_a_non_utf8_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "digest-bot.toml"
    path.write_bytes(b'language = "en"\nsource = "caf\xe9"\n')
    assert main(["check-config", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"digest-bot: error: {path}:2: not UTF-8 text (byte 0xe9); save the file as UTF-8\n"
    )


def test_channels_in_the_environment_that_are_not_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_BOT_CHANNELS", "not json")
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("digest-bot: error: DIGEST_BOT_CHANNELS: not valid JSON (Expecting value")
    assert len(err.splitlines()) == 1


def test_a_missing_extra_for_a_configured_platform(tmp_path: Path) -> None:
    """The base install: no Slack SDK (simulated in a child process, as if uninstalled)."""
    path = tmp_path / "digest-bot.toml"
    path.write_text(
        '[[channels]]\nname = "s"\nplatform = "slack"\n'
        'target = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"\n',
        encoding="utf-8",
    )
    result = run_without_sdks(["check-config", "--config", str(path)], tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("digest-bot: error: channels: platform 'slack' needs the 'slack' extra")
    assert line.endswith("is not installed): pip install 'daily-papers-digest-bot[slack]'")


@pytest.mark.parametrize(
    ("platform", "target", "says"),
    [
        ("slack", "https://discord.com/api/webhooks/1/abcdef", "not a Slack incoming-webhook URL"),
        ("discord", "hooks.slack.com/services/T0/B0/abcdef", "not a Discord webhook URL"),
    ],
)
def test_a_webhook_url_malformed_for_its_platform(
    platform: str, target: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = f'[[channels]]\nname = "s"\nplatform = "{platform}"\ntarget = "{target}"\n'
    [line] = check(tmp_path, toml, capsys)
    assert line.startswith(f"channels.0: channel 's': target: {says}")
    assert "abcdef" not in line  # the webhook's token stays secret


@pytest.mark.parametrize(
    ("platform", "url", "says"),
    [
        (
            "slack",
            "https://discord.com/api/webhooks/1/abcdefsecret",
            "not a Slack incoming-webhook",
        ),
        ("slack", "hooks.slack.com/services/T0/B0/abcdefsecret", "not a Slack incoming-webhook"),
        ("discord", "http://discord.com/api/webhooks/1/abcdefsecret", "not a Discord webhook URL"),
    ],
)
def test_a_webhook_url_from_the_environment_malformed_for_its_platform(
    platform: str,
    url: str,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEAM_HOOK_URL", url)
    toml = f'[[channels]]\nname = "h"\nplatform = "{platform}"\nwebhook_url_env = "TEAM_HOOK_URL"\n'
    [line] = check(tmp_path, toml, capsys)
    assert line.startswith(f"channels.0 (h).webhook_url_env: TEAM_HOOK_URL: {says}")
    assert "abcdefsecret" not in line  # the webhook's token stays secret


def test_a_secret_in_the_file_is_reported_with_every_other_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = 'SLACK_BOT_TOKEN = "xoxb-1234-SECRETINTOML"\nsource = "/no/such/folder"\n' + CONSOLE
    toml += "top_n = '10'\n"
    lines = check(tmp_path, toml, capsys)
    assert (
        lines[0] == "SLACK_BOT_TOKEN: secrets belong in the environment: set SLACK_BOT_TOKEN there"
    )
    assert any(line.startswith("channels.0.top_n: write a whole number") for line in lines)
    assert any(line.startswith("source: /no/such/folder: no such folder") for line in lines)
    assert not any("SECRETINTOML" in line for line in lines)
