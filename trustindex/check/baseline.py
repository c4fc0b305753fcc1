"""What a dataset is compared with: the same dataset at a git revision, or a file; and temporary copies.

A git base is read through git (``git show REV:./FILE`` in the dataset's folder) into a temporary folder,
so the working tree is never touched. A file base is a dataset folder, its ``dataset.toml``, or a values
CSV: a CSV is read with the current ``dataset.toml``, whose ``years`` are set to the years the CSV has.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, DataError
from ..io.dataset import Metadata
from ..io.files import kind, read_bytes
from ..io.numbers import YEAR
from ..io.output import write_file
from ..io.table import read_csv

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Base:
    """The base of one dataset."""

    label: str
    """``origin/main`` or the path given to --base-file."""
    kind: str
    """``git`` or ``file``."""
    folder: Path | None
    """A dataset folder to read it from; None when the dataset has no base (new at that revision)."""
    values: Path | None
    note: str = ""


def _files(toml_text: bytes) -> list[str]:
    """The values and notes files a dataset.toml names (defaults when it cannot be parsed)."""
    try:
        data = tomllib.loads(toml_text.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return ["values.csv"]
    names = [data.get("values", "values.csv")]
    if isinstance(data.get("notes"), str):
        names.append(data["notes"])
    return [n for n in names if isinstance(n, str)]


class GitBase:
    """The datasets and weights profiles as they were at revision ``rev``."""

    kind = "git"

    def __init__(self, rev: str, workdir: Path):
        self.rev, self.workdir, self._verified = rev, workdir, set()

    @property
    def label(self) -> str:
        return self.rev

    def _git(self, folder: Path, *args: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
        except FileNotFoundError:
            raise ConfigError("--base needs git, which is not installed", hint="use --base-file") from None

    def verify(self, folder: Path) -> None:
        top = self._git(folder, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            raise ConfigError(f"{folder} is not in a git repository: --base cannot read it", hint="use --base-file")
        if top.stdout in self._verified:
            return
        if self._git(folder, "rev-parse", "--verify", "--quiet", f"{self.rev}^{{commit}}").returncode != 0:
            raise ConfigError(f"unknown git revision {self.rev!r}",
                              hint="check the name; in CI, check out with fetch-depth: 0")  # fmt: skip
        self._verified.add(top.stdout)

    def show(self, folder: Path, name: str) -> bytes | None:
        """The file ``name`` of ``folder`` at the revision, or None when it did not exist there."""
        self.verify(folder)
        done = self._git(folder, "show", "--no-textconv", f"{self.rev}:./{name}")
        return done.stdout if done.returncode == 0 else None

    def dataset(self, folder: Path, meta: Metadata) -> Base:
        toml = self.show(folder, meta.doc.path.name)
        if toml is None:
            return Base(self.rev, self.kind, None, None, f"no dataset here at {self.rev}: a new dataset")
        staged = _fresh(self.workdir / "base" / folder.name)
        _stage(staged, meta.doc.path.name, toml)
        names = _files(toml)
        for name in names:
            content = self.show(folder, name)
            if content is not None:
                _stage(staged, name, content)
        return Base(self.rev, self.kind, staged, staged / names[0])

    def profile(self, path: Path) -> Path | None:
        """The weights profile at ``path`` as it was at the revision (None if it did not exist or is not in git)."""
        try:
            content = self.show(path.parent, path.name)
        except ConfigError:
            return None
        if content is None:
            return None
        return _stage(self.workdir / "weights", path.name, content)


class FileBase:
    """A base given as a file: a dataset folder, its dataset.toml, or a values CSV."""

    kind = "file"

    def __init__(self, path: Path, workdir: Path):
        self.path, self.workdir = Path(path), workdir
        what = kind(self.path)
        if what == "missing":
            raise DataError("no such file or folder", path=self.path, hint="check --base-file")
        if what not in ("file", "folder"):
            raise DataError(what, path=self.path, hint="check --base-file")

    @property
    def label(self) -> str:
        return str(self.path)

    def dataset(self, folder: Path, meta: Metadata) -> Base:
        path = self.path
        if kind(path) == "folder" or path.suffix == ".toml":
            toml = path / "dataset.toml" if kind(path) == "folder" else path
            if kind(toml) != "file":
                raise DataError("no dataset.toml here", path=path, hint="give a dataset folder or a values CSV")
            return Base(str(path), self.kind, toml.parent, toml.parent / _files(read_bytes(toml, DataError))[0])
        staged = _fresh(self.workdir / "base" / folder.name)
        _stage(staged, "values.csv", read_bytes(path, DataError))
        years = _years(path, meta)
        _stage(staged, "dataset.toml", _retarget(meta, years).encode("utf-8"))
        note = f"read with the current {meta.doc.path.name}"
        return Base(str(path), self.kind, staged, staged / "values.csv", note)

    def profile(self, path: Path) -> Path | None:
        return None


def _years(path: Path, meta: Metadata) -> list[int] | None:
    """The years a values CSV has, for a panel whose dataset.toml declares its years; else None."""
    if meta.year_column is None or "years" not in meta.doc.data:
        return None
    try:
        rows = read_csv(path)
    except DataError:
        return None
    header = [h.strip() for h in rows[0].fields] if rows else []
    if meta.year_column not in header:
        return None
    j = header.index(meta.year_column)
    years = {r.fields[j].strip() for r in rows[1:] if len(r.fields) > j}
    return sorted(int(y) for y in years if YEAR.fullmatch(y))


def _retarget(meta: Metadata, years: list[int] | None, values: str = "values.csv") -> str:
    """The text of the dataset.toml of ``meta`` reading ``values``, without notes, with ``years`` when given
    (comments kept)."""
    import tomlkit

    doc = tomlkit.parse(meta.doc.positions.text)
    doc["values"] = values
    doc.pop("notes", None)
    if years is not None:
        doc["years"] = years
    return tomlkit.dumps(doc)


def _stage(folder: Path, name: str, content: bytes) -> Path | None:
    """Write ``content`` as ``folder/name`` (a staged copy); a name that leads out of ``folder`` is skipped."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, content)
    return target


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def without_columns(meta: Metadata, table, workdir: Path) -> Path:
    """A copy of the dataset without the undeclared columns the rules allow, for scoring."""
    import csv
    import io

    folder = meta.doc.path.parent
    staged = workdir / "current" / folder.name
    if staged.exists():
        shutil.rmtree(staged)
    for file in sorted(p for p in folder.rglob("*") if kind(p) == "file"):
        _stage(staged, str(file.relative_to(folder)), read_bytes(file, DataError))
    drop = {table.position[name] for name in table.extra}
    rows = [[f for j, f in enumerate(table.header) if j not in drop]]
    rows += [[f for j, f in enumerate(row.fields) if j not in drop] for row in table.rows]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    _stage(staged, str(meta.values_path.relative_to(folder)), text.getvalue().encode("utf-8"))
    return staged
