"""The one way trustindex writes a file: atomically, never over an input, with nothing left behind.

:func:`write_file` writes to a temporary file in the target's folder, flushes it to disk (fsync), gives it the
target's permissions (a new file: 0666 less the umask), and renames it over the target, so a reader sees the
old file or the new one, never a part. A temporary file is named ``.NAME.trustindex-PID-XXXXXXXX.tmp``: when a
process is killed before its rename, the next write to the same folder removes the temporaries of processes
that no longer run. A symbolic link is written through (the link stays, the file it points at is replaced).

:func:`write_output` is what commands call: stdout for ``-``, else :func:`write_file` refusing every file the
command read (:mod:`trustindex.io.files`) and every shipped dataset or profile.

:func:`write_folder` writes a new folder the same way: its files are written (each by :func:`write_file`) into a
temporary folder beside it, which is checked and then renamed to the target, so the folder appears whole or not
at all, and never over anything that exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import ConfigError
from .files import fault, is_input, kind, resolved

STALE_AFTER = 24 * 3600
"""Seconds after which a temporary file is removed even if its process id is in use again."""
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.trustindex-(?P<pid>\d+)-[0-9a-f]{8}\.tmp")
_EARLIER = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.tmp")
"""How the earlier writers named their temporary files: without a process id, so removed only beside their
own target, and only when an hour old."""


def write_output(text: str, output: str | None, protect=()) -> None:
    """Write ``text`` to ``output`` (``-`` or None: stdout); refuse any file read by this command, any shipped
    file and the paths in ``protect``."""
    if output in (None, "-"):
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal or pipe that cannot encode the names: write UTF-8 bytes
            sys.stdout.flush()
            sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return
    write_file(output, text, protect=protect, inputs=True)


def refuse_input(target: str | Path, protect=(), inputs: bool = True, what: str = "--output") -> None:
    """Raise ConfigError when ``target`` is a file that must not be written: one that was read (``inputs``),
    a shipped dataset file or profile, or one of ``protect`` (by path or identity, through any link)."""
    from .registry import is_shipped

    if inputs and is_input(target):
        raise ConfigError("refusing to overwrite an input file", path=target, hint=f"choose another {what}")
    if is_shipped(target):
        raise ConfigError("refusing to overwrite a shipped file", path=target, hint=f"choose another {what}")
    for path in protect:
        if path is not None and _same(target, path):
            raise ConfigError("refusing to overwrite an input file", path=target, hint=f"choose another {what}")


def check_target(target: str | Path, protect=(), inputs: bool = True, what: str = "--output") -> Path:
    """The file a write to ``target`` would replace (links followed); ConfigError when it must not be written
    (see :func:`refuse_input`) or cannot be: a loop of links, a folder, a missing folder. Writes nothing, so a
    command can ask before its work."""
    given = Path(target)
    refuse_input(given, protect, inputs, what)
    real = Path(resolved(given))
    if given.is_symlink() and kind(real) != "missing" and kind(real) not in ("file", "folder"):
        raise ConfigError(kind(real), path=given, hint=f"choose another {what}")
    if kind(real) == "folder":
        raise ConfigError("is a folder, not a file", path=given, hint=f"give a file name to {what}")
    folder = kind(real.parent)
    if folder != "folder":
        problem = {"missing": "the folder does not exist", "file": "a part of the path is a file, not a folder"}
        hint = f"create {real.parent} first" if folder == "missing" else None
        raise ConfigError(problem.get(folder, folder), path=given, hint=hint)
    return real


def _same(a, b) -> bool:
    if resolved(a) == resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_file(target: str | Path, data: str | bytes, protect=(), inputs: bool = False,
               verify: Callable[[Path], None] | None = None, what: str = "--output") -> None:  # fmt: skip
    """Replace ``target`` by ``data`` atomically (see the module docstring).

    Refuses (ConfigError, exit 2) the paths of ``protect``, with ``inputs`` also every file read by this command,
    and always a shipped file. ``verify(temporary)`` may check the written file before it replaces the target
    (it raises to stop). Faults (a missing folder, a folder where the file should be) raise ConfigError.
    """
    given = Path(target)
    real = check_target(given, protect, inputs, what)
    folder = real.parent
    payload = data.encode("utf-8") if isinstance(data, str) else data
    clean_temporaries(folder, real.name)
    try:
        mode = os.stat(real).st_mode & 0o7777
    except OSError:
        mode = None
    try:
        handle, temporary = _create_temporary(folder, real.name)
    except OSError as exc:
        raise ConfigError(f"cannot write here: {exc.strerror}", path=given) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            if mode is not None:
                os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
        if verify is not None:
            verify(temporary)
        os.replace(temporary, real)
        _sync_folder(folder)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write: {exc.strerror or fault(exc)}", path=given) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def append_file(target: str | Path, text: str, protect=(), what: str = "the file") -> None:
    """Append ``text`` to ``target`` (created if missing) by writing the whole new file atomically."""
    path = Path(target)
    check_target(path, protect, True, what)
    old = b""
    if kind(path) == "file":
        try:
            old = path.read_bytes()
        except OSError as exc:
            raise ConfigError(fault(exc), path=path) from None
    write_file(path, old + text.encode("utf-8"), protect=protect, inputs=True, what=what)


def write_folder(target: str | Path, files: dict[str, str | bytes], verify: Callable[[Path], None] | None = None,
                 what: str = "DIR") -> Path:  # fmt: skip
    """Create the folder ``target`` holding ``files`` (name → content), atomically: nothing is written when
    ``target`` exists (ConfigError, exit 2), when its parent does not, or when ``verify(temporary folder)``
    raises; a process killed on the way leaves a temporary folder the next write removes. The folder's path."""
    given = Path(target)
    if given.is_symlink() or kind(given) != "missing":
        raise ConfigError("refusing to overwrite: it exists", path=given, hint=f"choose a new {what}")
    parent = Path(resolved(given)).parent
    if kind(parent) != "folder":
        hint = f"create {parent} first" if kind(parent) == "missing" else None
        raise ConfigError("the folder it goes in does not exist", path=given, hint=hint)
    clean_temporaries(parent)
    while True:
        temporary = parent / f".{given.name}.trustindex-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            os.mkdir(temporary)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot write here: {exc.strerror}", path=given) from None
    try:
        for name, content in files.items():
            write_file(temporary / name, content, what=what)
        if verify is not None:
            verify(temporary)
        if given.is_symlink() or kind(given) != "missing":  # appeared meanwhile: still never over it
            raise ConfigError("refusing to overwrite: it exists", path=given, hint=f"choose a new {what}")
        os.rename(temporary, Path(resolved(given)))
        _sync_folder(parent)
    except OSError as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        raise ConfigError(f"cannot write: {exc.strerror or fault(exc)}", path=given) from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return given


def clean_temporaries(folder: Path, target: str | None = None) -> None:
    """Remove the temporary files (and folders) of writers in ``folder`` that were killed (their process is
    gone), and those an earlier version left beside ``target``."""
    try:
        entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in os.scandir(folder) if e.name.endswith(".tmp")]
    except OSError:
        return
    now = time.time()
    for name, is_folder in entries:
        path = folder / name
        with contextlib.suppress(OSError):
            if _stale(path, now, target):
                if is_folder:
                    if _TEMPORARY.fullmatch(name):
                        shutil.rmtree(path)
                else:
                    path.unlink()


def _stale(path: Path, now: float, target: str | None) -> bool:
    """Whether ``path`` is a temporary file left by a writer that is gone (see :func:`clean_temporaries`)."""
    match = _TEMPORARY.fullmatch(path.name)
    if match is not None:
        return not running(int(match["pid"])) or now - path.lstat().st_mtime > STALE_AFTER
    earlier = _EARLIER.fullmatch(path.name)
    return earlier is not None and earlier["name"] == target and now - path.lstat().st_mtime > 3600


def running(pid: int) -> bool:
    """Whether process ``pid`` is alive (this one is)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _create_temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new file beside the target, created with mode 0666 less the umask (mkstemp would give 0600)."""
    while True:
        temporary = folder / f".{name}.trustindex-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk (where folders can be opened)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
