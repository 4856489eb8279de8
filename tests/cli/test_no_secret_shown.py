"""No secret in any output: the real command line, run against local fakes, all output grepped."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.ingest import SAMPLE_ARCHIVE_DIR
from tests.conftest import PROJECT_ROOT
from tests.fakes.slack_api import DEFAULT_CHANNEL, FAKE_BOT_TOKEN, FakeSlackAPI

SOURCE_PASSWORD = "SrcPassw0rdZZ9"
SOURCE_TOKEN = "SrcQueryTokenZZ9"
HOOK_SECRET = "HookSecretZZ9"
SIGNING_SECRET = "SigningSecretZZ9"
OPENAI_KEY = "sk-proj-OpenAiKeyZZ9abcdefgh"
IN_FILE_SECRET = "InFileSecretZZ9"
SECRETS = (
    SOURCE_PASSWORD,
    SOURCE_TOKEN,
    HOOK_SECRET,
    SIGNING_SECRET,
    FAKE_BOT_TOKEN.removeprefix("xoxb-"),
    "OpenAiKeyZZ9",
    IN_FILE_SECRET,
)


@pytest.fixture
async def source_url() -> AsyncIterator[str]:
    """A URL-template source with a password and a query token, serving the bundled sample."""

    async def digest(request: web.Request) -> web.Response:
        path = SAMPLE_ARCHIVE_DIR / f"{request.match_info['day']}.md"
        if not path.is_file():
            return web.Response(status=404)
        return web.Response(text=path.read_text(encoding="utf-8"), content_type="text/markdown")

    app = web.Application()
    app.router.add_get("/digests/{day}.md", digest)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield (
            f"http://digest:{SOURCE_PASSWORD}@127.0.0.1:{port}/digests/{{date}}.md"
            f"?token={SOURCE_TOKEN}"
        )
    finally:
        await runner.cleanup()


async def digest_bot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run `digest-bot ARGS`; its exit code and everything it wrote, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", "replace")


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def test_no_secret_appears_in_any_output_of_the_command_line(
    tmp_path: Path, source_url: str
) -> None:
    async with FakeSlackAPI() as api:
        hook = api.add_webhook(f"T0TEAM/B0HOOK/{HOOK_SECRET}", DEFAULT_CHANNEL)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_BOT", "SLACK_"))},
            "PYTHONPATH": str(PROJECT_ROOT),
            "SLACK_BOT_TOKEN": FAKE_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "OPENAI_API_KEY": OPENAI_KEY,
            "TEAM_HOOK": hook,
            "COLUMNS": "200",
        }
        good = write_config(
            tmp_path / "good.toml",
            f"""
source = "{source_url}"
data_dir = "{tmp_path / "data"}"
[slack]
mode = "http"
api_base_url = "{api.base_url}"
[[channels]]
name = "hook"
platform = "slack"
webhook_url_env = "TEAM_HOOK"
top_n = 2
[[channels]]
name = "team"
platform = "slack"
target = "{DEFAULT_CHANNEL}"
top_n = 2
""",
        )
        bad_value = write_config(
            tmp_path / "bad-value.toml", 'language = "xoxb-1234-5678-InFileSecretZZ9"\n'
        )
        in_file = write_config(
            tmp_path / "in-file.toml", 'SLACK_BOT_TOKEN = "xoxb-1234-5678-InFileSecretZZ9"\n'
        )
        no_scheme = write_config(
            tmp_path / "no-scheme.toml",
            f"""
data_dir = "{tmp_path / "data"}"
[[channels]]
name = "bare"
platform = "slack"
target = "hooks.slack.com/services/T0/B0/{HOOK_SECRET}"
""",
        )
        runs = {
            "check-config": await digest_bot(
                "check-config", "--config", str(good), env=env, cwd=tmp_path
            ),
            "post": await digest_bot(
                "post", "--config", str(good), "--date", "2025-01-09", env=env, cwd=tmp_path
            ),
            "-v post": await digest_bot(
                "-v", "post", "--config", str(good), "--date", "2025-01-10", env=env, cwd=tmp_path
            ),
            "bad value": await digest_bot(
                "check-config", "--config", str(bad_value), env=env, cwd=tmp_path
            ),
            "secret in file": await digest_bot(
                "check-config", "--config", str(in_file), env=env, cwd=tmp_path
            ),
            "no scheme": await digest_bot(
                "-v", "post", "--config", str(no_scheme), env=env, cwd=tmp_path
            ),
        }
        delivered = api.messages(DEFAULT_CHANNEL)

    everything = "\n".join(
        f"== {name} (exit {code})\n{text}" for name, (code, text) in runs.items()
    )
    for secret in SECRETS:
        assert secret not in everything, f"{secret} shown:\n{everything}"
    # The runs did what they were meant to, so the grep above looked at real output.
    assert runs["check-config"][0] == 0
    assert "source http://digest:***@127.0.0.1" in runs["check-config"][1]
    assert runs["post"][0] == 0
    assert runs["-v post"][0] == 0
    assert "HTTP Request: GET http://digest:***@127.0.0.1" in runs["-v post"][1]  # httpx, masked
    assert "DEBUG slack_sdk" in runs["-v post"][1]
    assert len(delivered) >= 4  # two days, to the webhook and through the bot token
    assert runs["bad value"] == (2, runs["bad value"][1])
    assert "xoxb-***" in runs["bad value"][1]
    assert runs["secret in file"][0] == 2
    assert (
        "secrets belong in the environment: set SLACK_BOT_TOKEN there" in runs["secret in file"][1]
    )
    assert "Traceback" not in everything
