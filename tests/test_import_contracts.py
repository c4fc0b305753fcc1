"""The import-linter contracts of pyproject.toml hold, and they name every module of the core (DESIGN rule 11)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONT_ENDS = {"cli", "tui", "__main__"}

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_core_contract_names_every_core_module():
    package = ROOT / "trustindex"
    core = {f"trustindex.{p.stem}" for p in package.iterdir() if p.name not in {"__init__.py", "_shipped"}
            and (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem not in FRONT_ENDS}  # fmt: skip
    assert set(contracts()[0]["source_modules"]) == core


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_lint_imports_keeps_every_contract():
    done = subprocess.run(["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"Contracts: {len(contracts())} kept, 0 broken" in done.stdout
