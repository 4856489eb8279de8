"""A release builds the same twice: what the image and CI install is pinned; the image is sane."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement

from tests.conftest import PROJECT_ROOT

OWN_NAME = "daily-papers-digest-bot"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: '{line}' is not pinned with =="
            pins[_normal(name)] = version
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = list(project["project"]["dependencies"])
    for extra in project["project"]["optional-dependencies"].values():
        lines += extra
    return [r for r in map(Requirement, lines) if _normal(r.name) != OWN_NAME]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = _normal(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject's {requirement}"
        )


def test_image_installs_pinned_dependencies_before_copying_the_code() -> None:
    lines = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    install = next(i for i, line in enumerate(lines) if "-c constraints.txt" in line)
    first_code_copy = next(i for i, line in enumerate(lines) if line.startswith("COPY bot"))
    assert install < first_code_copy
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert any(line.strip() == "USER digest" for line in lines)


def test_ci_installs_with_the_constraints() -> None:
    script = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c constraints.txt" in script


def test_compose_keeps_metrics_off_other_interfaces_and_passes_all_secrets() -> None:
    compose = (PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8")
    published = re.findall(r'^\s*-\s*"([^"]+:8080)"', compose, flags=re.M)
    assert published, "compose.yaml publishes no port"
    assert all(p.startswith("127.0.0.1:") for p in published)
    assert "env_file" in compose  # every webhook_url_env variable reaches the bot


def test_local_secrets_are_never_committed() -> None:
    ignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored
    assert "digest-bot.toml" in ignored
    assert (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
