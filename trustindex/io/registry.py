"""Shipped datasets and weights profiles, and how names and paths resolve to them."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, DataError, did_you_mean

DEFAULT_DATASET = "coexistence-regimes"
DEFAULT_WEIGHTS = "balanced"


def shipped_root() -> Path:
    """Where the shipped ``datasets/`` and ``weights/`` live: inside the wheel, or the source checkout."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "_shipped"
    return inside if inside.is_dir() else package.parent


def dataset_names() -> list[str]:
    folder = shipped_root() / "datasets"
    return sorted(p.name for p in folder.iterdir() if (p / "dataset.toml").is_file()) if folder.is_dir() else []


def weights_names() -> list[str]:
    folder = shipped_root() / "weights"
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def _looks_like_path(text: str) -> bool:
    return any(sep in text for sep in ("/", "\\")) or text.endswith(".toml") or text.startswith(".")


def resolve_dataset(name_or_path: str | None) -> Path:
    """The folder of a shipped dataset by name, or the given path."""
    name_or_path = name_or_path or DEFAULT_DATASET
    if Path(name_or_path).exists() or _looks_like_path(name_or_path):
        return Path(name_or_path)
    folder = shipped_root() / "datasets" / name_or_path
    if (folder / "dataset.toml").is_file():
        return folder
    names = dataset_names()
    raise DataError(
        f"no dataset named {name_or_path!r}",
        hint=did_you_mean(name_or_path, names) or "shipped: " + ", ".join(names),
    )


def resolve_weights(name_or_path: str | None) -> Path:
    """The file of a shipped weights profile by name, or the given path."""
    name_or_path = name_or_path or DEFAULT_WEIGHTS
    if Path(name_or_path).exists() or _looks_like_path(name_or_path):
        return Path(name_or_path)
    path = shipped_root() / "weights" / f"{name_or_path}.toml"
    if path.is_file():
        return path
    names = weights_names()
    raise ConfigError(
        f"no weights profile named {name_or_path!r}",
        hint=did_you_mean(name_or_path, names) or "shipped: " + ", ".join(names),
    )
