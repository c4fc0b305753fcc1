"""Reading files: every filesystem fault as an error naming the path, and a log of what was read.

Every loader reads through :func:`read_bytes`, which records the file's identity (device and inode) and its
resolved path; :func:`is_input` tells the writer (:mod:`trustindex.io.output`) whether a path is one of them,
whatever hard or symbolic link it is given by, so that no command writes over a file it read. The command line
starts each command with :func:`forget`.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

from ..errors import TrustIndexError

_LOCK = threading.Lock()
_READ: set[tuple[int, int]] = set()
_READ_PATHS: set[str] = set()
_FOLDERS: set[str] = set()


def forget() -> None:
    """Start a new log of files read (at the start of each command)."""
    with _LOCK:
        _READ.clear()
        _READ_PATHS.clear()
        _FOLDERS.clear()


def resolved(path: str | Path) -> str:
    """The absolute path with every symbolic link resolved, as far as it exists (no error on a loop)."""
    return os.path.realpath(os.path.abspath(path))


def record(path: Path, folder: bool = False) -> None:
    """Note that ``path`` was read; a ``folder`` protects every file in it (a dataset's folder)."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    with _LOCK:
        if folder:
            _FOLDERS.add(resolved(path))
            return
        if st is not None:
            _READ.add((st.st_dev, st.st_ino))
        _READ_PATHS.add(resolved(path))


def is_input(path: str | Path) -> bool:
    """Whether ``path`` names a file read by this command (by identity, or by its resolved path), or an
    existing file in a dataset folder it read."""
    real = resolved(path)
    try:
        st = os.stat(path)
    except OSError:
        st = None
    with _LOCK:
        if real in _READ_PATHS or (st is not None and (st.st_dev, st.st_ino) in _READ):
            return True
        return st is not None and os.path.dirname(real) in _FOLDERS


def fault(exc: OSError) -> str:
    """What an OSError says about a path, in words."""
    if exc.errno == errno.ELOOP:
        return "is a loop of symbolic links"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is a file, not a folder"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot read: {exc.strerror or exc}"


def read_bytes(path: Path, error: type[TrustIndexError]) -> bytes:
    """The bytes of the file at ``path``, recorded as read; a fault raises ``error`` naming the path."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        hint = "check the path or the name" if isinstance(exc, FileNotFoundError) else None
        raise error(fault(exc), path=path, hint=hint) from None
    record(path)
    return data


def kind(path: Path) -> str:
    """``file``, ``folder``, ``missing``, or a fault in words (a loop, a permission): never raises."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return "missing" if isinstance(exc, (FileNotFoundError, NotADirectoryError)) else fault(exc)
    import stat

    return "folder" if stat.S_ISDIR(st.st_mode) else "file"
