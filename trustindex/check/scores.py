"""The weights profiles a dataset is scored under, and how scores and ranks moved against the base."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, TrustIndexError, did_you_mean
from ..io.files import kind, resolved
from .findings import Collector


def profile_names(folder: Path) -> list[str]:
    """The names of the profiles beside the dataset in ``folder``."""
    return sorted(p.stem for p in weights_folder(folder).glob("*.toml"))


def weights_folder(folder: Path) -> Path:
    """The profiles beside a dataset: ``../../weights`` of ``datasets/NAME``, else the shipped ones."""
    real = Path(resolved(folder))
    if real.parent.name == "datasets" and kind(real.parent.parent / "weights") == "folder":
        return real.parent.parent / "weights"
    from ..io.registry import shipped_root

    return shipped_root() / "weights"


class Profiles:
    """Reads each weights profile once; a broken profile is reported once, with the first dataset."""

    def __init__(self):
        self._read: dict[Path, object] = {}
        self._reported: set[Path] = set()

    def read(self, path: Path, col: Collector):
        from ..io.weights import load_weights

        path = Path(resolved(path))
        if path not in self._read:
            try:
                self._read[path] = load_weights(path)
            except ConfigError as exc:
                self._read[path] = exc
        value = self._read[path]
        if isinstance(value, ConfigError):
            if path not in self._reported:
                self._reported.add(path)
                col.error(value, "profile")
            return None
        return value


def fitting(dataset, folder: Path, col: Collector, cache: Profiles) -> list:
    """The profiles of the dataset's framework (or named by the rules) that fit it, in name order."""
    from ..prepare import check_fit

    col.run("profile")
    rules = col.rules
    root = weights_folder(folder)
    paths = {p.stem: p for p in sorted(root.glob("*.toml"), key=lambda p: p.stem)}
    default = dataset.default_weights
    if default and default not in paths:
        toml = dataset.files[0]
        col.add("profile", f"default_weights names {default!r}, which is not a profile in {root}", toml,
                *dataset.positions.at((), "default_weights"), hint=did_you_mean(default, paths))  # fmt: skip
    out = []
    for name in rules.profiles or list(paths):
        if name not in paths:
            continue
        weights = cache.read(paths[name], col)
        if weights is None:
            continue
        framework = dataset.framework.name
        named = name == default or name in rules.profiles
        if not named and (not weights.framework or weights.framework != framework):
            continue
        try:
            check_fit(dataset, weights)
        except ConfigError as exc:
            col.error(exc, "profile")
            continue
        out.append(weights)
    return out


def chosen(profiles: list, dataset, rules):
    """The profile the audit and the uncertainty gate use: the rules', the dataset's default, balanced, or
    the first that fits."""
    by_name = {w.name: w for w in profiles}
    for name in (rules.audit_profile, dataset.default_weights, "balanced"):
        if name and name in by_name:
            return by_name[name]
    return profiles[0] if profiles else None


@dataclass(frozen=True)
class Move:
    """One entity's index score and rank in the base and now."""

    entity: str
    name: str
    base_rank: float
    rank: float
    base_score: float
    score: float

    @property
    def shift(self) -> float:
        """Places gained (positive) or lost (negative); NaN when unranked in either."""
        return self.base_rank - self.rank

    @property
    def change(self) -> float:
        return self.score - self.base_score


@dataclass(frozen=True)
class ProfileScores:
    """Scores and ranks under one profile, base against now."""

    profile: str
    digest: str
    base_digest: str
    year: int | None
    base_year: int | None
    moves: tuple[Move, ...]
    top: tuple[str, ...]
    base_top: tuple[str, ...]
    note: str = ""

    def largest_shift(self) -> Move | None:
        moves = [m for m in self.moves if not math.isnan(m.shift)]
        return max(moves, key=lambda m: (abs(m.shift), abs(m.change)), default=None)

    def largest_change(self) -> Move | None:
        moves = [m for m in self.moves if not math.isnan(m.change)]
        return max(moves, key=lambda m: abs(m.change), default=None)


def _top(result, k: int) -> tuple[str, ...]:
    ranks = result.rank(result.nodes[0])
    order = [i for i in result.order() if not math.isnan(ranks[i]) and ranks[i] <= k]
    return tuple(result.entities[i] for i in order)


def _rank(value: float) -> str:
    return "not ranked" if math.isnan(value) else f"{value:g}"


def compare_scores(result, base_result, table, id_column: str, col: Collector, note: str = "") -> ProfileScores:
    """Moves of every entity both have, with findings above the thresholds."""
    rules = col.rules
    col.run("rank-shift", "score-change", "top-change")
    profile = result.weights.name
    base = {e: i for i, e in enumerate(base_result.entities)}
    ranks, base_ranks = result.rank(result.nodes[0]), base_result.rank(base_result.nodes[0])
    scores, base_scores = result.index_scores(), base_result.index_scores()
    year = result.dataset.year
    moves = []
    for i, entity in enumerate(result.entities):
        if entity not in base:
            continue
        j = base[entity]
        move = Move(entity, result.dataset.names[i], float(base_ranks[j]), float(ranks[i]), float(base_scores[j]),
                    float(scores[i]))  # fmt: skip
        moves.append(move)
        row = table.find(entity, year)
        where = table.where(row, id_column) if row else (table.path,)
        lost = math.isnan(move.rank) != math.isnan(move.base_rank)
        if lost or abs(move.shift) > rules.max_rank_shift:
            col.add("rank-shift", f"{entity} ({move.name}) under {profile}: rank {_rank(move.base_rank)} → "
                    f"{_rank(move.rank)}" + ("" if lost else f" ({move.shift:+g} places, more than "
                    f"{rules.max_rank_shift})"), *where, entity=entity, profile=profile, base_rank=move.base_rank,
                    rank=move.rank)  # fmt: skip
        if abs(move.change) > rules.max_score_change:
            col.add("score-change", f"{entity} ({move.name}) under {profile}: index score {move.base_score:.1f} → "
                    f"{move.score:.1f} ({move.change:+.1f}, more than {rules.max_score_change:g})", *where,
                    entity=entity, profile=profile, base_score=move.base_score, score=move.score)  # fmt: skip
    top, base_top = _top(result, rules.top), _top(base_result, rules.top)
    if top != base_top:
        moved = next((e for e, b in zip(top, base_top, strict=False) if e != b), top[-1] if top else None)
        row = table.find(moved, year) if moved else None
        where = table.where(row, id_column) if row else (table.path,)
        names = dict(zip(base_result.entities, base_result.dataset.names, strict=True))
        names.update(zip(result.entities, result.dataset.names, strict=True))

        def listed(ids):
            return ", ".join(f"{e} {names[e]}" for e in ids) or "none"

        col.add("top-change", f"top {rules.top} under {profile}: {listed(base_top)} → {listed(top)}", *where,
                profile=profile, base=list(base_top), now=list(top))  # fmt: skip
    moves.sort(key=lambda m: (math.isnan(m.rank), m.rank, m.entity))
    return ProfileScores(profile, result.weights.digest, base_result.weights.digest, year,
                         base_result.dataset.year, tuple(moves), top, base_top, note)  # fmt: skip


def base_profile(weights, source, folder: Path, base_dataset):
    """The profile as it was at the base (its git version), else the current one; and a note."""
    from ..io.weights import load_weights
    from ..prepare import check_fit

    path = None if source is None or weights.path is None else source.profile(Path(weights.path))
    note = ""
    profile = weights
    if path is not None:
        try:
            profile = load_weights(path)
        except TrustIndexError as exc:
            note = f"the base version of {weights.name} does not read ({exc.message}): scored with the current one"
    elif source is not None and source.kind == "git":
        note = f"no version of {weights.name} at {source.label}: the base is scored with the current one"
    check_fit(base_dataset, profile)  # raises ConfigError when it does not fit the base
    return profile, note
