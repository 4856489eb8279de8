"""The core stays platform-neutral: `bot/` never imports an adapter or a platform SDK."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

FORBIDDEN_IN_CORE = ("adapters", "slack_sdk", "slack_bolt", "discord", "aiohttp", "uvicorn")
# The command-line composition root may load adapters, but only lazily inside functions.
COMPOSITION_ROOTS = {"bot/cli", "bot/main.py", "bot/app"}


def _imports(tree: ast.AST, *, top_level_only: bool) -> list[tuple[int, str]]:
    nodes = tree.body if top_level_only and isinstance(tree, ast.Module) else ast.walk(tree)
    found: list[tuple[int, str]] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    problems = []
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        lazy_allowed = any(relative.startswith(root) for root in COMPOSITION_ROOTS)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module in _imports(tree, top_level_only=lazy_allowed):
            if module.split(".")[0] in forbidden:
                problems.append(f"{relative}:{line} imports {module}")
    return problems


def test_core_never_imports_adapters_or_platform_sdks() -> None:
    assert _violations("bot", FORBIDDEN_IN_CORE) == []


def test_adapters_do_not_import_each_other() -> None:
    for name in ("slack", "discord", "console"):
        others = tuple(f"adapters.{o}" for o in ("slack", "discord", "console") if o != name)
        problems = [
            p
            for p in _violations(f"adapters/{name}", ("adapters",))
            if any(p.endswith(f"imports {o}") or f"imports {o}." in p for o in others)
        ]
        assert problems == [], name
        if name != "slack":
            assert _violations(f"adapters/{name}", ("slack_sdk", "slack_bolt")) == []
        if name != "discord":
            assert _violations(f"adapters/{name}", ("discord",)) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    tree = ast.parse("import os\ndef f():\n    from adapters.slack import render\n")
    assert _imports(tree, top_level_only=False)[-1] == (3, "adapters.slack")
    assert _imports(tree, top_level_only=True) == [(1, "os")]
