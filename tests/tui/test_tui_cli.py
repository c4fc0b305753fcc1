"""``trustindex tui`` on the command line: help, and errors reported before any screen is drawn."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from trustindex.cli import cli


def test_help_has_examples():
    run = CliRunner().invoke(cli, ["tui", "--help"])
    assert run.exit_code == 0
    assert "Examples:" in run.output and "--weights" in run.output and "--year" in run.output


def test_an_unknown_dataset_is_a_one_line_error():
    run = CliRunner().invoke(cli, ["tui", "--data", "nowhere"])
    assert run.exit_code == 2  # an unknown name is a usage error
    assert run.stderr.startswith("trustindex: error: no dataset named 'nowhere'")


def test_a_profile_for_another_framework_is_refused():
    run = CliRunner().invoke(cli, ["tui", "--data", "jp-prefectures", "--weights", "balanced"])
    assert run.exit_code == 2
    assert "framework" in run.stderr


def test_the_command_line_does_not_load_textual():
    code = "import sys\nfrom trustindex.cli import cli\nprint('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_pure_state_modules_do_not_load_textual():
    code = "import sys\nimport trustindex.tui.state, trustindex.tui.profile\nprint('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
