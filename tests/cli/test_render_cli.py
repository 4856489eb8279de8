"""`digest-bot render`: the payloads for the sample digest match the reviewed golden files.

After an intended change of the posts' look, regenerate them with
`digest-bot render bot/sample_archive/2025-01-09.md --platform P --mode M --json`, review the
diff by eye, and commit it.
"""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from tests.conftest import FIXTURES, PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "bot" / "sample_archive" / "2025-01-09.md"


@pytest.mark.parametrize("platform", ["slack", "discord"])
@pytest.mark.parametrize("mode", ["thread", "single"])
def test_payloads_match_the_golden_files(
    platform: str, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(SAMPLE), "--platform", platform, "--mode", mode, "--json"]) == 0
    produced = json.loads(capsys.readouterr().out)
    golden = json.loads((FIXTURES / "golden" / f"2025-01-09.{platform}.{mode}.json").read_text())
    assert produced == golden


def test_thread_mode_posts_a_header_then_each_paper(capsys: pytest.CaptureFixture[str]) -> None:
    main(["render", str(SAMPLE), "--platform", "slack", "--json"])
    payloads = json.loads(capsys.readouterr().out)
    assert len(payloads) == 7  # header + 6 papers
    assert payloads[1]["text"].startswith("rStar-Math")


def test_render_rejects_what_it_cannot_render(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "nope.md", "--platform", "slack"]) == 2
    assert "nope.md: no such file" in capsys.readouterr().err
    assert main(["render", str(SAMPLE), "--platform", "console", "--json"]) == 2
