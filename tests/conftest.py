"""Helpers shared by the tests: small in-memory frameworks, datasets and weights profiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from trustindex.model import (
    Aggregation,
    Dataset,
    Framework,
    Indicator,
    Node,
    Normalisation,
    Weights,
    frozen_map,
    readonly,
)


def make_framework(
    pillars: Mapping[str, str | None],
    indicators: Mapping[str, str],
    *,
    index: str = "index",
    name: str = "",
    direction: Mapping[str, int] | None = None,
    goalposts: Mapping[str, tuple[float, float]] | tuple[float, float] | None = None,
    target: Mapping[str, float] | None = None,
) -> Framework:
    """A framework from ``{pillar: parent}`` (None = the index) and ``{indicator: parent}``.

    ``goalposts`` is either one pair for every indicator or a mapping per indicator.
    """
    direction = direction or {}
    target = target or {}
    nodes = tuple(Node(pid, pid.title(), index if parent is None else parent) for pid, parent in pillars.items())
    inds = []
    for iid, parent in indicators.items():
        posts = goalposts.get(iid) if isinstance(goalposts, Mapping) else goalposts
        inds.append(
            Indicator(
                id=iid,
                label=iid,
                parent=parent,
                direction=direction.get(iid, 1),
                goalposts=None if posts is None else (float(posts[0]), float(posts[1])),
                target=target.get(iid),
            )
        )
    return Framework(Node(index, index.title(), None), nodes, tuple(inds), name)


def make_dataset(
    framework: Framework,
    values: Sequence[Sequence[float]] | np.ndarray,
    entities: Sequence[str] | None = None,
    *,
    name: str = "test-data",
) -> Dataset:
    """A dataset over ``framework`` with ``values`` (entities × indicators, NaN for missing)."""
    values = np.asarray(values, dtype=float)
    if entities is None:
        entities = [f"e{i}" for i in range(values.shape[0])]
    entities = tuple(entities)
    return Dataset(
        name=name,
        framework=framework,
        entities=entities,
        names=tuple(e.upper() for e in entities),
        values=readonly(values),
    )


def make_weights(
    weights: Mapping[str, float] | None = None,
    *,
    method: str = "minmax",
    range: tuple[float, float] = (0.0, 100.0),  # mirrors the TOML key
    mean: float = 0.0,
    sd: float = 1.0,
    aggregation: str = "arithmetic",
    p: float | None = None,
    min_coverage: float = 2 / 3,
    levels: Mapping[str, Aggregation] | None = None,
    ties: str = "competition",
    framework: str = "",
    name: str = "test-weights",
) -> Weights:
    """A weights profile: one default aggregation, optionally overridden per level."""
    agg = {"default": Aggregation(aggregation, p, min_coverage)}
    agg.update(levels or {})
    return Weights(
        name=name,
        weights=frozen_map(weights or {}),
        normalisation=Normalisation(method, (float(range[0]), float(range[1])), mean, sd),
        aggregation=frozen_map(agg),
        ties=ties,
        framework=framework,
    )


def only_notices(stderr: str) -> bool:
    """Whether stderr holds nothing but trustindex's notes and notices (a CSV's notices go there)."""
    return all(line.startswith(("trustindex: note: ", "trustindex: notice: ")) for line in stderr.splitlines())
