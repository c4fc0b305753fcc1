"""Write outputs atomically, never over an input."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from ..errors import ConfigError


def write_output(text: str, output: str | None, inputs=()) -> None:
    """Write ``text`` to ``output`` (``-`` or None: stdout) via a temporary file and an atomic rename."""
    if output in (None, "-"):
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal or pipe that cannot encode the names: write UTF-8 bytes
            sys.stdout.flush()
            sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    target = Path(output)
    for source in inputs:
        if source is not None and target.exists() and Path(source).exists() and target.samefile(source):
            raise ConfigError("refusing to overwrite an input file", path=target, hint="choose another --output")
    if target.is_dir():
        raise ConfigError("is a folder, not a file", path=target, hint="give a file name to --output")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError("the output folder does not exist", path=target, hint=f"create {folder} first")
    try:
        handle, temporary = _create_temporary(folder, target.name)
    except OSError as exc:
        raise ConfigError(f"cannot write here: {exc.strerror}", path=target) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"cannot write: {exc.strerror}", path=target) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new file beside the target, created with mode 0666 less the umask (mkstemp would give 0600)."""
    while True:
        temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue
