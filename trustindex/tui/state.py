"""The TUI's state as frozen values, and the pure transitions between them (no textual here).

:class:`WeightState` holds the weight of every pillar and indicator, the weights as loaded and the
locks. Every edit is a function ``WeightState -> WeightState`` that either returns a new state or
raises :class:`StateError` with a message for the user; nothing is mutated, so Textual can compare
states with ``!=`` and a test can check a transition without a terminal.

Weights are relative within their group (the children of one node), as in a profile. A **locked**
weight keeps its *share* of its group: when a sibling changes, the locked weights are rescaled so
that their shares stay put and the unlocked weights absorb the change. **Normalise** rescales a group
to sum to 1, which changes no share and so no score. **Reset** goes back to the loaded profile.

:class:`Scorer` re-scores a state with the batch :class:`~trustindex.engine.Engine` (normalisation
computed once, one matrix product per aggregation step) and returns a :class:`Ranking`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..engine import Engine
from ..model import Dataset, Weights, frozen_map, readonly
from ..ranking import rank_scores


class StateError(ValueError):
    """A transition the state refuses, with a message meant for the user."""


LOCKED_DIGITS = 6
"""Significant digits of a locked weight rescaled to keep its share (what a save then writes)."""


def clean(value: float, digits: int = 12) -> float:
    """``value`` to 12 (or ``digits``) significant digits, so stepping 1.0 by 0.1 three times gives 1.3, not
    1.3000000000000003."""
    return float(f"{value:.{digits}g}")


@dataclass(frozen=True)
class WeightState:
    """Weights of every node below the index, in framework order, with the loaded values and the locks."""

    nodes: tuple[str, ...]
    parents: tuple[str, ...]
    values: tuple[float, ...]
    loaded: tuple[float, ...]
    locked: frozenset[str] = frozenset()
    _position: Mapping[str, int] = field(default_factory=frozen_map, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_position", frozen_map({n: i for i, n in enumerate(self.nodes)}))

    @classmethod
    def from_profile(cls, dataset: Dataset, profile: Weights) -> WeightState:
        """The weights ``profile`` gives every node of ``dataset`` (its dataset-specific weights merged in)."""
        framework = dataset.framework
        merged = profile.for_dataset(dataset.name, dataset.weights)
        nodes = framework.node_ids[1:]
        values = tuple(merged.weight(n) for n in nodes)
        return cls(nodes, tuple(framework.parent(n) for n in nodes), values, values)

    # --- reading ------------------------------------------------------------------------------------

    def weight(self, node: str) -> float:
        return self.values[self._position[node]]

    def loaded_weight(self, node: str) -> float:
        return self.loaded[self._position[node]]

    def group(self, node: str) -> tuple[str, ...]:
        """``node`` and its siblings, in framework order."""
        parent = self.parents[self._position[node]]
        return tuple(n for n, p in zip(self.nodes, self.parents, strict=True) if p == parent)

    def children(self, parent: str) -> tuple[str, ...]:
        return tuple(n for n, p in zip(self.nodes, self.parents, strict=True) if p == parent)

    def share(self, node: str) -> float:
        """``node``'s share of its group's weight."""
        totals = self.__dict__.get("_totals")
        if totals is None:  # computed once per state: the TUI asks for every visible share on every key
            totals = {}
            for parent, value in zip(self.parents, self.values, strict=True):
                totals[parent] = totals.get(parent, 0.0) + value
            object.__setattr__(self, "_totals", totals)
        total = totals[self.parents[self._position[node]]]
        return self.weight(node) / total if total > 0 else 0.0

    @property
    def dirty(self) -> bool:
        """True when some weight differs from the loaded profile."""
        return self.values != self.loaded

    def changed(self) -> tuple[str, ...]:
        return tuple(n for n, v, w in zip(self.nodes, self.values, self.loaded, strict=True) if v != w)

    def mapping(self) -> dict[str, float]:
        return dict(zip(self.nodes, self.values, strict=True))

    def vector(self, nodes: tuple[str, ...]) -> np.ndarray:
        """Weights in the order of ``nodes`` (an engine's nodes: the index first, weight 1)."""
        return np.array([1.0 if i == 0 else self.weight(n) for i, n in enumerate(nodes)])

    def profile(self, base: Weights, dataset: Dataset) -> Weights:
        """``base`` (its methods, ties, thresholds) with these weights: what the pipeline scores."""
        merged = base.for_dataset(dataset.name, dataset.weights)
        return replace(merged, weights=frozen_map(self.mapping()), datasets=frozen_map())

    # --- transitions --------------------------------------------------------------------------------

    def set(self, node: str, value: float) -> WeightState:
        """``node`` at ``value``; locked siblings keep their shares, the unlocked ones keep their weights."""
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise StateError(f"a weight is a number of 0 or more, not {value!r}")
        if node in self.locked:
            raise StateError(f"{node} is locked: unlock it first")
        value = clean(value)
        values = self.mapping()
        group = self.group(node)
        held = [s for s in group if s in self.locked and s != node]
        if held and len(held) == len(group) - 1:
            raise StateError(f"every other weight beside {node} is locked: its share cannot change")
        if held:
            total = sum(values[s] for s in group)
            shares = {s: values[s] / total for s in held}
            kept = sum(shares.values())
            free = value + sum(values[s] for s in group if s not in held and s != node)
            if kept >= 1 - 1e-12:  # the unlocked siblings all weigh 0: they cannot absorb the change
                raise StateError(f"the unlocked weights beside {node} are all 0: unlock one to change it")
            scale = free / (1 - kept)
            for s in held:  # six digits, as people write weights: the share holds to a millionth
                values[s] = clean(shares[s] * scale, LOCKED_DIGITS)
        values[node] = value
        if not any(values[s] > 0 for s in group):
            parent = self.parents[self._position[node]]
            raise StateError(f"at least one weight under {parent} must stay above 0")
        return replace(self, values=tuple(values[n] for n in self.nodes))

    def step(self, node: str, steps: float, size: float) -> WeightState:
        """``node`` moved by ``steps`` steps of ``size`` (never below 0)."""
        return self.set(node, max(0.0, self.weight(node) + steps * size))

    def toggle_lock(self, node: str) -> WeightState:
        return replace(self, locked=self.locked ^ {node})

    def reset(self, node: str | None = None) -> WeightState:
        """Every weight (and no lock) as loaded, or one weight as loaded."""
        if node is None:
            return replace(self, values=self.loaded, locked=frozenset())
        return self.set(node, self.loaded_weight(node))

    def normalise(self, parent: str | None = None, digits: int = 12) -> WeightState:
        """Rescale the children of ``parent`` (every group when None) to sum to 1: no share, no score changes.

        With fewer ``digits`` (significant), each weight is rounded: equal weights stay equal, the group sums to
        1 within the rounding, and shares move by at most half a unit of the last digit kept.
        """
        values = self.mapping()
        parents = set(self.parents) if parent is None else {parent}
        for p in parents:
            group = self.children(p)
            total = sum(values[n] for n in group)
            if total > 0:
                for n in group:
                    values[n] = clean(values[n] / total, digits)
        return replace(self, values=tuple(values[n] for n in self.nodes))

    def apply(self, weights: Mapping[str, float]) -> WeightState:
        """Every weight from ``weights`` (unlisted: 1), as when a preset is chosen; locks are cleared."""
        values = tuple(clean(float(weights.get(n, 1.0))) for n in self.nodes)
        return replace(self, values=values, locked=frozenset())

    def committed(self) -> WeightState:
        """This state with its weights as the new loaded profile (after a save)."""
        return replace(self, loaded=self.values)


@dataclass(frozen=True, eq=False)
class Ranking:
    """Every entity's score at every node and its index rank under one :class:`WeightState`.

    Equality is the scorer and the state, never the arrays (Textual compares reactive values with ``!=``).
    """

    scorer: Scorer
    state: WeightState
    scores: np.ndarray
    """Entities × nodes, the engine's node order (the index first)."""
    rank: np.ndarray
    """Index rank of each entity (NaN: unranked)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ranking) and other.scorer is self.scorer and other.state == self.state

    def __hash__(self) -> int:
        return hash((id(self.scorer), self.state))

    @property
    def entities(self) -> tuple[str, ...]:
        return self.scorer.entities

    def change(self) -> np.ndarray:
        """Places gained against the loaded profile (positive: moved up), NaN where either is unranked."""
        return self.scorer.baseline.rank - self.rank

    def index_scores(self) -> np.ndarray:
        return self.scores[:, 0]


class Scorer:
    """Scores weight states of one dataset and profile with the batch engine (one run per call)."""

    def __init__(self, dataset: Dataset, profile: Weights):
        self.engine = Engine(dataset, profile)
        self.variant = self.engine.nominal_variant()
        self.ties = profile.ties
        self.dataset = self.engine.dataset
        """The dataset as scored: entities left out by screening are not in it."""
        self.nodes = self.engine.nodes
        self.column = {n: j for j, n in enumerate(self.nodes)}
        self.baseline = self.rank(WeightState.from_profile(dataset, profile))

    @property
    def entities(self) -> tuple[str, ...]:
        return self.engine.entities

    def rank(self, state: WeightState) -> Ranking:
        scores = self.engine.node_scores(state.vector(self.nodes), self.variant).scores[0]
        ranks = rank_scores(scores[:, 0], self.ties)
        return Ranking(self, state, readonly(scores, copy=False), readonly(ranks, copy=False))

    def rebase(self, state: WeightState) -> None:
        """Rank changes are counted from ``state`` from now on (after a save)."""
        self.baseline = self.rank(state)


@dataclass(frozen=True, eq=False)
class Session:
    """A loaded dataset and weights profile, and how they were named (to open them again, or save)."""

    dataset: Dataset
    profile: Weights
    data_ref: str | None = None
    weights_ref: str | None = None
    year: int | None = None
    meta_ref: str | None = None

    @classmethod
    def load(cls, data: str | None = None, weights: str | None = None, year: int | None = None,
             meta: str | None = None) -> Session:  # fmt: skip
        """The dataset and profile by the one rule of every command (:func:`trustindex.io.registry.load_inputs`;
        with ``meta``, the values file ``data`` and its indicator table); TrustIndexError when they do not fit."""
        from ..io.registry import load_inputs
        from ..prepare import check_fit

        dataset, profile = load_inputs(data, weights, year, meta)
        check_fit(dataset, profile)
        return cls(dataset, profile, data, weights, year, meta)

    @property
    def shipped(self) -> bool:
        """True when the profile is one of the shipped ones (saving then defaults to a new file)."""
        from ..io.registry import shipped_root

        if self.profile.path is None:
            return True
        folder = (shipped_root() / "weights").resolve()
        return Path(self.profile.path).resolve().parent == folder

    def save_target(self) -> Path:
        """Where saving goes by default: the profile itself, or a new file here for a shipped profile."""
        if self.shipped or self.profile.path is None:
            return Path.cwd() / f"{self.profile.name}-custom.toml"
        return Path(self.profile.path)

    def presets(self) -> tuple[Weights, ...]:
        """The shipped profiles that fit this dataset."""
        from ..errors import TrustIndexError
        from ..io.registry import resolve_weights, weights_names
        from ..io.weights import load_weights
        from ..prepare import check_fit

        out = []
        for name in weights_names():
            try:
                profile = load_weights(resolve_weights(name))
                check_fit(self.dataset, profile)
            except TrustIndexError:
                continue
            out.append(profile)
        return tuple(out)
