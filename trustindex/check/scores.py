"""The weights profiles a dataset is scored under, and how scores and ranks moved against the base."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, TrustIndexError
from ..io.files import kind, resolved
from .findings import Collector


def profile_paths(folder: Path) -> dict[str, Path]:
    """The profiles a dataset in ``folder`` may be scored under, by name: those in ``../../weights`` of
    ``datasets/NAME``, in ./weights and the shipped ones (the first place of a name wins)."""
    from ..io.registry import LOCAL, shipped_root

    real = Path(resolved(folder))
    places = [real.parent.parent / "weights"] if real.parent.name == "datasets" else []
    out: dict[str, Path] = {}
    for place in (*places, LOCAL[1], shipped_root() / "weights"):
        if kind(place) == "folder":
            for path in sorted(place.glob("*.toml")):
                out.setdefault(path.stem, path)
    return out


class Profiles:
    """Reads each weights profile once (a broken one is reported once, with the first dataset); ``named``: the
    profiles given on the command line, which replace the ones found."""

    def __init__(self, named: tuple[Path, ...] = ()):
        self.named = {Path(p).stem: Path(p) for p in named}
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


def fitting(dataset, folder: Path, col: Collector, cache: Profiles) -> tuple[list, str]:
    """The profiles the dataset is scored under, in name order, and a note: those named (on the command line,
    else by the rules) and the dataset's ``default_weights``, else every profile of its framework that fits,
    else equal weights and the defaults."""
    from ..io.registry import resolve_weights
    from ..model import Weights
    from ..prepare import check_fit

    col.run("profile")
    rules = col.rules
    paths = dict(cache.named) or profile_paths(folder)
    named = set(cache.named) or set(rules.profiles)
    if dataset.default_weights and not cache.named:
        try:
            own = resolve_weights(dataset.default_weights, near=dataset.path)
            if Path(own).parent != Path(dataset.path):  # not beside the dataset: the repository's profile first
                own = paths.get(own.stem, own)
            paths[own.stem] = own
            named.add(own.stem)
        except ConfigError as exc:
            col.add("profile", f"default_weights: {exc.message}", dataset.files[0],
                    *dataset.positions.at((), "default_weights"), hint=exc.hint)  # fmt: skip
    out = []
    for name in sorted(paths):
        if rules.profiles and not cache.named and name not in named:
            continue
        weights = cache.read(paths[name], col)
        if weights is None:
            continue
        if name not in named and (not weights.framework or weights.framework != dataset.framework.name):
            continue
        try:
            check_fit(dataset, weights)
        except ConfigError as exc:
            col.error(exc, "profile")
            continue
        out.append(weights)
    if out or named:
        return out, "" if out else "no weights profile named fits: not scored"
    return [Weights.equal(dataset)], (f"no weights profile of framework {dataset.framework.name!r} fits: scored "
                                      "with equal weights and the defaults")  # fmt: skip


def chosen(profiles: list, dataset, rules):
    """The profile the audit and the uncertainty gate use: the rules', the dataset's default, balanced, or
    the first that fits."""
    by_name = {w.name: w for w in profiles}
    default = Path(dataset.default_weights).stem if dataset.default_weights else None
    for name in (rules.audit_profile, default, "balanced"):
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
