"""Docs that cannot rot: every CLI command and every setting is documented in the README."""

from __future__ import annotations

from pathlib import Path

import click

from fn17.cli import cli
from fn17.config import SETTINGS_DOC

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "fn17") -> list[str]:
    out: list[str] = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        out.append(path)
        if isinstance(cmd, click.Group):
            out += _commands(cmd, path)
    return out


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(cli) if f"`{c}" not in readme]
    assert not missing, f"commands not documented in README.md: {missing}"


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in SETTINGS_DOC if f"`{name}`" not in readme]
    assert not missing


def test_architecture_names_every_package() -> None:
    arch = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = [p.name for p in (ROOT / "src" / "fn17").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    missing = [p for p in packages if f"fn17.{p}" not in arch]
    assert not missing, f"packages missing from ARCHITECTURE.md: {missing}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./dev run" in readme and "./dev test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./dev test" in ci
