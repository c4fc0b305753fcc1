"""Datasets and weights profiles: how names and paths resolve to them, the same in every command.

The one rule: a path (anything that exists, or looks like a path); else a name under ``./datasets`` or
``./weights`` of the current folder; else a shipped one. A name that a dataset's own file gives (its
``default_weights``) is looked for beside that file first, and a path there is relative to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ConfigError, did_you_mean
from .files import kind, resolved

DEFAULT_DATASET = "coexistence-regimes"
DEFAULT_WEIGHTS = "balanced"


def shipped_root() -> Path:
    """Where the shipped ``datasets/`` and ``weights/`` live: inside the wheel, or the source checkout."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "_shipped"
    return inside if inside.is_dir() else package.parent


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []


LOCAL = Path("datasets"), Path("weights")
"""Where the current folder's own datasets and profiles are found by name."""


def _dataset_folders(folder: Path) -> list[str]:
    from .dataset import is_dataset_folder

    return sorted(e.name for e in _entries(folder) if is_dataset_folder(Path(e.path)))


def _profiles(folder: Path) -> list[str]:
    return sorted(e.name[:-5] for e in _entries(folder) if e.name.endswith(".toml") and kind(Path(e.path)) == "file")


def dataset_names() -> list[str]:
    """The shipped datasets' names."""
    return _dataset_folders(shipped_root() / "datasets")


def weights_names() -> list[str]:
    """The shipped profiles' names."""
    return _profiles(shipped_root() / "weights")


def _local(folder: Path, shipped: Path) -> Path | None:
    """The current folder's ./datasets or ./weights, unless it is the shipped one (in the source checkout)."""
    try:
        return None if folder.resolve() == shipped.resolve() else folder
    except OSError:
        return folder


def local_dataset_names() -> list[str]:
    """The datasets under ./datasets of the current folder (not the shipped ones, seen from the checkout)."""
    folder = _local(LOCAL[0], shipped_root() / "datasets")
    return _dataset_folders(folder) if folder else []


def local_weights_names() -> list[str]:
    """The profiles under ./weights of the current folder (not the shipped ones, seen from the checkout)."""
    folder = _local(LOCAL[1], shipped_root() / "weights")
    return _profiles(folder) if folder else []


def is_shipped(path: str | Path) -> bool:
    """Whether ``path`` is an existing file of a shipped dataset or a shipped profile (through any link)."""
    if kind(Path(path)) != "file":
        return False
    real = Path(resolved(path))
    root = Path(resolved(shipped_root()))
    return real.parent.parent == root / "datasets" or (real.parent == root / "weights" and real.suffix == ".toml")


def _looks_like_path(text: str) -> bool:
    return any(sep in text for sep in ("/", "\\")) or text.endswith(".toml") or text.startswith(".")


def _exists(path: Path) -> bool:
    """Whether anything is at ``path``, a broken or looping link included."""
    return path.is_symlink() or kind(path) != "missing"


def resolve_dataset(name_or_path: str | None) -> Path:
    """The folder of a dataset: a path as given, else ./datasets/NAME, else the shipped NAME (None: the
    default); an unknown or empty name raises ConfigError."""
    from .dataset import is_dataset_folder

    if name_or_path == "":
        raise ConfigError("the dataset name is empty", hint="give a dataset's name or a folder")
    name_or_path = name_or_path or DEFAULT_DATASET
    if _exists(Path(name_or_path)) or _looks_like_path(name_or_path):
        return Path(name_or_path)
    for folder in (LOCAL[0] / name_or_path, shipped_root() / "datasets" / name_or_path):
        if is_dataset_folder(folder):
            return folder
    names = sorted({*local_dataset_names(), *dataset_names()})
    raise ConfigError(
        f"no dataset named {name_or_path!r} (here under ./datasets, or shipped)",
        hint=did_you_mean(name_or_path, names) or "known: " + ", ".join(names),
    )


def resolve_weights(name_or_path: str | None, near: Path | None = None) -> Path:
    """The file of a weights profile: a path as given (relative to ``near``, the folder of the file that names
    it, when one does), else NAME.toml beside that file, else ./weights/NAME.toml, else the shipped NAME
    (None: the default)."""
    if name_or_path == "":
        raise ConfigError("the weights profile name is empty", hint="give a profile's name or a file")
    name_or_path = name_or_path or DEFAULT_WEIGHTS
    base = near if near is not None else Path()
    if _looks_like_path(name_or_path) or _exists(base / name_or_path):
        return base / name_or_path
    places = ([near / f"{name_or_path}.toml"] if near is not None else []) + [
        LOCAL[1] / f"{name_or_path}.toml", shipped_root() / "weights" / f"{name_or_path}.toml"]  # fmt: skip
    for path in places:
        if kind(path) == "file":
            return path
    names = sorted({*local_weights_names(), *weights_names()})
    raise ConfigError(
        f"no weights profile named {name_or_path!r} (here under ./weights, or shipped)",
        hint=did_you_mean(name_or_path, names) or "known: " + ", ".join(names),
    )


def load_inputs(data: str | None, weights: str | None, year: int | None = None, meta: str | None = None):
    """The dataset (for ``year``; with ``meta``, the values file ``data`` and its indicator table) and the
    weights profile a command works on, by the one rule: the profile named, else the dataset's
    ``default_weights`` (an error at its line when there is no such profile), else the shipped default when it
    fits the dataset's framework, else equal weights and the defaults, with a notice."""
    from ..model import Weights
    from .dataset import load_dataset
    from .weights import load_weights

    dataset = load_dataset(resolve_dataset(data) if meta is None else Path(data), year, meta)
    if weights is not None:
        return dataset, load_weights(resolve_weights(weights))
    if dataset.default_weights:
        try:
            path = resolve_weights(dataset.default_weights, near=dataset.path)
        except ConfigError as exc:
            line, column = dataset.positions.at((), "default_weights")
            raise ConfigError(f"default_weights: {exc.message}", path=dataset.files[0], line=line, column=column,
                              hint=exc.hint) from None  # fmt: skip
        return dataset, load_weights(path)
    default = load_weights(resolve_weights(None))
    if default.framework and default.framework == dataset.framework.name:
        return dataset, default
    return dataset, Weights.equal(dataset)
