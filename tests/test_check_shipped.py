"""``trustindex check`` on the shipped datasets (what .ci/run gates on), the CI files, and import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_check_support import check_json, findings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped():
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return check_json()
    finally:
        os.chdir(here)


def test_every_shipped_dataset_passes(shipped):
    doc, result = shipped
    assert result.exit_code == 0, result.stdout
    names = sorted(p.name for p in (ROOT / "datasets").iterdir() if (p / "dataset.toml").is_file())
    assert sorted(d["name"] for d in doc["datasets"]) == names
    assert not findings(doc, severity="error")
    assert all(d["checks"]["failed"] == [] for d in doc["datasets"])


def test_what_the_shipped_datasets_warn_about(shipped):
    doc, _ = shipped
    warnings = {(d["name"], f["rule"]) for d in doc["datasets"] for f in d["findings"] if f["severity"] == "warning"}
    # Cronbach's alpha below 0.7 somewhere in every dataset; the United States lacks management and support
    # data in oecd-governance (13 of 23 indicators).
    assert {rule for _, rule in warnings} == {"alpha", "coverage"}
    [usa] = [f for d in doc["datasets"] for f in d["findings"] if f["rule"] == "coverage"]
    assert usa["entity"] == "USA" and usa["file"] == "datasets/oecd-governance/values.csv"


def test_the_workflow_and_the_hook():
    workflow = (ROOT / ".github" / "workflows" / "datasets.yml").read_text(encoding="utf-8")
    for needle in ("pull_request", "datasets/**", "weights/**", "fetch-depth: 0", "actions/setup-python",
                   "pip install .", "trustindex check --base"):  # fmt: skip
        assert needle in workflow
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "id: trustindex-check" in hooks and "entry: trustindex check" in hooks
    assert "trustindex check" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _modules(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    ["trustindex.check", "trustindex.check.run", "trustindex.check.gates", "trustindex.check.baseline",
     "trustindex.check.compare", "trustindex.check.scores", "trustindex.check.validate", "trustindex.reports.check"],
)  # fmt: skip
def test_the_check_core_imports_nothing_heavy(module):
    assert not _modules(f"import {module}") & {"textual", "rich", "scipy"}


def test_check_help_loads_no_numpy():
    code = (
        "from trustindex.cli import cli\ntry:\n    cli.main(['check', '--help'], prog_name='trustindex')\n"
        "except SystemExit as exit:\n    assert exit.code in (0, None)\n"
    )
    assert not _modules(code) & {"numpy", "scipy", "textual", "rich"}
