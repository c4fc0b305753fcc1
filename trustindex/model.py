"""Frozen data model: the framework tree, datasets, weights profiles and results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

LEVELS = ("index", "pillar", "sub-pillar")
"""Names of the aggregation levels: the root, its children, and every deeper aggregate."""


def readonly(array, dtype=float, copy: bool = True) -> np.ndarray:
    """A read-only array of ``dtype``: a defensive copy unless ``copy`` is False (for arrays we own)."""
    out = np.array(array, dtype=dtype) if copy else np.asarray(array, dtype=dtype)
    out.setflags(write=False)
    return out


def frozen_map(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


def same(a, b) -> bool:
    """Equality by value through arrays (NaN equals NaN), tuples, mappings and floats."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )  # fmt: skip
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return a == b


class Record:
    """Value equality for frozen dataclasses that hold arrays (declare them with ``eq=False``): two records
    are equal when every field is, arrays compared by value. Such records are not hashable."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        fields = (f for f in self.__dataclass_fields__ if not f.startswith("_"))
        return all(same(getattr(self, f), getattr(other, f)) for f in fields)


@dataclass(frozen=True)
class Node:
    """An aggregate node: the index itself or a (sub-)pillar."""

    id: str
    label: str
    parent: str | None
    description: str = ""


@dataclass(frozen=True)
class Indicator:
    """A measured or coded variable and everything needed to say where it came from."""

    id: str
    label: str
    parent: str
    direction: int = 1
    """+1 when higher is better, -1 when lower is better."""
    unit: str = ""
    goalposts: tuple[float, float] | None = None
    target: float | None = None
    source: str = ""
    year: int | None = None
    description: str = ""
    formula: str | None = None
    """Expression over published columns that derives this indicator (see trustindex.formula)."""
    bounds: tuple[float, float] | None = None
    """The values the indicator can take: a value outside is an error (goalposts only anchor normalisation)."""
    required: bool = False
    """Whether every entity must have a value (a missing one is an error)."""
    denominator: str | None = None
    """The numeric column this indicator is divided by when the profile denominates (COINr's Denominator)."""
    per: float = 1.0
    """The scale of the ratio: ``per = 100000`` gives a value per 100,000 of the denominator."""


@dataclass(frozen=True)
class Column:
    """A published column that is not itself an indicator: an input of formulas, or metadata."""

    name: str
    label: str = ""
    unit: str = ""
    source: str = ""
    kind: str = "number"
    """``number`` or ``text``."""
    years: tuple[int, int] | None = None
    """First and last year in which the column exists (status categories change); absent outside."""
    absent: float | None = None
    """The value a structurally absent column takes in formulas (e.g. 0 for a status nobody could hold)."""
    absent_note: str = ""
    standard_error_of: str | None = None
    """The indicator whose standard error this column holds."""
    bounds: tuple[float, float] | None = None
    """The values the column can take (infinite ends allowed): a value outside is an error."""
    required: bool = False
    """Whether every row must have a value (in the years the column exists)."""


@dataclass(frozen=True)
class Framework:
    """The tree index → pillars → (sub-pillars) → indicators, in declaration order."""

    index: Node
    pillars: tuple[Node, ...]
    indicators: tuple[Indicator, ...]
    name: str = ""

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Every node: the index, the pillars, then the indicators."""
        return (self.index.id, *(p.id for p in self.pillars), *(i.id for i in self.indicators))

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    def parent(self, node_id: str) -> str | None:
        return self._parents[node_id]

    def children(self, node_id: str) -> tuple[str, ...]:
        return self._children.get(node_id, ())

    def level(self, node_id: str) -> str:
        """``index``, ``pillar``, ``sub-pillar`` or ``indicator``."""
        if node_id in self._indicator_set:
            return "indicator"
        depth = 0
        while (node_id := self._parents[node_id]) is not None:
            depth += 1
        return LEVELS[min(depth, 2)]

    def label(self, node_id: str) -> str:
        return self._labels[node_id]

    def indicators_under(self, node_id: str) -> tuple[str, ...]:
        """The indicators beneath ``node_id`` (itself, if it is one)."""
        if node_id in self._indicator_set:
            return (node_id,)
        return tuple(i for c in self.children(node_id) for i in self.indicators_under(c))

    def aggregates_bottom_up(self) -> tuple[str, ...]:
        """Aggregate nodes ordered so that every node comes after all of its descendants."""
        order: list[str] = []

        def visit(node: str) -> None:
            for child in self.children(node):
                if child not in self._indicator_set:
                    visit(child)
            order.append(node)

        visit(self.index.id)
        return tuple(order)

    def path(self, node_id: str) -> tuple[str, ...]:
        """The nodes from the index down to ``node_id``."""
        out = [node_id]
        while (node_id := self._parents[node_id]) is not None:
            out.append(node_id)
        return tuple(reversed(out))

    def __post_init__(self) -> None:
        parents = {self.index.id: None}
        parents.update({p.id: p.parent for p in self.pillars})
        parents.update({i.id: i.parent for i in self.indicators})
        children: dict[str, list[str]] = {}
        for node_id, parent in parents.items():
            if parent is not None:
                children.setdefault(parent, []).append(node_id)
        labels = {self.index.id: self.index.label}
        labels.update({p.id: p.label for p in self.pillars})
        labels.update({i.id: i.label for i in self.indicators})
        object.__setattr__(self, "_parents", parents)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})
        object.__setattr__(self, "_labels", labels)
        object.__setattr__(self, "_indicator_set", frozenset(i.id for i in self.indicators))


@dataclass(frozen=True, eq=False)
class Dataset(Record):
    """Values (entity × indicator) with their framework and provenance. Arrays are read-only."""

    name: str
    framework: Framework
    entities: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    """Raw values, shape (entities, indicators), NaN where missing; columns follow the framework."""
    title: str = ""
    description: str = ""
    licence: str = ""
    attribution: str = ""
    notice: str = ""
    illustrative: bool = False
    notes: Mapping[tuple[str, str], str] = field(default_factory=frozen_map)
    """One-line rationale or provenance per (entity, indicator) cell."""
    path: Path | None = None
    files: tuple[Path, ...] = ()
    """The files read, so outputs never overwrite one."""
    digest: str = ""
    """SHA-256 over the dataset's files, for provenance in outputs."""
    year: int | None = None
    """The year these values are for, in a panel dataset."""
    years: tuple[int, ...] = ()
    """Every year of a panel dataset; empty for a cross-section."""
    columns: tuple[Column, ...] = ()
    """Published columns that are not indicators, with their provenance."""
    inputs: Mapping[str, np.ndarray] = field(default_factory=frozen_map)
    """Values of the numeric columns for ``year`` (formula inputs, standard errors), by column name."""
    notices: tuple[Notice, ...] = ()
    """What loading did that a reader must know: structurally absent columns, lags without a year."""
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    """Text columns for ``year`` (e.g. a region used for group imputation), by column name."""
    history: np.ndarray | None = None
    """A panel's indicator values in every year (years × entities × indicators), aligned to these entities."""
    default_weights: str = ""
    """The shipped weights profile used when none is named (else ``balanced``)."""
    positions: object | None = field(default=None, repr=False)
    """Where each key of ``dataset.toml`` is (:class:`trustindex.io.toml.Positions`), for errors found later."""
    weights: Mapping[str, float] = field(default_factory=frozen_map)
    """The dataset's suggested weights, by node id: an indicator table's weight column. A profile's own weights
    come first (see :meth:`Weights.for_dataset`); these fill in the nodes it does not weigh."""

    def subset(self, keep: np.ndarray) -> Dataset:
        """The same dataset restricted to the entities where ``keep`` is true."""
        keep = np.asarray(keep, dtype=bool)
        pick = np.flatnonzero(keep)
        return replace(
            self,
            entities=tuple(self.entities[i] for i in pick),
            names=tuple(self.names[i] for i in pick),
            values=self.values[keep],
            inputs=frozen_map({k: readonly(v[keep]) for k, v in self.inputs.items()}),
            labels=frozen_map({k: tuple(v[i] for i in pick) for k, v in self.labels.items()}),
            history=None if self.history is None else readonly(self.history[:, keep]),
        )

    def __post_init__(self) -> None:
        # Column-major and read-only: every step reads whole indicators.
        object.__setattr__(self, "values", readonly(np.asfortranarray(self.values, dtype=float), copy=False))


@dataclass(frozen=True)
class Normalisation:
    """How indicator values become comparable scores."""

    method: str = "minmax"
    range: tuple[float, float] = (0.0, 100.0)
    """Output range of the bounded methods (:data:`trustindex.methods.BOUNDED`)."""
    mean: float = 0.0
    sd: float = 1.0
    """Output location and scale of the z-score method."""
    sd_basis: str = "sample"
    """The z-score's standard deviation: ``sample`` (n − 1) or ``population`` (n)."""
    reference: str | None = None
    """The entity (its id) that ``dist2ref`` measures the distance to."""
    cap: bool = False
    """``dist2ref``: entities beyond the reference score as the reference does (the top of the range)."""
    over: str = "year"
    """``panel``: minmax, zscore and fracmax take their bounds or moments from every year of a panel."""


@dataclass(frozen=True)
class Aggregation:
    """How the children of a node combine into its score."""

    method: str = "arithmetic"
    p: float | None = None
    """Exponent of the power mean."""
    min_coverage: float = 2 / 3
    """Below this share of available components the aggregate is missing and flagged."""


@dataclass(frozen=True)
class Thresholds:
    """The audit's rules (JRC practice), also used by the outlier treatment."""

    max_skew: float = 2.0
    max_kurtosis: float = 3.5
    """An indicator has outliers when |skewness| > max_skew and excess kurtosis > max_kurtosis."""
    min_alpha: float = 0.7
    redundant: float = 0.9
    """Within a pillar, r above this flags two indicators (or an indicator and its pillar) as redundant."""
    conflicting: float = -0.4
    weak: float = 0.3
    significance: float = 0.05
    min_coverage: float = 2 / 3
    """Data coverage rule for indicators and entities."""


@dataclass(frozen=True)
class Treatment:
    """Outlier treatment: winsorise up to ``max_points`` on the side of the skew, else log-transform."""

    method: str = "none"
    """``none`` or ``winsorise``."""
    max_points: int = 5


@dataclass(frozen=True)
class Imputation:
    """How missing values are filled before normalisation (``none``: aggregate over what is available)."""

    method: str = "none"
    """none, mean, median, group-mean, group-median, carry-forward, interpolate."""
    group: str | None = None
    """The text column that defines the groups of group-mean and group-median."""


@dataclass(frozen=True)
class Weights:
    """A weights profile: relative weights per node and the method choices per level."""

    name: str
    weights: Mapping[str, float] = field(default_factory=frozen_map)
    """Relative weight of each node within its parent's group; an unlisted node weighs 1."""
    normalisation: Normalisation = Normalisation()
    aggregation: Mapping[str, Aggregation] = field(default_factory=frozen_map)
    """Aggregation per level (``index``, ``pillar``, ``sub-pillar``); a missing level uses the default."""
    ties: str = "competition"
    treatment: Treatment = Treatment()
    imputation: Imputation = Imputation()
    denomination: str = "none"
    """``divide``: indicators that declare a denominator are divided by it first (see :mod:`trustindex.denominate`)."""
    screening: float | None = None
    """Entities with a smaller share of indicators available are left out of the ranking, with a notice."""
    screening_basis: str = "imputed"
    """Screen on the coverage after imputation (``imputed``) or before it (``raw``)."""
    audit: Thresholds = Thresholds()
    description: str = ""
    framework: str = ""
    path: Path | None = None
    digest: str = ""

    datasets: Mapping[str, Mapping[str, float]] = field(default_factory=frozen_map)
    """Extra weights that apply to one dataset only (its indicators), by dataset name."""
    positions: object | None = field(default=None, repr=False, compare=False)
    """Where each key of the profile's file is (:class:`trustindex.io.toml.Positions`), for errors found later."""
    notices: tuple[Notice, ...] = ()
    """What a reader must know about the profile itself (that it is the defaults, say)."""

    @classmethod
    def equal(cls, dataset: Dataset, name: str = "equal") -> Weights:
        """Equal weights (or the dataset's suggested ones) and every method at its default, said in a notice."""
        chosen = "the weights its indicator table suggests (else equal)" if dataset.weights else "equal weights"
        return cls(
            name=name,
            description=f"equal weights and the defaults, for dataset {dataset.name!r}",
            framework=dataset.framework.name,
            notices=(
                Notice(
                    "defaults",
                    f"no weights profile fits this dataset: {chosen}, and every method at its default "
                    f"({describe(methods(cls(name)))}); `trustindex init` writes a profile that states each choice",
                ),
            ),
        )

    def weight(self, node_id: str) -> float:
        return float(self.weights.get(node_id, 1.0))

    def for_dataset(self, name: str, suggested: Mapping[str, float] | None = None) -> Weights:
        """This profile with the weights written for dataset ``name`` merged in, over the dataset's
        ``suggested`` weights (:attr:`Dataset.weights`): a node's weight is the profile's
        ``[datasets.NAME.weights]``, else its ``[weights]``, else the suggested one, else 1."""
        extra = self.datasets.get(name)
        if not extra and not suggested:
            return self
        merged = {**(suggested or {}), **self.weights, **(extra or {})}
        return replace(self, weights=frozen_map(merged), datasets=frozen_map())

    def aggregation_for(self, level: str) -> Aggregation:
        return self.aggregation.get(level) or self.aggregation.get("default") or Aggregation()


def methods(weights: Weights) -> dict:
    """The method choices in effect under ``weights``, defaults included, as plain data (for JSON outputs)."""
    norm = weights.normalisation
    return {
        "normalisation": {
            "method": norm.method,
            **_parameters(norm),
        },  # fmt: skip
        "aggregation": {
            level: {"method": a.method, "p": a.p, "min_coverage": a.min_coverage}
            for level in LEVELS
            if (a := weights.aggregation_for(level))
        },  # fmt: skip
        "ties": weights.ties,
        "denomination": {"method": weights.denomination},
        "imputation": {"method": weights.imputation.method, "group": weights.imputation.group},
        "treatment": {"method": weights.treatment.method, "max_points": weights.treatment.max_points},
        "screening": {"min_coverage": weights.screening, "basis": weights.screening_basis},
    }


def _parameters(norm: Normalisation) -> dict:
    """The parameters that a normalisation method reads, as plain data."""
    over = {"over": norm.over} if norm.over != "year" else {}
    if norm.method == "zscore":
        return {"mean": norm.mean, "sd": norm.sd, "sd_basis": norm.sd_basis, **over}
    if norm.method in ("rank", "borda"):
        return {}
    extra = {"reference": norm.reference, "cap": norm.cap} if norm.method == "dist2ref" else {}
    return {"range": list(norm.range), **extra, **over}


def describe(choices: dict) -> str:
    """:func:`methods` in a phrase: ``minmax normalisation to [0, 100], arithmetic means needing 67 % …``."""
    norm, levels = choices["normalisation"], choices["aggregation"]
    if "range" in norm:
        scale = f"to [{norm['range'][0]:g}, {norm['range'][1]:g}]"
        scale += f" against {norm['reference']}" if "reference" in norm else ""
    else:
        scale = f"to mean {norm['mean']:g}" if "mean" in norm else "as ranks"
    means = sorted({(a["method"] + (f" (p = {a['p']:g})" if a["p"] is not None else ""), a["min_coverage"])
                    for a in levels.values()})  # fmt: skip
    mean_text = "; ".join(f"{m} means needing {c:.0%} of their components" for m, c in means)
    screen = choices["screening"]["min_coverage"]
    divided = "denominated values, " if choices.get("denomination", {}).get("method") == "divide" else ""
    return (f"{divided}{norm['method']} normalisation {scale}, {mean_text}, {choices['ties']} ranks, imputation "
            f"{choices['imputation']['method']}, outlier treatment {choices['treatment']['method']}, "
            + ("no screening" if screen is None else f"screening below {screen:.0%} coverage"))  # fmt: skip


@dataclass(frozen=True)
class Notice:
    """Something the user must be told about a result: missing, excluded or constant data."""

    kind: str
    message: str
    node: str | None = None
    entities: tuple[str, ...] = ()
    location: tuple = ()
    """(path, line, column) of the first cell or key the notice concerns, when it has one."""


@dataclass(frozen=True, eq=False)
class Result(Record):
    """The immutable output of one scoring. Arrays have shape (entities, nodes) and are read-only.

    For indicator columns ``scores`` holds the normalised value; for aggregates the aggregate score.
    """

    dataset: Dataset
    weights: Weights
    nodes: tuple[str, ...]
    scores: np.ndarray
    coverage: np.ndarray
    """Share of a node's positive-weight components that were available (1 or 0 for indicators)."""
    below_coverage: np.ndarray
    """True where an aggregate was set missing because coverage fell below the minimum."""
    shares: np.ndarray
    """Each node's nominal share of the index weight (product of within-group shares), shape (nodes,)."""
    notices: tuple[Notice, ...] = ()
    values: np.ndarray | None = None
    """The indicator values that were normalised: after outlier treatment and imputation."""
    imputed: np.ndarray | None = None
    """True where a missing value was imputed, shape (entities, indicators)."""
    treated: tuple = ()
    """Every value the outlier treatment changed (trustindex.treat.Treated)."""
    screened: tuple[str, ...] = ()
    """Entities left out of the ranking for too little data."""
    screened_names: tuple[str, ...] = ()
    source: Dataset | None = None
    """The dataset before screening (``dataset`` holds the entities that passed it)."""
    _rank_cache: dict = field(default_factory=dict, repr=False)

    def rank(self, node_id: str) -> np.ndarray:
        """Ranks of every entity at ``node_id`` (1 = best, ties by the profile's rule; NaN if unscored).

        Computed on first use: scoring 100,000 entities need not rank 200 indicators nobody looks at.
        """
        if node_id not in self._rank_cache:
            from .ranking import rank_scores

            ranks = rank_scores(self.scores[:, self.column(node_id)], self.weights.ties)
            self._rank_cache[node_id] = readonly(ranks, copy=False)
        return self._rank_cache[node_id]

    @property
    def ranks(self) -> np.ndarray:
        """Ranks at every node, shape (entities, nodes)."""
        return readonly(np.column_stack([self.rank(n) for n in self.nodes]), copy=False)

    @property
    def entities(self) -> tuple[str, ...]:
        return self.dataset.entities

    @property
    def framework(self) -> Framework:
        return self.dataset.framework

    def column(self, node_id: str) -> int:
        return self.nodes.index(node_id)

    def index_scores(self) -> np.ndarray:
        return self.scores[:, 0]

    def order(self) -> np.ndarray:
        """Entity positions by index rank, unranked last, ties by id: a deterministic order."""
        ranks = self.rank(self.nodes[0])
        ranks = np.where(np.isnan(ranks), np.inf, ranks)
        return np.lexsort((np.array(self.entities), ranks))


@dataclass(frozen=True)
class WeightSpec:
    """How weights vary: ``uniform`` ±spread then renormalised, ``dirichlet`` around the nominal shares
    with a concentration, or ``simplex`` (uniform over all weight vectors of a group)."""

    distribution: str = "uniform"
    spread: float = 0.25
    concentration: float = 100.0
    levels: tuple[str, ...] = ()
    """The levels of the nodes whose weights vary (``pillar``, ``sub-pillar``, ``indicator``); empty: the
    pillars and sub-pillars, else (a tree with indicators straight under the index) the indicators."""


@dataclass(frozen=True)
class Spec:
    """What is uncertain. An empty tuple of alternatives keeps that choice at its nominal value."""

    runs: int = 1000
    sampler: str = "sobol"
    weights: WeightSpec | None = WeightSpec()
    normalisation: tuple[Normalisation, ...] = ()
    aggregation: tuple[Aggregation, ...] = (Aggregation("arithmetic"), Aggregation("geometric"))
    aggregation_levels: tuple[str, ...] = ("index",)
    treatment: tuple[tuple[str, int], ...] = ()
    imputation: tuple[str, ...] = ()
    leave_out: tuple[str, ...] = ()
    """Nodes that may be left out, one at a time (each run leaves out none or one of them)."""
    top_k: int = 3
    denomination: tuple[str, ...] = ()
    """Alternatives of the denomination step (``none``, ``divide``)."""
    weightings: tuple[tuple[str, Mapping[str, float]], ...] = ()
    """Named weightings (node → relative weight; an unlisted node keeps the profile's), one per run: several
    experts' own weights, say."""
