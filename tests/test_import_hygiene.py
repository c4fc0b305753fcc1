"""The core is headless and the CLI starts fast: checked in a fresh interpreter for each module.

Rule 1 of DESIGN.md: nothing outside ``tui/`` and ``cli/`` imports textual or rich, and scipy is
imported inside the functions that need it. ``trustindex --help`` must not pay for numpy either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

CORE = (
    "trustindex",
    "trustindex.model",
    "trustindex.normalise",
    "trustindex.aggregate",
    "trustindex.ranking",
    "trustindex.pipeline",
    "trustindex.render",
    "trustindex.io",
    "trustindex.io.dataset",
    "trustindex.io.weights",
    "trustindex.io.registry",
    "trustindex.io.output",
    "trustindex.io.toml",
    "trustindex.io.files",
    "trustindex.io.numbers",
    "trustindex.io.table",
    "trustindex.io.validate",
    "trustindex.io.spec",
    "trustindex.methods",
    "trustindex.budget",
    "trustindex.fit",
    "trustindex.check",
    "trustindex.errors",
    "trustindex.stats",
    "trustindex.audit",
    "trustindex.reports.audit",
    "trustindex.reports.html",
    "trustindex.reports.charts",
)
HEAVY = ("textual", "rich", "scipy", "vl_convert", "playwright")


def loaded_after(code: str) -> set[str]:
    """Top-level package names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False, env=_env()
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    return env


def test_the_probe_sees_imports():
    assert "json" in loaded_after("import json")
    assert "numpy" in loaded_after("import numpy")


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_nothing_heavy(module):
    heavy = loaded_after(f"import {module}") & set(HEAVY)
    assert not heavy, f"importing {module} loads {sorted(heavy)}"


def test_cli_imports_no_numpy():
    heavy = loaded_after("import trustindex.cli") & {*HEAVY, "numpy"}
    assert not heavy, f"importing trustindex.cli loads {sorted(heavy)}"


@pytest.mark.parametrize(
    "args", [["--help"], ["score", "--help"], ["audit", "--help"], ["report", "--help"], ["--version"]]
)
def test_help_imports_no_numpy(args):
    code = (
        "from trustindex.cli import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='trustindex')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
    )
    heavy = loaded_after(code) & {*HEAVY, "numpy"}
    assert not heavy, f"trustindex {' '.join(args)} loads {sorted(heavy)}"


def test_scoring_imports_no_scipy_or_ui():
    code = (
        "import trustindex as ti\n"
        "from trustindex.io.registry import resolve_dataset, resolve_weights\n"
        "ti.score(ti.load_dataset(resolve_dataset(None)), ti.load_weights(resolve_weights(None)))\n"
    )
    heavy = loaded_after(code) & set(HEAVY)
    assert not heavy, f"scoring loads {sorted(heavy)}"
