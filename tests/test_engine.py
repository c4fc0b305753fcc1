"""trustindex.engine against a deliberately naive reference scorer written here.

``pipeline.score`` is now the Engine run once, so it is no oracle for the Engine. The oracle is
:func:`naive_run`: one run, plain Python loops over entities and children, ``decimal`` at 60 digits for the
power means (so x**60 of x = 1e6 neither overflows nor loses its dominant term, by brute precision rather
than by the production's per-entity scaling) and ``math`` for nothing cleverer than ``isnan``. Its only input
from the package is the normalised indicator matrix (``trustindex.normalise.normalise``, tested on its own).

The rules it spells out (README "aggregation", the aggregate/engine docstrings):

* a child takes part when it has positive weight and is live; an aggregate with no weighted child left is
  missing in that run *and left out of its parent's coverage* (its weight counts as 0);
* each entity is aggregated over its available (non-NaN) children with the weights renormalised over them;
* arithmetic Σwx/Σw; geometric exp(Σw ln x/Σw); harmonic p = -1; power (Σw x^p/Σw)^(1/p), p = 0 geometric;
  a zero of positive weight makes geometric, harmonic and p <= 0 means exactly 0;
* Copeland: the percentage of pairwise contests an entity wins, a contest being against another entity with
  at least one component available to both; a wins when the weight of the (common) components on which it
  scores higher exceeds the weight of those on which b does; a draw counts half; values within 1e-9
  (relative, above magnitude 1) and weight margins within 1e-9 of the total weight are draws;
* coverage = available / positive-weight live children, rounded to 3 decimals; below min_coverage the
  aggregate is missing (and flagged "below" when it would otherwise have had a value).
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trustindex.aggregate import NegativeScores
from trustindex.engine import Engine, Variant, plan, run_steps
from trustindex.errors import ConfigError
from trustindex.model import Aggregation, Normalisation
from trustindex.normalise import normalise
from trustindex.pipeline import score

NAN = float("nan")
RTOL = 1e-9


# --- the naive reference scorer -------------------------------------------------------------------------------


def _isnan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


def naive_power_mean(xs: list[float], ws: list[float], method: str, p) -> float:
    """Weighted power mean of ``xs`` (all available, weights > 0; non-negative unless arithmetic), in 60 digits."""
    if method == "arithmetic":
        p = 1.0
    elif method == "geometric":
        p = 0.0
    elif method == "harmonic":
        p = -1.0
    elif p is None:
        p = 1.0
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum(Decimal(w) for w in ws)
        if p <= 0 and any(x == 0 for x in xs):
            return 0.0  # a zero of positive weight decides a geometric, harmonic or p <= 0 mean
        if p == 0:
            log_mean = sum(Decimal(w) * Decimal(x).ln() for x, w in zip(xs, ws, strict=True)) / total
            return float(log_mean.exp())
        P = Decimal(p)
        acc = Decimal(0)
        for x, w in zip(xs, ws, strict=True):
            if x > 0 or P == 1:  # the arithmetic mean takes negative scores (from a Mazziotta–Pareto level below)
                acc += Decimal(w) * Decimal(x) ** P
        mean = acc / total
        if mean == 0:
            return 0.0
        return float(mean ** (Decimal(1) / P))


def naive_mazziotta_pareto(pairs: list[tuple[float, float]]) -> float:
    """M − S²/M of (value, weight) pairs, S² the weighted variance around the weighted mean M, in 60 digits."""
    if not pairs:
        return NAN
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum(Decimal(w) for _, w in pairs)
        mean = sum(Decimal(w) * Decimal(x) for x, w in pairs) / total
        if mean == 0:
            return 0.0
        variance = sum(Decimal(w) * (Decimal(x) - mean) ** 2 for x, w in pairs) / total
        score = mean - variance / mean
        return 0.0 if abs(score) <= Decimal("1e-12") * mean else float(score)  # the documented rounding rule


def _draw(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def naive_copeland(rows: list[list[float]], ws: list[float], field: list[list[float]] | None = None) -> list[float]:
    """Copeland scores of ``rows`` (entities × children) against each other (or against ``field``)."""
    opponents = rows if field is None else field
    tie = 1e-9 * math.fsum(ws)
    out = []
    for a, xa in enumerate(rows):
        if all(_isnan(v) for v in xa):
            out.append(NAN)
            continue
        wins, contests = 0.0, 0
        for b, xb in enumerate(opponents):
            if field is None and a == b:
                continue
            common = [k for k in range(len(ws)) if not _isnan(xa[k]) and not _isnan(xb[k])]
            if not common:
                continue
            contests += 1
            margin = math.fsum(0.0 if _draw(xa[k], xb[k]) else (ws[k] if xa[k] > xb[k] else -ws[k]) for k in common)
            if margin > tie:
                wins += 1
            elif abs(margin) <= tie:
                wins += 0.5
        out.append(100.0 * wins / contests if contests else NAN)
    return out


NEED_POSITIVE = ("geometric", "harmonic", "power", "mazziotta-pareto")
"""The means that refuse negative scores (a Mazziotta–Pareto level below can give them)."""


class NaiveNegative(Exception):
    """The naive scorer met a negative score of positive weight under a mean that needs non-negative ones."""


@dataclasses.dataclass
class NaiveRun:
    scores: dict  # node -> [per entity]
    coverage: dict
    below: dict
    live: dict  # aggregate node -> bool


def naive_run(framework, leaves, weight: dict, aggregation: dict, field: dict | None = None) -> NaiveRun:
    """One run: ``leaves`` entities × indicators (lists, NaN missing), ``weight`` node -> weight, ``aggregation``
    aggregate -> Aggregation; ``field`` (node -> opponents' values) makes Copeland score against fixed rows."""
    n = len(leaves)
    scores, coverage, below, live_of = {}, {}, {}, {}
    for k, ind in enumerate(framework.indicator_ids):
        scores[ind] = [float(leaves[e][k]) for e in range(n)]
        coverage[ind] = [0.0 if _isnan(v) else 1.0 for v in scores[ind]]
        below[ind] = [False] * n
    live = set(framework.indicator_ids)
    for node in framework.aggregates_bottom_up():
        kids = [c for c in framework.children(node) if c in live and weight[c] > 0]
        live_of[node] = bool(kids)
        if not kids:
            scores[node], coverage[node], below[node] = [NAN] * n, [0.0] * n, [False] * n
            continue
        live.add(node)
        spec = aggregation[node]
        ws = [weight[c] for c in kids]
        rows = [[scores[c][e] for c in kids] for e in range(n)]
        if spec.method in NEED_POSITIVE and any(x < 0 for row in rows for x, w in zip(row, ws, strict=True) if w > 0):
            raise NaiveNegative(node)
        if spec.method == "copeland":
            opp = None if field is None else [[field[c][b] for c in kids] for b in range(len(field[kids[0]]))]
            raw = naive_copeland(rows, ws, opp)
        elif spec.method == "mazziotta-pareto":
            raw = [naive_mazziotta_pareto([(x, w) for x, w in zip(rows[e], ws, strict=True) if not _isnan(x)])
                   for e in range(n)]  # fmt: skip
        else:
            raw = []
            for e in range(n):
                avail = [(x, w) for x, w in zip(rows[e], ws, strict=True) if not _isnan(x)]
                raw.append(naive_power_mean([x for x, _ in avail], [w for _, w in avail], spec.method, spec.p)
                           if avail else NAN)  # fmt: skip
        scores[node], coverage[node], below[node] = [], [], []
        for e in range(n):
            share = sum(1 for x in rows[e] if not _isnan(x)) / len(kids)
            cut = round(share, 3) < spec.min_coverage and not _isnan(raw[e])
            scores[node].append(NAN if cut else raw[e])
            coverage[node].append(share)
            below[node].append(cut)
    return NaiveRun(scores, coverage, below, live_of)


# --- building problems ------------------------------------------------------------------------------------------


def leaves_of(dataset, normalisation) -> list[list[float]]:
    return normalise(dataset.values, dataset.framework.indicators, normalisation).tolist()


def variant_of(engine: Engine, normalisation: Normalisation, aggregation: dict) -> Variant:
    return Variant(normalisation, tuple(aggregation[step.node] for step in engine.steps))


def matrix(engine: Engine, run: NaiveRun, what: str) -> np.ndarray:
    """A naive run's field as an entities × nodes array in the engine's node order."""
    table = getattr(run, what)
    return np.array([[table[node][e] for node in engine.nodes] for e in range(len(engine.entities))], dtype=float)


def assert_close(got, expected, scale: float, context=""):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(expected)), f"missing differ {context}\n{got}\n{expected}"
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-12 * scale, err_msg=str(context))


POWERS = [-60.0, -10.0, -2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 10.0, 60.0]
COVERAGES = [0.0, 0.5, 0.6, 2 / 3, 0.666, 0.667, 0.75, 1.0]
RANGES = [(0.0, 100.0), (1.0, 100.0), (0.0, 1.0), (0.0, 1e6), (1.0, 1e6)]


@st.composite
def aggregations(draw):
    method = draw(st.sampled_from(["arithmetic", "geometric", "harmonic", "power", "copeland", "mazziotta-pareto"]))
    p = None
    if method == "power":
        p = draw(st.one_of(st.sampled_from(POWERS), st.floats(-60, 60, allow_nan=False).map(lambda v: round(v, 3))))
    return Aggregation(method, p, draw(st.sampled_from(COVERAGES)))


@st.composite
def frameworks(draw):
    """A random tree: 1–3 pillars, sub-pillars to depth 3, 0–3 indicators per aggregate, sometimes an empty
    aggregate (no indicator beneath it at all)."""
    pillars: dict[str, str | None] = {}
    indicators: dict[str, str] = {}

    def grow(node: str, parent: str | None, depth: int):
        pillars[node] = parent
        subs = draw(st.integers(0, 2)) if depth < 3 else 0
        for s in range(subs):
            grow(f"{node}s{s}", node, depth + 1)
        for _ in range(draw(st.integers(0 if subs else (0 if draw(st.integers(0, 9)) == 0 else 1), 3))):
            indicators[f"i{len(indicators)}"] = node

    for p in range(draw(st.integers(1, 3))):
        grow(f"P{p}", None, 1)
    if not indicators:
        indicators["i0"] = next(iter(pillars))
    direction = {i: draw(st.sampled_from([1, 1, -1])) for i in indicators}
    return make_framework(pillars, indicators, direction=direction)


@st.composite
def problems(draw, max_runs: int = 4):
    framework = draw(frameworks())
    k = len(framework.indicators)
    n = draw(st.integers(1, 7))
    scale = draw(st.sampled_from([1.0, 0.01, 1e3, 1e6]))
    cell = st.one_of(st.integers(0, 12).map(lambda v: v * scale), st.just(NAN))
    rows = [[draw(cell) for _ in range(k)] for _ in range(n)]
    for _ in range(draw(st.integers(0, 2))):  # duplicated entities
        rows.append(list(rows[draw(st.integers(0, n - 1))]))
    normalisation = Normalisation("minmax", draw(st.sampled_from(RANGES)))
    per_node = draw(st.booleans())
    by_level = {level: draw(aggregations()) for level in ("index", "pillar", "sub-pillar")}
    aggregation = {
        node: draw(aggregations()) if per_node else by_level[framework.level(node)]
        for node in framework.aggregates_bottom_up()
    }
    weight = st.one_of(st.just(0.0), st.sampled_from([0.5, 1.0, 2.5]), st.floats(0.01, 10.0))
    nodes = framework.node_ids
    base = [draw(weight) for _ in nodes]
    runs = [base]
    for _ in range(draw(st.integers(0, max_runs - 1))):
        how = draw(st.sampled_from(["same", "tweak", "fresh"]))
        if how == "same":
            runs.append(list(base))
        elif how == "tweak":  # a few weights changed (to zero or not): layers shared, others not
            row = list(base)
            for j in draw(st.lists(st.integers(0, len(nodes) - 1), max_size=3)):
                row[j] = draw(weight)
            runs.append(row)
        else:
            runs.append([draw(weight) for _ in nodes])
    return framework, rows, normalisation, aggregation, by_level, per_node, np.array(runs)


def setup(problem):
    framework, rows, normalisation, aggregation, by_level, per_node, runs = problem
    dataset = make_dataset(framework, rows)
    profile = make_weights(method="minmax", range=normalisation.range)
    engine = Engine(dataset, profile)
    return dataset, engine, leaves_of(dataset, normalisation), variant_of(engine, normalisation, aggregation)


# --- Engine.scores and Engine.node_scores against the naive scorer, run by run --------------------------------


def _example(pillars, indicators, rows, low, high, aggregation, runs):
    framework = make_framework(pillars, indicators)
    by_level = {level: aggregation.get(level, Aggregation()) for level in ("index", "pillar", "sub-pillar")}
    per_node = {n: by_level[framework.level(n)] for n in framework.aggregates_bottom_up()}
    return framework, rows, Normalisation("minmax", (low, high)), per_node, by_level, False, np.array(runs, float)


# Found by this test, shrunk (kept so that it is always tried): P = power mean p = 55 of i0 alone (i1 weighs 0,
# its value 5e5 = the midpoint of a constant column): e0 and e1 have i0 = 0, so P = 0; the engine said NaN.
ZERO_WEIGHT_OVERFLOW = _example({"P": None}, {"i0": "P", "i1": "P"}, [[0.0, 0.0], [0.0, 0.0], [1.0, NAN]], 0.0, 1e6,
                                {"pillar": Aggregation("power", 55.0, 0.0)}, [[0, 0, 0.5, 0]])  # fmt: skip
# Two runs that differ in which child weighs 0, p = -53.7 at the index, minmax onto [1, 1e6]: e0 has P = 1e6 and
# Q = 1. In the second run Q weighs 0, so e0's index is P's 1e6; batched with the first run it came out 999668.7
# (1e6^-53.7 relative to Q's 1 is subnormal), and scored alone NaN.
SHARED_SCALE = _example({"P": None, "Q": None}, {"a": "P", "b": "Q"}, [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], 1.0, 1e6,
                        {"index": Aggregation("power", -53.7, 0.0)}, [[1, 1, 1, 1, 1], [1, 1, 0, 1, 1]])  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
@example(ZERO_WEIGHT_OVERFLOW)
@example(SHARED_SCALE)
def test_engine_scores_and_node_scores_equal_the_naive_scorer(problem):
    framework, _, normalisation, aggregation, *_, runs = problem
    dataset, engine, leaves, variant = setup(problem)
    scale = normalisation.range[1]
    try:
        naive = [naive_run(framework, leaves, dict(zip(engine.nodes, row, strict=True)), aggregation) for row in runs]
    except NaiveNegative:
        with pytest.raises(NegativeScores):
            engine.scores(runs, variant)
        return
    got = engine.scores(runs, variant)
    nodes = engine.node_scores(runs, variant)
    assert got.shape == (len(runs), len(dataset.entities))
    assert nodes.scores.shape == (len(runs), len(dataset.entities), len(engine.nodes))
    steps = [engine.nodes.index(s.node) for s in engine.steps]
    for r, expected in enumerate(naive):
        assert_close(got[r], expected.scores[framework.index.id], max(scale, 100), f"run {r} index")
        assert_close(nodes.scores[r], matrix(engine, expected, "scores"), max(scale, 100), f"run {r} nodes")
        assert np.array_equal(nodes.below[r], matrix(engine, expected, "below").astype(bool)), f"run {r} below"
        np.testing.assert_allclose(nodes.coverage[r], matrix(engine, expected, "coverage"), rtol=0, atol=1e-12,
                                   err_msg=f"run {r} coverage")  # fmt: skip
        live = [expected.live[engine.nodes[c]] for c in steps]
        assert nodes.live[r, steps].tolist() == live, f"run {r} live"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_runs=1))
def test_pipeline_score_equals_the_naive_scorer(problem):
    framework, _, normalisation, _, by_level, _, runs = problem
    dataset = make_dataset(framework, problem[1])
    weight = dict(zip(framework.node_ids, runs[0].tolist(), strict=True))
    # A profile may not zero a whole group (check_fit refuses it); it says "leave this aggregate out" with a
    # zero on the aggregate itself. Rewrite such groups so (bottom-up), and give the naive scorer the same.
    for node in framework.aggregates_bottom_up():
        kids = framework.children(node)
        if kids and not any(weight[c] > 0 for c in kids):
            weight.update(dict.fromkeys(kids, 1.0))
            weight[node] = 0.0
    profile = dataclasses.replace(make_weights(range=normalisation.range), weights=weight,
                                  aggregation={"default": by_level["index"], **by_level})  # fmt: skip
    try:
        expected = naive_run(framework, leaves_of(dataset, normalisation), weight,
                             {n: by_level[framework.level(n)] for n in framework.aggregates_bottom_up()})  # fmt: skip
    except NaiveNegative:
        with pytest.raises(NegativeScores):
            score(dataset, profile)
        return
    result = score(dataset, profile)
    scale = max(normalisation.range[1], 100)
    for j, node in enumerate(result.nodes):
        assert_close(result.scores[:, j], expected.scores[node], scale, node)
        assert result.below_coverage[:, j].tolist() == expected.below[node], node
        if node in framework.indicator_ids or expected.live[node]:
            np.testing.assert_allclose(result.coverage[:, j], expected.coverage[node], rtol=0, atol=1e-12)


# --- run_steps: hypothetical rows, Copeland against a fixed field -------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_runs=1), st.booleans())
def test_run_steps_equals_the_naive_scorer(problem, against_field):
    framework, rows, normalisation, aggregation, *_, runs = problem
    dataset = make_dataset(framework, rows)
    weight = dict(zip(framework.node_ids, runs[0].tolist(), strict=True))
    profile = dataclasses.replace(make_weights(range=normalisation.range), weights=weight)
    steps, _ = plan(framework, profile)
    if not steps:
        return
    steps = tuple(dataclasses.replace(s, aggregation=aggregation[s.node]) for s in steps)
    leaves = leaves_of(dataset, normalisation)
    nodes = framework.node_ids
    first = len(nodes) - len(framework.indicators)
    field = None
    state = np.full((len(leaves), len(nodes)), np.nan)
    state[:, first:] = np.array(leaves, dtype=float).reshape(len(leaves), -1)
    try:
        real = naive_run(framework, leaves, weight, aggregation)
    except NaiveNegative:
        with pytest.raises(NegativeScores):
            run_steps(steps, state)
        return
    if against_field:  # hypothetical rows (the real ones shifted) scored against the real entities' scores
        opponents = np.array([[real.scores[node][e] for node in nodes] for e in range(len(leaves))])
        lo, hi = normalisation.range
        state[:, first:] = np.clip(state[:, first:][::-1] + 0.1 * (hi - lo), lo, hi)
        field = {node: real.scores[node] for node in nodes}
        try:
            expected = naive_run(framework, state[:, first:].tolist(), weight, aggregation, field)
        except NaiveNegative:
            with pytest.raises(NegativeScores):
                run_steps(steps, state, opponents)
            return
        run_steps(steps, state, opponents)
    else:
        run_steps(steps, state)
        expected = real
    for s in steps:
        assert_close(state[:, nodes.index(s.node)], expected.scores[s.node], max(normalisation.range[1], 100), s.node)


# --- by hand ------------------------------------------------------------------------------------------------------


def one_pillar(values, aggregation, p=None, low=0.0, high=1e6, weights=None):
    """Index → P → a, b with goalposts [low, high] onto the same range: normalised values equal raw ones."""
    framework = make_framework({"P": None}, {"a": "P", "b": "P"}, goalposts=(low, high))
    dataset = make_dataset(framework, values)
    profile = make_weights(weights, method="goalposts", range=(low, high), aggregation=aggregation, p=p)
    return dataset, profile


def test_power_60_on_a_million_is_finite_and_right():
    # M = ((x^60 + y^60)/2)^(1/60). (1e6, 5e5): 1e6 * ((1 + 2^-60)/2)^(1/60) = 1e6 * 2^(-1/60) (the 2^-60 term
    # is 1e-18 relative) = 988514.0203...; (1, 1e6) and (0, 1e6): 1e6 * 2^(-1/60) again (1^60 is 1e-360 of it);
    # (1e6, 1e6): 1e6. The naive x^60 = 1e360 overflows a float.
    dataset, profile = one_pillar([[1e6, 5e5], [1, 1e6], [0, 1e6], [1e6, 1e6]], "power", 60)
    got = score(dataset, profile).index_scores()
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, [1e6 * 2 ** (-1 / 60)] * 3 + [1e6], rtol=1e-12)
    engine = Engine(dataset, profile)
    np.testing.assert_allclose(engine.scores(np.tile(engine.nominal, (3, 1)), engine.nominal_variant()),
                               np.tile(got, (3, 1)), rtol=1e-12)  # fmt: skip


def test_power_minus_60_on_a_million_is_finite_and_right():
    # M = ((x^-60 + y^-60)/2)^(-1/60): (1e6, 5e5): 5e5 * ((1 + 2^-60)/2)^(-1/60) = 5e5 * 2^(1/60) = 505809.72...;
    # (1, 1e6): 1 * 2^(1/60) = 1.01161944 (1e6^-60 = 1e-360 underflows, the scaling by the minimum keeps it);
    # (0, 1e6): 0 (a zero decides a p < 0 mean); (2, 2): 2.
    dataset, profile = one_pillar([[1e6, 5e5], [1, 1e6], [0, 1e6], [2, 2]], "power", -60)
    got = score(dataset, profile).index_scores()
    np.testing.assert_allclose(got, [5e5 * 2 ** (1 / 60), 2 ** (1 / 60), 0.0, 2.0], rtol=1e-12)


def test_power_60_with_weights_and_a_gap():
    # weights a = 3, b = 1 and coverage 0: (1e6, 1e5): 1e6 * (3/4 + 1e-60/4)^(1/60) = 1e6 * 0.75^(1/60);
    # (NaN, 7e5): 7e5 (the only available component)
    dataset, profile = one_pillar([[1e6, 1e5], [NAN, 7e5]], "power", 60, weights={"a": 3.0, "b": 1.0})
    profile = dataclasses.replace(profile, aggregation={"default": Aggregation("power", 60.0, 0.0)})
    np.testing.assert_allclose(score(dataset, profile).index_scores(), [1e6 * 0.75 ** (1 / 60), 7e5], rtol=1e-12)


def test_geometric_and_harmonic_zero_of_positive_weight_is_zero_but_not_of_zero_weight():
    # (0, 50): geometric and harmonic 0; with a's weight 0 the zero is left out: 50
    for method in ("geometric", "harmonic"):
        dataset, profile = one_pillar([[0, 50], [25, 100]], method, high=100)
        np.testing.assert_allclose(score(dataset, profile).index_scores()[0], 0.0, atol=0)
        dataset, profile = one_pillar([[0, 50], [25, 100]], method, high=100, weights={"a": 0.0})
        np.testing.assert_allclose(score(dataset, profile).index_scores(), [50, 100], rtol=1e-12)


def test_zero_group_leaves_its_parent_out_of_the_coverage():
    # index ← P (a, b), Q (c), R (d); c weighs 0, so Q has no weighted child: it is left out, and the index's
    # coverage counts P and R only. e1 lacks b: P = a's 100 alone (P coverage 1/2 >= 0.5); e2 lacks c: nothing
    # changes for it. With min_coverage 0.7 at the index, 2 of 3 would cut every index score; 2 of 2 keeps them.
    framework = make_framework({"P": None, "Q": None, "R": None}, {"a": "P", "b": "P", "c": "Q", "d": "R"},
                               goalposts=(0, 100))  # fmt: skip
    dataset = make_dataset(framework, [[10, 20, 30, 40], [100, NAN, 10, 20], [30, 30, NAN, 10]])
    profile = make_weights(
        method="goalposts",
        levels={"index": Aggregation("arithmetic", None, 0.7), "pillar": Aggregation("arithmetic", None, 0.5)},
    )
    engine = Engine(dataset, profile)  # a profile may not zero a whole group; a run may
    row = np.ones(len(engine.nodes))
    row[engine.nodes.index("c")] = 0.0
    run = engine.node_scores(row, engine.nominal_variant())
    q = engine.nodes.index("Q")
    assert np.isnan(run.scores[0, :, q]).all() and not run.live[0, q]
    # e0: P = 15, R = 40 -> 27.5; e1: P = 100, R = 20 -> 60; e2: P = 30, R = 10 -> 20
    np.testing.assert_allclose(run.scores[0, :, 0], [27.5, 60.0, 20.0])
    np.testing.assert_allclose(run.coverage[0, :, 0], [1.0, 1.0, 1.0])
    # and Q's weight 0 on the node itself means the same
    same = dataclasses.replace(profile, weights={"Q": 0.0})
    np.testing.assert_allclose(score(dataset, same).index_scores(), [27.5, 60.0, 20.0])


def test_coverage_rounds_to_three_decimals():
    # 2 of 3 available is 0.6667 -> rounds to 0.667: kept at min_coverage 0.667 (and at 2/3), cut at 0.6671
    framework = make_framework({"P": None}, {"a": "P", "b": "P", "c": "P"}, goalposts=(0, 100))
    dataset = make_dataset(framework, [[10, 20, NAN], [30, 60, 90]])
    for minimum, kept in ((2 / 3, True), (0.667, True), (0.6671, False), (0.668, False)):
        profile = make_weights(method="goalposts", min_coverage=minimum)
        got = score(dataset, profile).index_scores()
        assert (not np.isnan(got[0])) is kept, minimum
        if kept:
            np.testing.assert_allclose(got, [15.0, 60.0])


def test_copeland_by_hand_with_duplicates():
    # x: 3 1 2, y: 1 3 2, z: 2 2 2, x again (x2); equal weights, goalposts [0, 10] keep the values.
    # x vs y: a to x, b to y, c draw -> draw; x vs z: draw; x vs x2: every value equal -> draw; y vs z: draw.
    # Everyone draws everything: 50. With a weighing 2: x beats y (2 > 1), z (2 > 1) and draws x2:
    # (1 + 1 + 0.5)/3 = 83.33; y loses to x, x2 and z (z has a: 2 vs 1): 0; z: loses to x, x2, beats y: 33.33.
    framework = make_framework({"P": None}, {"a": "P", "b": "P", "c": "P"}, goalposts=(0, 10))
    dataset = make_dataset(framework, [[3, 1, 2], [1, 3, 2], [2, 2, 2], [3, 1, 2]], ["x", "y", "z", "x2"])
    engine = Engine(dataset, make_weights(method="goalposts", aggregation="copeland"))
    rows = np.array([[1, 1, 1, 1, 1], [1, 1, 2, 1, 1]], dtype=float)
    got = engine.scores(rows, engine.nominal_variant())
    np.testing.assert_allclose(got[0], [50, 50, 50, 50])
    np.testing.assert_allclose(got[1], [250 / 3, 0, 100 / 3, 250 / 3])


def test_a_run_with_nothing_weighted_scores_nobody():
    framework = make_framework({"P": None}, {"a": "P", "b": "P"})
    dataset = make_dataset(framework, [[1, 2], [3, 4]])
    engine = Engine(dataset, make_weights())
    rows = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 1, 1]], dtype=float)
    got = engine.scores(rows, engine.nominal_variant())
    assert not np.isnan(got[0]).any() and np.isnan(got[1:]).all()


def test_the_oracle_can_fail():
    # The naive scorer is not a copy of the engine: break one rule at a time and it must disagree.
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q"})
    dataset = make_dataset(framework, [[0, 50, 10], [100, 20, NAN], [40, 40, 30]])
    normalisation = Normalisation("minmax", (1.0, 100.0))
    engine = Engine(dataset, make_weights(range=(1.0, 100.0)))
    leaves = leaves_of(dataset, normalisation)
    weight = dict(zip(engine.nodes, [1.0, 1.0, 2.0, 1.0, 3.0, 1.0], strict=True))
    spec = Aggregation("power", 60.0, 0.5)
    aggregation = {n: spec for n in framework.aggregates_bottom_up()}
    got = engine.scores(np.array([list(weight.values())]), variant_of(engine, normalisation, aggregation))[0]
    good = naive_run(framework, leaves, weight, aggregation).scores["index"]
    np.testing.assert_allclose(got, good, rtol=RTOL)
    wrong = naive_run(framework, leaves, weight, {n: Aggregation("power", 59.0, 0.5) for n in aggregation})
    assert not np.allclose(got, wrong.scores["index"], rtol=RTOL)
    with pytest.raises(AssertionError):
        assert_close(got, naive_run(framework, leaves, {**weight, "b": 1.0}, aggregation).scores["index"], 100)


def test_negative_scores_are_refused_by_the_power_means():
    framework = make_framework({"P": None}, {"a": "P", "b": "P"})
    dataset = make_dataset(framework, [[1, 2], [3, 5], [2, 9]])
    profile = dataclasses.replace(make_weights(method="zscore", aggregation="geometric"))
    with pytest.raises(ConfigError, match="non-negative"):
        score(dataset, profile)


@pytest.mark.parametrize(
    "p, values, expected",
    [
        # b weighs 0, so the mean is a's value alone: M({1}) = 1, M({1e6}) = 1e6. b is still present in the data,
        # and b^p relative to a (1e6^60 = 1e360, (1/1e6)^-60 = 1e360) must not overflow into the result.
        (60.0, [[1.0, 1e6], [5e5, 5e5]], [1.0, 5e5]),
        (-60.0, [[1e6, 1.0], [5e5, 5e5]], [1e6, 5e5]),
        (60.0, [[0.0, 1e6], [5e5, 5e5]], [0.0, 5e5]),  # a's 0 alone: the power mean of {0} is 0
    ],
)
def test_power_mean_ignores_a_zero_weight_component_however_large(p, values, expected):
    dataset, profile = one_pillar(values, "power", p, weights={"b": 0.0})
    np.testing.assert_allclose(score(dataset, profile).index_scores(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "p, values, expected",
    [
        # Run 0 weighs a and b (1, 1); run 1 leaves b out (weights 1, 0), so its score is a's value alone:
        # 1e6 for the p < 0 cases, 1 for the p > 0 ones. A run's score may not depend on the other runs of its batch.
        (-60.0, [1e6, 1.0], 1e6),
        (-53.7, [1e6, 1.0], 1e6),
        (60.0, [1.0, 1e6], 1.0),
        (53.7, [1.0, 1e6], 1.0),
    ],
)
def test_a_runs_power_mean_does_not_depend_on_the_other_runs_of_its_batch(p, values, expected):
    dataset, profile = one_pillar([values, [5e5, 5e5]], "power", p)
    engine = Engine(dataset, profile)
    rows = np.array([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=float)
    variant = engine.nominal_variant()
    # run 0 by hand: ((x^p + y^p)/2)^(1/p) with the larger (p > 0) or smaller (p < 0) term dominant
    small, large = min(values), max(values)
    first = (large if p > 0 else small) * 2 ** (-1 / p)
    together = engine.scores(rows, variant)[:, 0]
    np.testing.assert_allclose(together, [first, expected], rtol=1e-12)
    np.testing.assert_allclose(engine.scores(rows[1:], variant)[:, 0], [expected], rtol=1e-12)


def naive_impute(rows, method):
    """Fill each column's gaps with the mean or median of its observed values (statistics module, loops)."""
    import statistics

    out = [list(r) for r in rows]
    for k in range(len(rows[0])):
        seen = [r[k] for r in rows if not _isnan(r[k])]
        if not seen:
            continue
        fill = statistics.fmean(seen) if method == "mean" else statistics.median(seen)
        for r in out:
            if _isnan(r[k]):
                r[k] = fill
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_runs=3), st.sampled_from(["mean", "median"]))
def test_engine_imputation_variants_equal_the_naive_scorer_on_imputed_data(problem, method):
    # a variant's imputation (what uncertainty varies) is applied before normalisation, to every entity
    framework, rows, normalisation, aggregation, *_, runs = problem
    dataset, engine, _, variant = setup(problem)
    variant = dataclasses.replace(variant, imputation=method)
    filled = make_dataset(framework, naive_impute(rows, method))
    leaves = leaves_of(filled, normalisation)
    try:
        naive = [naive_run(framework, leaves, dict(zip(engine.nodes, row, strict=True)), aggregation) for row in runs]
    except NaiveNegative:
        with pytest.raises(NegativeScores):
            engine.scores(runs, variant)
        return
    got = engine.scores(runs, variant)
    for r, expected in enumerate(naive):
        assert_close(got[r], expected.scores[framework.index.id], max(normalisation.range[1], 100), f"run {r}")
