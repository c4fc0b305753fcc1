"""Write outputs atomically, never over an input."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..errors import ConfigError


def write_output(text: str, output: str | None, inputs=()) -> None:
    """Write ``text`` to ``output`` (``-`` or None: stdout) via a temporary file and an atomic rename."""
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    for source in inputs:
        if source is not None and target.exists() and Path(source).exists() and target.samefile(source):
            raise ConfigError("refusing to overwrite an input file", path=target, hint="choose another --output")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError("the output folder does not exist", path=target, hint=f"create {folder} first")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
