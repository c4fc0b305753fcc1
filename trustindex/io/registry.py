"""Shipped datasets and weights profiles, and how names and paths resolve to them."""

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


def dataset_names() -> list[str]:
    folder = shipped_root() / "datasets"
    return sorted(e.name for e in _entries(folder) if kind(Path(e.path) / "dataset.toml") == "file")


def weights_names() -> list[str]:
    folder = shipped_root() / "weights"
    return sorted(e.name[:-5] for e in _entries(folder) if e.name.endswith(".toml") and kind(Path(e.path)) == "file")


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
    """The folder of a shipped dataset by name, or the given path (None: the default); an unknown or empty name
    raises ConfigError."""
    if name_or_path == "":
        raise ConfigError("the dataset name is empty", hint="give a shipped dataset's name or a folder")
    name_or_path = name_or_path or DEFAULT_DATASET
    if _exists(Path(name_or_path)) or _looks_like_path(name_or_path):
        return Path(name_or_path)
    folder = shipped_root() / "datasets" / name_or_path
    if kind(folder / "dataset.toml") == "file":
        return folder
    names = dataset_names()
    raise ConfigError(
        f"no dataset named {name_or_path!r}",
        hint=did_you_mean(name_or_path, names) or "shipped: " + ", ".join(names),
    )


def resolve_weights(name_or_path: str | None) -> Path:
    """The file of a shipped weights profile by name, or the given path (None: the default)."""
    if name_or_path == "":
        raise ConfigError("the weights profile name is empty", hint="give a shipped profile's name or a file")
    name_or_path = name_or_path or DEFAULT_WEIGHTS
    if _exists(Path(name_or_path)) or _looks_like_path(name_or_path):
        return Path(name_or_path)
    path = shipped_root() / "weights" / f"{name_or_path}.toml"
    if kind(path) == "file":
        return path
    names = weights_names()
    raise ConfigError(
        f"no weights profile named {name_or_path!r}",
        hint=did_you_mean(name_or_path, names) or "shipped: " + ", ".join(names),
    )
