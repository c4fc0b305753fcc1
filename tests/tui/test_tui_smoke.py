"""Runs tests/tui/smoke.sh: the app in a real terminal (tmux), keys in, screen text out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("smoke.sh")


@pytest.mark.skipif(shutil.which("tmux") is None or shutil.which("bash") is None, reason="needs tmux and bash")
def test_smoke_in_tmux():
    env = dict(os.environ, TRUSTINDEX=f"{sys.executable} -m trustindex")
    env.pop("NO_COLOR", None)
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("smoke: ok")
