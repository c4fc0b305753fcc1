"""The Python API: every analysis as one function over what a notebook holds, every result a table.

Each function takes the data first: a dataset's name or folder (by the rule of every command: a path, else
``./datasets/NAME``, else a shipped one), a :class:`~trustindex.model.Dataset`, a pandas DataFrame (or a mapping
of columns, or a 2-d numpy array; see :meth:`~trustindex.model.Dataset.from_frame`), or a
:class:`~trustindex.model.Result` already scored. Keyword arguments are named as the command's options are and
default alike (:mod:`trustindex.defaults`); ``weights`` is a profile's name or file, a
:class:`~trustindex.model.Weights` or a mapping (:meth:`~trustindex.model.Weights.from_dict`). Long analyses
take ``progress`` (called with the fraction done) and ``cancelled`` (asked between batches: when it returns
True the analysis stops with :class:`~trustindex.batches.Cancelled`).

Every result has ``to_frame()`` (pandas: the columns of the command's CSV, else the names of its JSON) and
``to_dict()`` (the command's JSON), a one-line ``repr`` and an HTML table for notebooks; the analysis's own
fields are attributes too. Errors are :class:`~trustindex.errors.TrustIndexError` naming the parameter.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping

from .defaults import ACCEPTABILITY, FLOOR, SAMPLES, TOP_K
from .errors import ConfigError, TrustIndexError
from .model import Dataset, Result, Spec, Weights
from .tidy import html_table, plain

Progress = Callable[[float], None]
Stop = Callable[[], bool]

_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]*)")


def _edge(function):
    """Errors of the API name its parameters, not the CLI's flags: ``--rank N`` reads ``rank=N``."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TrustIndexError as exc:

            def name(match):
                return match.group(1).replace("-", "_") + "="

            exc.message = _FLAG.sub(name, exc.message)
            exc.hint = exc.hint and _FLAG.sub(name, exc.hint)
            exc.args = (exc.message,)
            raise

    return run


def _check(name: str, value, low=None, high=None, below=None, integer: bool = False):
    """``value`` when it is a number (an integer) within its range, else ConfigError naming the parameter."""
    import numbers

    from .io.numbers import out_of_range

    if isinstance(value, bool) or not isinstance(value, numbers.Integral if integer else numbers.Real):
        raise ConfigError(f"{name} must be {'an integer' if integer else 'a number'}, not {value!r}"[:120])
    value = int(value) if integer else float(value)
    problem = out_of_range(value, low, high, below)
    if problem:
        raise ConfigError(f"{name}: {problem}")
    return value


def _optional(name: str, value, **limits):
    return None if value is None else _check(name, value, **limits)


def _profile(dataset: Dataset, weights) -> Weights:
    from .io.registry import profile_for

    if weights is None or isinstance(weights, (str, os.PathLike)):
        return profile_for(dataset, None if weights is None else os.fspath(weights))
    if isinstance(weights, Weights):
        return weights
    if isinstance(weights, Mapping):
        return Weights.from_dict(weights)
    raise ConfigError(f"weights must be a profile's name or file, a Weights or a mapping, not {type(weights).__name__}")


def _dataset(data, year, meta) -> Dataset:
    from pathlib import Path

    from .io.dataset import load_dataset as read
    from .io.registry import resolve_dataset

    if data is None or isinstance(data, (str, os.PathLike)):
        if meta is not None and not isinstance(meta, (str, os.PathLike)):
            raise ConfigError("meta as a table goes with values as a table", hint="give data as a DataFrame")
        if meta is not None and data is None:
            raise ConfigError("meta needs data naming the values file")
        if meta is not None:
            return read(Path(os.fspath(data)), year, os.fspath(meta))
        return read(resolve_dataset(None if data is None else os.fspath(data)), year)
    if isinstance(data, Dataset):
        if year is not None or meta is not None:
            raise ConfigError("year and meta go with data in files or tables, not with a Dataset")
        return data
    if isinstance(data, Result):
        raise ConfigError("data is a scored result here: give its dataset (result.dataset)")
    return Dataset.from_frame(data, meta, year=year)


def inputs(data=None, weights=None, year: int | None = None, meta=None) -> tuple[Dataset, Weights]:
    """The dataset and the weights profile an analysis works on (see the module's docstring for what each may
    be); a scored :class:`Result` gives its own, and takes no ``weights``, ``year`` or ``meta``."""
    year = _optional("year", year, low=1000, high=9999, integer=True)
    if isinstance(data, Result):
        given = [n for n, v in (("weights", weights), ("year", year), ("meta", meta)) if v is not None]
        if given:
            raise ConfigError(f"{', '.join(given)} cannot change a scored result",
                              hint="give the dataset instead, or score it again with them")  # fmt: skip
        return data.source or data.dataset, data.weights
    dataset = _dataset(data, year, meta)
    return dataset, _profile(dataset, weights)


@_edge
def load_dataset(data=None, *, year: int | None = None, meta=None) -> Dataset:
    """A dataset by the rule of every command: a shipped or local name, a folder, a values file with its
    indicator table (``meta``), or a table in Python (see :meth:`Dataset.from_frame`).

    Parameters
    ----------
    data : str, path, DataFrame, mapping or array, optional
        The dataset (default: the shipped ``coexistence-regimes``).
    year : int, optional
        The year of a panel (default: the latest).
    meta : str, path, DataFrame or mapping, optional
        The indicator table of a values file or table.

    Returns
    -------
    Dataset

    Example
    -------
    >>> import trustindex as ti
    >>> ti.load_dataset("jp-prefectures", year=2015)
    <Dataset 'jp-prefectures': 47 entities × 7 indicators under 3 pillars, year 2015>
    """
    return _dataset(data, _optional("year", year, low=1000, high=9999, integer=True), meta)


@_edge
def load_weights(weights=None, *, data=None) -> Weights:
    """A weights profile: a shipped or local name, a file, a mapping (:meth:`Weights.from_dict`); None: the one
    ``data``'s dataset calls for (its own, else ``balanced`` when it fits, else equal weights), else ``balanced``.

    Parameters
    ----------
    weights : str, path, Weights or mapping, optional
        The profile.
    data : optional
        The dataset the profile is for (anything :func:`load_dataset` takes), when ``weights`` is None.

    Returns
    -------
    Weights

    Example
    -------
    >>> import trustindex as ti
    >>> ti.load_weights("integration-first").name
    'integration-first'
    """
    from .io.registry import DEFAULT_WEIGHTS

    if data is None:
        return _profile(None, DEFAULT_WEIGHTS if weights is None else weights)
    return _profile(_dataset(data, None, None), weights)


@_edge
def load_spec(spec=None) -> Spec:
    """An uncertainty specification: a TOML file, a mapping (:meth:`Spec.from_dict`) or a :class:`Spec`; None:
    the default (weights ±25 %, arithmetic against geometric aggregation of the index, 1,000 runs).

    Parameters
    ----------
    spec : str, path, mapping or Spec, optional

    Returns
    -------
    Spec

    Example
    -------
    >>> import trustindex as ti
    >>> ti.load_spec({"runs": 500, "aggregation": {"alternatives": ["arithmetic", "geometric"]}}).runs
    500
    """
    return _spec_source(spec).spec


def _scored(data, weights, year, meta) -> Result:
    if isinstance(data, Result) and weights is None and year is None and meta is None:
        return data
    from .pipeline import score as run

    return run(*inputs(data, weights, year, meta))


def _engine(data, weights, year, meta):
    from .engine import Engine

    return Engine(*inputs(data, weights, year, meta))


def _seed(seed):
    if seed is None:
        import secrets

        return secrets.randbits(32)
    return _check("seed", seed, low=0, high=2**64 - 1, integer=True)


class Analysis:
    """What an analysis found, with its context: ``to_frame()``, ``to_dict()``, a short ``repr`` and an HTML
    table; the analysis's own fields (see ``dir()``) are attributes."""

    command = ""

    def __init__(self, found, context, **extra):
        self._found, self._context = found, context
        self.__dict__.update(extra)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._found, name)

    def __dir__(self):
        import dataclasses

        fields = [f.name for f in dataclasses.fields(self._found)] if dataclasses.is_dataclass(self._found) else []
        return sorted({*super().__dir__(), *fields})

    def _table(self, only=None) -> tuple[list[str], list[dict]]:
        raise NotImplementedError

    def _json(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict:
        """The JSON document of the command (``trustindex COMMAND -f json``) as a dict."""
        return json.loads(self._json())

    def to_frame(self, only=None):
        """A pandas DataFrame: the columns of the command's CSV, else the field names of its JSON."""
        from .tidy import frame

        return frame(*self._table(only))

    def _repr_html_(self) -> str:
        return html_table(*self._table(), caption=repr(self))


def _records(items) -> tuple[list[str], list[dict]]:
    """Rows of the fields of dataclasses (those their JSON has), for a frame."""
    import dataclasses

    rows = [{f.name: getattr(item, f.name) for f in dataclasses.fields(item)} for item in items]
    return (list(rows[0]) if rows else []), rows


class Explanation(Analysis):
    """An entity's score explained (:func:`explain`): ``parts`` (every node's value, weight and contribution),
    ``strengths``, ``weaknesses``, ``summary``, and ``target`` (what it would take, a :class:`Target`).

    Example
    -------
    >>> import trustindex as ti
    >>> e = ti.explain("coexistence-regimes", "japan")
    >>> e.rank, e.ranked, e.target.target_rank
    (3.0, 4, 2)
    """

    command = "explain"

    def _table(self, only=None):
        keys, rows = _records(self._found.parts)
        return keys, rows

    def _json(self) -> str:
        from .reports.explain import explain_report

        target = self.target._found if self.target is not None else None
        return explain_report(self._context, self._found, target, "json")

    def __repr__(self) -> str:
        e = self._found
        rank = "not ranked" if e.rank != e.rank else f"rank {e.rank:g} of {e.ranked}, score {e.score:.1f}"
        return f"<Explanation of {e.entity!r} ({e.name}): {rank}; {len(e.parts)} nodes ({e.method} contributions)>"


class Target(Analysis):
    """What it would take an entity to reach a rank or a score (:func:`what_it_takes`): each indicator's and
    pillar's change alone (``indicators``, ``pillars``) and the smallest combined change (``combined``).

    Example
    -------
    >>> import trustindex as ti
    >>> ti.what_it_takes("coexistence-regimes", "japan", rank=1).target_rank
    1
    """

    command = "what_it_takes"

    def _table(self, only=None):
        return _records((*self._found.indicators, *self._found.pillars))

    def to_dict(self) -> dict:
        """The ``target`` of ``explain -f json`` as a dict."""
        return plain(self._found)

    def __repr__(self) -> str:
        t = self._found
        goal = f"rank {t.target_rank}" if t.target_rank is not None else f"score {t.target_score:g}"
        moves = sum(m.reachable for m in (*t.indicators, *t.pillars))
        how = "already there" if t.reached else f"{moves} single changes reach it"
        return f"<Target of {t.entity!r}: {goal} (index score {t.target_score:.1f}); {how}>"


class Comparison(Analysis):
    """Two entities side by side (:func:`compare`): ``first`` and ``second`` (explanations) and ``gap``, the
    index gap split exactly into each node's part.

    Example
    -------
    >>> import trustindex as ti
    >>> c = ti.compare("coexistence-regimes", "nordic", "japan")
    >>> round(sum(c.to_frame().query("level == 'pillar'")["gap"]), 4) == round(c.first.score - c.second.score, 4)
    True
    """

    command = "compare"

    def _table(self, only=None):
        c = self._found
        gap = dict(zip(c.nodes, c.gap, strict=True))
        rows = [{"node": a.node, "label": a.label, "level": a.level, "first": a.score,
                 "second": c.second.part(a.node).score, "difference": a.score - c.second.part(a.node).score,
                 "gap": gap[a.node]} for a in c.first.parts]  # fmt: skip
        return ["node", "label", "level", "first", "second", "difference", "gap"], rows

    def _json(self) -> str:
        from .reports.explain import compare_report

        return compare_report(self._context, self._found, "json")

    def __repr__(self) -> str:
        a, b = self._found.first, self._found.second
        gap = a.score - b.score
        return f"<Comparison of {a.entity!r} ({a.score:.1f}) with {b.entity!r} ({b.score:.1f}): gap {gap:.1f}>"


class Importance(Analysis):
    """Effective importance against nominal weight (:func:`importance`): ``rows``, one per pillar and indicator.

    Example
    -------
    >>> import trustindex as ti
    >>> ti.importance("coexistence-regimes").rows[0].level
    'pillar'
    """

    command = "importance"

    def _table(self, only=None):
        return _records(self._found)

    def _json(self) -> str:
        from .reports.explain import importance_report

        return importance_report(self._context, self._found, "json")

    def __getattr__(self, name: str):
        if name == "rows":
            return self._found
        return super().__getattr__(name)

    def __repr__(self) -> str:
        flagged = ", ".join(r.node for r in self._found if r.flag) or "none"
        return f"<Importance of {len(self._found)} nodes; counting far from their weight: {flagged}>"


class Audit(Analysis):
    """The statistical audit (:func:`audit`): ``findings``, ``indicators``, ``pillars``, ``correlations``,
    ``entities``; ``to_frame(only=...)`` gives one section (the findings by default), as ``--only`` does.

    Example
    -------
    >>> import trustindex as ti
    >>> ti.audit("coexistence-regimes").to_frame("pillars")["node"].tolist()[:2]
    ['coexistence', 'management']
    """

    command = "audit"

    def _table(self, only=None):
        from .reports.audit import SECTIONS, audit_table

        if only is not None and only not in SECTIONS:
            from .errors import did_you_mean

            raise ConfigError(f"only must be one of {', '.join(SECTIONS)}, not {only!r}",
                              hint=did_you_mean(str(only), SECTIONS))  # fmt: skip
        return audit_table(self._context, self._found, only or "findings")

    def _json(self) -> str:
        from .reports.audit import audit_report

        return audit_report(self._context, self._found, "json")

    def __repr__(self) -> str:
        a = self._found
        counts = ", ".join(f"{a.count(s)} {s}s" for s in ("error", "warning", "notice"))
        return f"<Audit of {len(a.indicators)} indicators and {len(a.pillars)} pillars: {counts}>"


class Uncertainty(Analysis):
    """Rank robustness over the uncertain choices (:func:`uncertainty`): ``entities`` (each one's nominal and
    median rank, 5th-95th percentile interval, scores, P(top k)), ``mean_shift``, ``spearman``, ``kendall``.

    Example
    -------
    >>> import trustindex as ti
    >>> u = ti.uncertainty("coexistence-regimes", runs=100, seed=2)
    >>> len(u.entities), u.to_frame()["entity"].tolist()[0]
    (4, 'nordic')
    """

    command = "uncertainty"

    def _table(self, only=None):
        from .reports.robustness import uncertainty_table

        return uncertainty_table(self._found)

    def _json(self) -> str:
        from .reports.robustness import uncertainty_report

        return uncertainty_report(self._context, self._found, "json")

    def __repr__(self) -> str:
        u = self._found
        return (f"<Uncertainty: {u.runs:,} runs ({u.sampler}, seed {u.seed}) of {len(u.entities)} entities varying "
                f"{', '.join(u.factors)}; mean rank shift {u.mean_shift:.2f}, Spearman {u.spearman:.3f}>")  # fmt: skip


class Sensitivity(Analysis):
    """Sobol' indices of each uncertain input (:func:`sensitivity`): ``inputs``, and ``outputs`` (each entity's
    rank and score, the mean rank shift) with first-order and total indices and their intervals.

    Example
    -------
    >>> import trustindex as ti
    >>> ti.sensitivity("coexistence-regimes", samples=32, seed=1).to_frame().columns.tolist()[:4]
    ['output', 'status', 'weights:first', 'weights:total']
    """

    command = "sensitivity"

    def _table(self, only=None):
        from .reports.robustness import sensitivity_table

        return sensitivity_table(self._found)

    def _json(self) -> str:
        from .reports.robustness import sensitivity_report

        return sensitivity_report(self._context, self._found, "json")

    def __repr__(self) -> str:
        s = self._found
        return (f"<Sensitivity: Sobol' indices of {len(s.inputs)} inputs ({', '.join(s.inputs)}) for "
                f"{len(s.outputs)} outputs from {s.runs:,} runs (N = {s.samples}, seed {s.seed})>")  # fmt: skip


class Stability(Analysis):
    """How far each weight can move (:func:`stability`): ``intervals`` (per weight), ``bounds`` (best and worst
    ranks), ``acceptability`` (SMAA-2); ``to_frame(only=...)`` gives ``weights`` (default), ``bounds`` or
    ``acceptability`` (one row per entity and rank).

    Example
    -------
    >>> import trustindex as ti
    >>> s = ti.stability("coexistence-regimes", weight=["support", "management"])
    >>> s.to_frame()["node"].tolist()
    ['support', 'management']
    """

    command = "stability"
    ONLY = ("weights", "bounds", "acceptability")

    def _table(self, only=None):
        s = self._found
        if only in (None, "weights"):
            rows = []
            for i in s.intervals:
                row = {"node": i.node, "nominal_share": i.nominal_share, "nominal_weight": i.nominal_weight,
                       "exact": i.exact, "swaps": len(i.swaps), "ranking_low": i.ranking[0],
                       "ranking_high": i.ranking[1], "top_low": i.top[0], "top_high": i.top[1]}  # fmt: skip
                if s.entity is not None:
                    row.update(entity_low=i.entity[0], entity_high=i.entity[1])
                rows.append(row)
            return (list(rows[0]) if rows else []), rows
        if only == "bounds":
            return _records(s.bounds or ())
        if only == "acceptability":
            a = s.acceptability
            if a is None:
                raise ConfigError("no acceptability was computed", hint="give acceptability=RUNS")
            entities = self._context.entities
            rows = [{"entity": e, "rank": float(r), "probability": float(a.probabilities[i, k])}
                    for i, e in enumerate(entities) for k, r in enumerate(a.ranks)]  # fmt: skip
            return ["entity", "rank", "probability"], rows
        from .errors import did_you_mean

        raise ConfigError(f"only must be one of {', '.join(self.ONLY)}, not {only!r}",
                          hint=did_you_mean(str(only), self.ONLY))  # fmt: skip

    def _json(self) -> str:
        from .reports.robustness import stability_report

        s = self._found
        return stability_report(self._context, s.intervals, s.bounds, s.acceptability, s.entity, "json")

    def __repr__(self) -> str:
        s = self._found
        extra = (", best and worst ranks" if s.bounds else "") + (
            f", acceptability over {s.acceptability.runs:,} runs" if s.acceptability else "")  # fmt: skip
        return f"<Stability of {len(s.intervals)} weights ({', '.join(i.node for i in s.intervals)}){extra}>"


class Trends(Analysis):
    """Each entity's score and rank per year of a panel, and the change from the first year to the last split
    exactly into its nodes' shares (:func:`trends`): ``years``, ``entities``, ``scores`` and ``ranks`` (years ×
    entities), ``change`` and ``contributions`` (entities × ``nodes``), ``notices``.

    Example
    -------
    >>> import trustindex as ti
    >>> t = ti.trends("jp-prefectures", weights="jp-settlement", start=2019, end=2021)
    >>> t.years, t.to_frame().columns.tolist()[:6]
    ((2019, 2020, 2021), ['entity', 'name', '2019', '2020', '2021', 'rank_2019'])
    """

    command = "trends"

    def _table(self, only=None):
        from .reports.trends import trends_table

        return trends_table(self._context, self._found, self.level)

    def _json(self) -> str:
        from .reports.trends import trends_report

        return trends_report(self._context, self._found, "json", self.level)

    def __repr__(self) -> str:
        t = self._found
        return (f"<Trends {t.years[0]}–{t.years[-1]} ({len(t.years)} years) of {len(t.entities)} entities, the change "
                f"split into {'indicators' if self.level == 'indicator' else 'pillars'}>")  # fmt: skip


# --- the analyses -------------------------------------------------------------------------------------------


@_edge
def score(data=None, weights=None, *, year: int | None = None, meta=None) -> Result:
    """Score and rank every entity at every node (``trustindex score``).

    Parameters
    ----------
    data : str, path, Dataset, DataFrame, mapping or array, optional
        The dataset (default: the shipped ``coexistence-regimes``); a table is read by
        :meth:`Dataset.from_frame`.
    weights : str, path, Weights or mapping, optional
        The profile (default: the dataset's, else ``balanced`` when it fits, else equal weights).
    year : int, optional
        The year of a panel (default: the latest).
    meta : str, path, DataFrame or mapping, optional
        The indicator table of values given as a file or a table.

    Returns
    -------
    Result
        Every node's score, ranks and coverage; ``to_frame(level=, top=)`` gives the ranking.

    Example
    -------
    >>> import trustindex as ti
    >>> result = ti.score("coexistence-regimes", "balanced")
    >>> result.to_frame(level="index").columns.tolist()
    ['rank', 'entity', 'name', 'coexistence']
    """
    return _scored(data, weights, year, meta)


@_edge
def explain(data, entity: str, *, weights=None, year: int | None = None, meta=None, rank: int | None = None,
            score: float | None = None, baseline: str | None = None, progress: Progress | None = None,
            cancelled: Stop | None = None) -> Explanation:  # fmt: skip
    """Explain an entity's score: every value, weight and exact contribution (``trustindex explain``).

    Parameters
    ----------
    data : str, path, Dataset, DataFrame, Result, ...
        What to explain (see :func:`score`); None: the default dataset.
    entity : str
        The entity's id or display name (case-insensitive).
    weights, year, meta
        As for :func:`score`.
    rank, score : optional
        What it would take to rank ``rank`` or to score ``score`` (default: one place up).
    baseline : str, optional
        The Shapley baseline: ``mean`` or another entity (non-arithmetic aggregation).
    progress, cancelled : callables, optional
        Progress (fraction done) and cancellation of what it would take.

    Returns
    -------
    Explanation
        ``to_frame()``: one row per node (``node``, ``label``, ``score``, ``rank``, ``contribution``, ...);
        ``target``: what it would take (None for the first).

    Example
    -------
    >>> import trustindex as ti
    >>> e = ti.explain(ti.score({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [3, 1, 2]}), "a")
    >>> e
    <Explanation of 'a' (a): rank 2 of 3, score 50.0; 4 nodes (linear contributions)>
    >>> e.to_frame()[["node", "score", "contribution"]]
        node  score  contribution
    0  index   50.0          50.0
    1 pillar   50.0          50.0
    2      x    0.0           0.0
    3      y  100.0          50.0
    """
    from .explain import explain as run
    from .targets import goal
    from .targets import what_it_takes as reach

    rank, score = _goal(rank, score)
    result = _scored(data, weights, year, meta)
    found = run(result, entity, baseline)
    target = None
    rank = goal(result, entity, rank, score)
    if rank is not None or score is not None:
        target = Target(reach(result, entity, rank=rank, score_=score, progress=progress, cancelled=cancelled), result)
    return Explanation(found, result, target=target)


def _goal(rank, score):
    from .targets import check_goal

    check_goal(rank, score)
    return _optional("rank", rank, low=1, high=2**53, integer=True), _optional("score", score)


@_edge
def what_it_takes(data, entity: str, *, weights=None, year: int | None = None, meta=None, rank: int | None = None,
                  score: float | None = None, progress: Progress | None = None,
                  cancelled: Stop | None = None) -> Target:  # fmt: skip
    """What it would take an entity to reach a rank or a score (the last part of ``trustindex explain``).

    Parameters
    ----------
    data : str, path, Dataset, DataFrame, Result, ...
        As for :func:`score`.
    entity : str
        The entity's id or display name.
    weights, year, meta
        As for :func:`score`.
    rank, score : optional
        The target: a rank or an index score (default: one place up).
    progress, cancelled : callables, optional
        Progress (fraction done) and cancellation.

    Returns
    -------
    Target
        ``to_frame()``: one row per indicator and pillar changed alone (``node``, ``current``, ``needed``,
        ``raw_current``, ``raw_needed``, ``reachable``, ``verified``, ...).

    Example
    -------
    >>> import trustindex as ti
    >>> t = ti.what_it_takes({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [3, 1, 2]}, "b")
    >>> t.target_rank
    2
    """
    from .targets import goal
    from .targets import what_it_takes as reach

    rank, score = _goal(rank, score)
    result = _scored(data, weights, year, meta)
    if rank is None and score is None:
        rank = goal(result, entity) or 1  # the first: already there
    return Target(reach(result, entity, rank=rank, score_=score, progress=progress, cancelled=cancelled), result)


@_edge
def compare(data, first: str, second: str, *, weights=None, year: int | None = None, meta=None) -> Comparison:
    """Compare two entities, with the index gap split exactly into each node's part (``trustindex compare``).

    Parameters
    ----------
    data : str, path, Dataset, DataFrame, Result, ...
        As for :func:`score`.
    first, second : str
        The entities' ids or display names.
    weights, year, meta
        As for :func:`score`.

    Returns
    -------
    Comparison
        ``to_frame()``: one row per node: ``first`` and ``second`` scores, ``difference``, ``gap`` (its part of
        the index gap; the parts sum to the gap).

    Example
    -------
    >>> import trustindex as ti
    >>> ti.compare({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [3, 1, 2]}, "c", "b")
    <Comparison of 'c' (75.0) with 'b' (25.0): gap 50.0>
    """
    from .explain import compare as run

    result = _scored(data, weights, year, meta)
    return Comparison(run(result, first, second), result)


@_edge
def importance(data=None, *, weights=None, year: int | None = None, meta=None) -> Importance:
    """Effective importance of each pillar and indicator against its nominal weight (``trustindex importance``).

    Parameters
    ----------
    data, weights, year, meta
        As for :func:`score`.

    Returns
    -------
    Importance
        ``to_frame()``: one row per node: ``nominal`` share, ``r2``, ``eta2``, effective ``share``, ``flag``.

    Example
    -------
    >>> import trustindex as ti
    >>> ti.importance("coexistence-regimes").to_frame().columns.tolist()
    ['node', 'label', 'level', 'nominal', 'r2', 'eta2', 'share', 'flag']
    """
    from .importance import importance as run

    result = _scored(data, weights, year, meta)
    return Importance(run(result), result)


@_edge
def audit(data=None, *, weights=None, year: int | None = None, meta=None, max_skew: float | None = None,
          max_kurtosis: float | None = None) -> Audit:  # fmt: skip
    """Audit the index statistically, as the JRC audits composite indicators (``trustindex audit``).

    Parameters
    ----------
    data, weights, year, meta
        As for :func:`score`.
    max_skew, max_kurtosis : float, optional
        The outlier rule: |skewness| above ``max_skew`` and excess kurtosis above ``max_kurtosis`` (default:
        the profile's, else 2 and 3.5).

    Returns
    -------
    Audit
        ``to_frame(only=)``: findings (default), indicators, pillars, correlations or entities.

    Example
    -------
    >>> import trustindex as ti
    >>> ti.audit("coexistence-regimes").to_frame("indicators").columns.tolist()[:4]
    ['indicator', 'label', 'unit', 'parent']
    """
    import dataclasses

    from .audit import audit as run
    from .io.numbers import THRESHOLDS
    from .pipeline import score as scoring

    changes = {k: _check(k, v, *THRESHOLDS[k]) for k, v in (("max_skew", max_skew), ("max_kurtosis", max_kurtosis))
               if v is not None}  # fmt: skip
    if changes and isinstance(data, Result):
        raise ConfigError(f"{', '.join(changes)} cannot change a scored result", hint="give the dataset instead")
    dataset, profile = inputs(data, weights, year, meta)
    if changes:
        profile = dataclasses.replace(profile, audit=dataclasses.replace(profile.audit, **changes))
    result = data if isinstance(data, Result) else scoring(dataset, profile)
    return Audit(run(result), result)


def _spec_source(spec):
    from pathlib import Path

    from .io.spec import DEFAULT, SpecFile, read_spec, spec_from_dict

    if spec is None:
        return SpecFile(DEFAULT)
    if isinstance(spec, Spec):
        return SpecFile(spec)
    if isinstance(spec, Mapping):
        return spec_from_dict(spec)
    if isinstance(spec, (str, os.PathLike)):
        return read_spec(Path(spec))
    raise ConfigError(f"spec must be a file, a Spec or a mapping, not {type(spec).__name__}")


@_edge
def uncertainty(data=None, *, weights=None, year: int | None = None, meta=None, spec=None, runs: int | None = None,
                sampler: str | None = None, top_k: int | None = None, seed: int | None = None,
                progress: Progress | None = None, cancelled: Stop | None = None) -> Uncertainty:  # fmt: skip
    """How robust is every rank? Monte Carlo over the uncertain choices (``trustindex uncertainty``).

    Parameters
    ----------
    data, weights, year, meta
        As for :func:`score`.
    spec : str, path, Spec or mapping, optional
        What is uncertain (default: weights ±25 %, arithmetic vs geometric index); see :meth:`Spec.from_dict`.
    runs, sampler, top_k : optional
        The number of runs, ``sobol`` or ``random``, and the k of P(top k) (default: the spec's).
    seed : int, optional
        The random seed (default: a fresh one, in the result's ``seed``).
    progress, cancelled : callables, optional
        Progress (fraction done) and cancellation.

    Returns
    -------
    Uncertainty
        ``to_frame()``: one row per entity (``entity``, ``name``, ``nominal_rank``, ``median_rank``,
        ``low_rank``, ``high_rank``, scores, ``top_k``, ``unranked``).

    Example
    -------
    >>> import trustindex as ti
    >>> u = ti.uncertainty("coexistence-regimes", runs=64, seed=1)
    >>> u.runs, u.seed, u.to_frame().columns.tolist()[:4]
    (64, 1, ['entity', 'name', 'nominal_rank', 'median_rank'])
    """
    from .fit import fit_or_fail, fitted_spec
    from .methods import SAMPLERS
    from .uncertainty import uncertainty as run

    runs = _optional("runs", runs, low=2, high=2**53, integer=True)
    top_k = _optional("top_k", top_k, low=1, high=2**53, integer=True)
    if sampler is not None and sampler not in SAMPLERS:
        from .errors import did_you_mean

        raise ConfigError(f"unknown sampler {sampler!r}", hint=did_you_mean(str(sampler), SAMPLERS))
    engine = _engine(data, weights, year, meta)
    source = fitted_spec(_spec_source(spec), engine, runs, sampler, top_k)
    fit_or_fail(source.spec.runs, engine, "runs", source if runs is None else None)
    return Uncertainty(run(engine, source.spec, _seed(seed), progress=progress, cancelled=cancelled), engine)


@_edge
def sensitivity(data=None, *, weights=None, year: int | None = None, meta=None, spec=None, samples: int = SAMPLES,
                seed: int | None = None, progress: Progress | None = None,
                cancelled: Stop | None = None) -> Sensitivity:  # fmt: skip
    """Which uncertain input drives each rank? Sobol' first-order and total indices (``trustindex sensitivity``).

    Parameters
    ----------
    data, weights, year, meta
        As for :func:`score`.
    spec : str, path, Spec or mapping, optional
        What is uncertain (as for :func:`uncertainty`).
    samples : int
        Base samples N, a power of 2: N(d + 2) runs.
    seed : int, optional
        The random seed (default: a fresh one).
    progress, cancelled : callables, optional
        Progress (fraction done) and cancellation.

    Returns
    -------
    Sensitivity
        ``to_frame()``: one row per output (``output``, ``status``, ``INPUT:first``, ``INPUT:total``).

    Example
    -------
    >>> import trustindex as ti
    >>> s = ti.sensitivity("coexistence-regimes", samples=64, seed=1)
    >>> s.inputs
    ('weights', 'aggregation')
    """
    from .fit import fit_samples, fitted_spec, power_of_two
    from .sensitivity import sensitivity as run

    samples = _check("samples", samples, low=2, high=2**53, integer=True)
    power_of_two(samples, "samples")
    engine = _engine(data, weights, year, meta)
    chosen = fitted_spec(_spec_source(spec), engine).spec

    def fail(message: str) -> None:
        raise ConfigError(f"samples: {message}", hint="ask for fewer samples")

    fit_samples(samples, engine, chosen, fail)
    found = run(engine, chosen, samples, _seed(seed), progress=progress, cancelled=cancelled)
    return Sensitivity(found, engine)


@_edge
def stability(data=None, *, weights=None, year: int | None = None, meta=None, weight=(), entity: str | None = None,
              top_k: int = TOP_K, floor: float = FLOOR, acceptability: int = ACCEPTABILITY, seed: int | None = None,
              progress: Progress | None = None, cancelled: Stop | None = None) -> Stability:  # fmt: skip
    """How far can each weight move before the ranking changes? (``trustindex stability``)

    Parameters
    ----------
    data, weights, year, meta
        As for :func:`score`.
    weight : str or sequence of str
        The weights to move (default: the pillars'), as ``--weight`` (repeatable).
    entity : str, optional
        Also the interval over which this entity's rank holds.
    top_k : int
        The size of the top set.
    floor : float
        The smallest weight share of a pillar when best and worst ranks are sought, in [0, 1).
    acceptability : int
        Runs of SMAA-2 rank acceptability (0: none).
    seed : int, optional
        The random seed of the acceptability runs (default: a fresh one).
    progress, cancelled : callables, optional
        Progress (fraction of the whole) and cancellation.

    Returns
    -------
    Stability
        ``to_frame(only=)``: ``weights`` (one row per weight moved), ``bounds`` or ``acceptability``.

    Example
    -------
    >>> import trustindex as ti
    >>> s = ti.stability("coexistence-regimes", weight="support")
    >>> s.to_frame()["node"].tolist()
    ['support']
    """
    from .engine import Engine
    from .explain import find_entity
    from .fit import fit_or_fail
    from .stability import analyse

    nodes = (weight,) if isinstance(weight, str) else tuple(weight)
    top_k = _check("top_k", top_k, low=1, high=2**53, integer=True)
    floor = _check("floor", floor, low=0, below=1)
    runs = _check("acceptability", acceptability, low=0, high=2**53, integer=True)
    result = _scored(data, weights, year, meta)
    engine = Engine(result.source or result.dataset, result.weights)
    chosen = None if entity is None else engine.entities[find_entity(result, entity)]
    if runs:
        fit_or_fail(runs, engine, "acceptability")
    found = analyse(engine, nodes, chosen, top_k, floor, runs, _seed(seed) if runs else None, progress, cancelled)
    return Stability(found, engine)


@_edge
def trends(data=None, *, weights=None, meta=None, start: int | None = None, end: int | None = None,
           level: str = "pillar") -> Trends:  # fmt: skip
    """Each entity's score and rank per year of a panel, and the change from ``start`` to ``end`` split exactly
    into the pillars (and indicators) that caused it (``trustindex trends``).

    Parameters
    ----------
    data, weights, meta
        As for :func:`score`; ``data`` names the panel's files or table (a :class:`Dataset` holds one year).
    start, end : int, optional
        The first and last year (default: the panel's).
    level : str
        ``pillar``, or ``indicator`` to show the indicators' shares of each change too.

    Returns
    -------
    Trends
        ``to_frame()``: one row per entity (``entity``, ``name``, each year's score and ``rank_YEAR``,
        ``change`` and each node's share of it).

    Example
    -------
    >>> import trustindex as ti
    >>> t = ti.trends("jp-prefectures", weights="jp-settlement", start=2020, end=2021)
    >>> frame = t.to_frame()
    >>> bool(abs(frame[["stability", "labour", "presence"]].sum(axis=1) - frame["change"]).max() < 1e-9)
    True
    """
    from .pipeline import score as run
    from .trends import span
    from .trends import trends as split

    if isinstance(data, (Dataset, Result)):
        raise ConfigError("trends reads every year of the panel: give its name, folder or table, not a "
                          f"{type(data).__name__} of one year")  # fmt: skip
    if level not in ("pillar", "indicator"):
        raise ConfigError(f"level must be pillar or indicator, not {level!r}")
    start = _optional("start", start, low=1000, high=9999, integer=True)
    end = _optional("end", end, low=1000, high=9999, integer=True)
    dataset, profile = inputs(data, weights, None, meta)
    results = [run(_dataset(data, y, meta), profile) for y in span(dataset, start, end, ("start", "end"))]
    return Trends(split(results), results[-1], level=level)
