"""The directions of imports: `bot/` never imports an adapter, a platform SDK or `config`.

`config` may import `bot` (the channel model lives in `bot.channels`), never the reverse; the
adapters import `bot` and `config`, never each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

FORBIDDEN_IN_CORE = ("adapters", "slack_sdk", "slack_bolt", "discord", "aiohttp", "uvicorn")
# The composition roots may load adapters (and the HTTP server) lazily inside functions, and
# read the settings from `config`: the command line, the wiring of the running bot, its server.
COMPOSITION_ROOTS = ("bot/cli/", "bot/app/main.py", "bot/app/adapters.py", "bot/app/web.py")
# Modules outside the composition roots that still take `BotSettings` whole, each with why.
CONFIG_IMPORTS_LEFT: dict[str, str] = {}


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
    """`path:line imports module` for each import of a `forbidden` package under `package`.

    A composition root's imports inside functions are allowed.
    """
    problems = []
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        lazy_allowed = _is_composition_root(relative)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module in _imports(tree, top_level_only=lazy_allowed):
            if module.split(".")[0] in forbidden:
                problems.append(f"{relative}:{line} imports {module}")
    return problems


def _is_composition_root(relative: str) -> bool:
    return any(relative.startswith(root) for root in COMPOSITION_ROOTS)


def test_core_never_imports_adapters_or_platform_sdks() -> None:
    assert _violations("bot", FORBIDDEN_IN_CORE) == []


def test_the_composition_roots_exist() -> None:
    for root in (*COMPOSITION_ROOTS, *CONFIG_IMPORTS_LEFT):
        assert (PROJECT_ROOT / root).exists(), root


def test_core_never_imports_config_outside_the_composition_roots() -> None:
    importing = {
        problem.split(":")[0]
        for problem in _violations("bot", ("config",))
        if not _is_composition_root(problem.split(":")[0])
    }
    assert importing == set(CONFIG_IMPORTS_LEFT)


def test_the_commands_never_import_the_composition_roots() -> None:
    """`bot/commands` is run by every platform's adapter; the wiring (`bot.app`, `bot.cli`)
    hands it what it needs, never the reverse."""
    problems = []
    for path in sorted((PROJECT_ROOT / "bot" / "commands").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module in _imports(tree, top_level_only=False):
            if module.split(".")[:2] in (["bot", "app"], ["bot", "cli"]):
                problems.append(f"{path.relative_to(PROJECT_ROOT).as_posix()}:{line} {module}")
    assert problems == []
    assert (PROJECT_ROOT / "bot" / "commands" / "registry.py").exists()


def test_config_never_imports_adapters_or_platform_sdks() -> None:
    assert _violations("config", FORBIDDEN_IN_CORE) == []


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
