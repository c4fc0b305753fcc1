"""The statistical audit: every statistic against an independent computation, and the audit of the ASEM data.

Expectations are computed here without trustindex: the ``statistics`` module, the Excel SKEW and KURT formulas
written out, Cronbach's alpha from its definition, eigenvalues by power iteration with deflation, Pearson and
Spearman by hand (average ranks for ties) and their p-values by integrating Student's t density numerically.
The ASEM outlier flags are recomputed from ../shared/data/asem/asem_idata.csv read with the csv module.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import statistics
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.audit import Audit, audit, correlate, correlations, cronbach_alpha, eigenvalues, pearson_matrix
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Thresholds
from trustindex.pipeline import score

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "datasets" / "asem"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "asem"
NAN = math.nan


# --- independent helpers -----------------------------------------------------------------------


def observed(column):
    return [v for v in column if not math.isnan(v)]


def excel_skew(xs):
    """Excel SKEW: n / ((n-1)(n-2)) * sum(((x - mean) / s)^3), s the sample standard deviation."""
    n = len(xs)
    m, s = statistics.fmean(xs), statistics.stdev(xs)
    return n / ((n - 1) * (n - 2)) * math.fsum(((x - m) / s) ** 3 for x in xs)


def excel_kurt(xs):
    """Excel KURT: n(n+1) / ((n-1)(n-2)(n-3)) * sum(((x - mean) / s)^4) - 3(n-1)^2 / ((n-2)(n-3))."""
    n = len(xs)
    m, s = statistics.fmean(xs), statistics.stdev(xs)
    head = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * math.fsum(((x - m) / s) ** 4 for x in xs)
    return head - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def alpha_by_hand(columns):
    """Cronbach's alpha = k/(k-1) * (1 - sum var_i / var_total), sample variances."""
    k = len(columns)
    totals = [math.fsum(row) for row in zip(*columns, strict=True)]
    return k / (k - 1) * (1 - math.fsum(statistics.variance(c) for c in columns) / statistics.variance(totals))


def pearson_by_hand(a, b):
    ma, mb = statistics.fmean(a), statistics.fmean(b)
    num = math.fsum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    den = math.sqrt(math.fsum((x - ma) ** 2 for x in a) * math.fsum((y - mb) ** 2 for y in b))
    return num / den


def average_ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for t in range(i, j + 1):
            ranks[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def t_two_sided_p(r, n):
    """Two-sided p of a correlation r over n pairs: t = r sqrt((n-2)/(1-r^2)), Student t with n-2 degrees of
    freedom, its density integrated by Simpson's rule."""
    df = n - 2
    t = abs(r) * math.sqrt(df / (1 - r * r))
    const = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def density(u):
        return const * (1 + u * u / df) ** (-(df + 1) / 2)

    steps = 20000
    h = t / steps
    area = density(0) + density(t)
    area += math.fsum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return 1 - 2 * area * h / 3


def correlation_matrix(columns):
    return [[pearson_by_hand(a, b) for b in columns] for a in columns]


def eigenvalues_by_power_iteration(matrix, iterations=5000):
    """All eigenvalues of a symmetric positive semi-definite matrix, largest first (power iteration, deflation)."""
    a = [row[:] for row in matrix]
    k = len(a)
    out = []
    for start in range(k):
        v = [1.0 + 0.1 * ((i + start) % 3) for i in range(k)]
        value = 0.0
        for _ in range(iterations):
            w = [math.fsum(a[i][j] * v[j] for j in range(k)) for i in range(k)]
            norm = math.sqrt(math.fsum(x * x for x in w))
            if norm == 0:
                break
            v = [x / norm for x in w]
            value = math.fsum(v[i] * math.fsum(a[i][j] * v[j] for j in range(k)) for i in range(k))
        out.append(value)
        a = [[a[i][j] - value * v[i] * v[j] for j in range(k)] for i in range(k)]
    return sorted(out, reverse=True)


# --- a small dataset with missing values -------------------------------------------------------

VALUES = [
    # x1    x2     x3    y1    y2
    [1.0, 10.0, 0.0, 5.0, 2.0],
    [2.0, 11.0, 0.0, 3.0, NAN],
    [3.0, 9.5, 1.0, 4.0, 6.0],
    [4.0, 14.0, 0.0, NAN, 1.0],
    [50.0, 12.0, 2.0, 8.0, 7.0],
    [6.0, NAN, 0.0, 1.0, 3.0],
    [7.0, 13.0, 3.0, 6.0, 9.0],
    [8.0, 15.5, 0.0, 2.0, 4.0],
]


@pytest.fixture(scope="module")
def small():
    framework = make_framework(
        {"X": None, "Y": None}, {"x1": "X", "x2": "X", "x3": "X", "y1": "Y", "y2": "Y"}, direction={"x3": -1}
    )
    result = score(make_dataset(framework, VALUES), make_weights(min_coverage=0))
    return result, audit(result)


def column(j):
    return [row[j] for row in VALUES]


@pytest.mark.parametrize("j", range(5))
def test_indicator_statistics_against_the_statistics_module(small, j):
    _, report = small
    s = report.indicators[j]
    xs = observed(column(j))
    assert s.n == len(xs)
    assert s.coverage == pytest.approx(len(xs) / len(VALUES))
    assert s.min == min(xs) and s.max == max(xs)
    assert s.mean == pytest.approx(statistics.fmean(xs), rel=1e-12)
    assert s.median == pytest.approx(statistics.median(xs), rel=1e-12)
    assert s.sd == pytest.approx(statistics.stdev(xs), rel=1e-12)
    assert s.skewness == pytest.approx(excel_skew(xs), rel=1e-9)
    assert s.kurtosis == pytest.approx(excel_kurt(xs), rel=1e-9)
    assert s.zeros == pytest.approx(sum(x == 0 for x in xs) / len(xs))
    assert s.unique == pytest.approx(len(set(xs)) / len(xs))
    assert s.outlier == (abs(excel_skew(xs)) > 2 and excel_kurt(xs) > 3.5)


def test_excel_formulas_on_a_known_case():
    # 1, 2, 3, 4, 10: deviations -3, -2, -1, 0, 6 from the mean 4; sample variance 50/4 = 12.5.
    # SKEW = 5/(4·3) · (Σd³ = 180) / 12.5^1.5 = 1.2·√2; KURT = 5·6/(4·3·2) · (Σd⁴ = 1394) / 12.5² − 3·16/(3·2) = 3.152
    xs = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert excel_skew(xs) == pytest.approx(1.2 * math.sqrt(2), rel=1e-12)
    assert excel_kurt(xs) == pytest.approx(3.152, rel=1e-12)
    framework = make_framework({"P": None}, {"x": "P"})
    report = audit(score(make_dataset(framework, [[x] for x in xs]), make_weights()))
    assert report.indicators[0].skewness == pytest.approx(1.2 * math.sqrt(2), rel=1e-12)
    assert report.indicators[0].kurtosis == pytest.approx(3.152, rel=1e-12)


def test_the_outlier_column_is_flagged_and_its_finding_names_the_numbers(small):
    _, report = small
    x1 = report.indicators[0]
    assert x1.outlier  # 50 among 1..8
    finding = next(f for f in report.findings if f.rule == "outlier")
    assert finding.severity == "warning" and finding.nodes == ("x1",)
    assert finding.values["skewness"] == pytest.approx(excel_skew(observed(column(0))))
    assert f"{x1.skewness:.2f}" in finding.message and f"{x1.kurtosis:.2f}" in finding.message


def test_thresholds_change_the_outlier_rule(small):
    result, _ = small
    xs = observed(column(0))
    relaxed = audit(result, Thresholds(max_skew=excel_skew(xs) + 0.01))
    assert not relaxed.indicators[0].outlier
    assert not any(f.rule == "outlier" for f in relaxed.findings)
    stricter = audit(result, Thresholds(max_kurtosis=excel_kurt(xs) - 0.01))
    assert stricter.indicators[0].outlier
    profile = dataclasses.replace(result.weights, audit=Thresholds(max_skew=100.0))
    assert not audit(score(result.dataset, profile)).indicators[0].outlier


def normalised(result, node):
    return [float(v) for v in result.scores[:, result.column(node)]]


def test_cronbach_alpha_and_alpha_if_deleted_by_hand(small):
    result, report = small
    x = next(p for p in report.pillars if p.node == "X")
    assert x.components == ("x1", "x2", "x3")
    columns = [normalised(result, c) for c in x.components]
    complete = [i for i in range(len(VALUES)) if not any(math.isnan(c[i]) for c in columns)]
    columns = [[c[i] for i in complete] for c in columns]
    assert x.n == len(complete) == 7
    assert x.alpha == pytest.approx(alpha_by_hand(columns), rel=1e-9)
    for i in range(3):
        assert x.alpha_if_deleted[i] == pytest.approx(alpha_by_hand(columns[:i] + columns[i + 1 :]), rel=1e-9)


def test_alpha_with_two_components_has_no_alpha_if_deleted(small):
    result, report = small
    y = next(p for p in report.pillars if p.node == "Y")
    assert y.components == ("y1", "y2")
    a, b = normalised(result, "y1"), normalised(result, "y2")
    rows = [i for i in range(len(VALUES)) if not (math.isnan(a[i]) or math.isnan(b[i]))]
    assert y.n == len(rows)
    assert y.alpha == pytest.approx(alpha_by_hand([[a[i] for i in rows], [b[i] for i in rows]]), rel=1e-9)
    assert all(math.isnan(d) for d in y.alpha_if_deleted)


def test_alpha_of_identical_columns_is_one_and_of_independent_ones_near_zero():
    x = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]])
    assert cronbach_alpha(x) == pytest.approx(1.0)
    y = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])  # uncorrelated: alpha = 0 exactly
    assert cronbach_alpha(y) == pytest.approx(0.0, abs=1e-12)


def test_pca_two_by_two_by_hand():
    # the correlation matrix [[1, r], [r, 1]] has eigenvalues 1 + |r| and 1 - |r|
    a = [1.0, 2.0, 3.0, 4.0, 6.0]
    b = [2.0, 1.0, 4.0, 3.0, 5.0]
    r = pearson_by_hand(a, b)
    values = eigenvalues(np.column_stack([a, b]))
    assert values == pytest.approx([1 + abs(r), 1 - abs(r)], rel=1e-12)


def test_pca_of_a_pillar_against_power_iteration(small):
    result, report = small
    x = next(p for p in report.pillars if p.node == "X")
    columns = [normalised(result, c) for c in x.components]
    complete = [i for i in range(len(VALUES)) if not any(math.isnan(c[i]) for c in columns)]
    columns = [[c[i] for i in complete] for c in columns]
    expected = eigenvalues_by_power_iteration(correlation_matrix(columns))
    assert list(x.eigenvalues) == pytest.approx(expected, abs=1e-9)
    assert x.first_component == pytest.approx(expected[0] / 3, abs=1e-9)
    assert x.above_one == sum(e > 1 for e in expected)


def test_pearson_spearman_and_p_values_by_hand():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, NAN, 8.0, 9.0, 10.0])
    b = np.array([2.0, 1.0, 4.0, 3.0, 7.0, 5.0, 1.0, NAN, 9.0, 6.0])
    keep = [i for i in range(len(a)) if not (math.isnan(a[i]) or math.isnan(b[i]))]
    xa, xb = [float(a[i]) for i in keep], [float(b[i]) for i in keep]
    n, r, rp, rho, rhop = correlate(a, b)
    assert n == len(keep) == 8
    assert r == pytest.approx(pearson_by_hand(xa, xb), rel=1e-12)
    assert rp == pytest.approx(t_two_sided_p(pearson_by_hand(xa, xb), n), abs=1e-9)
    expected_rho = pearson_by_hand(average_ranks(xa), average_ranks(xb))
    assert rho == pytest.approx(expected_rho, rel=1e-12)
    assert rhop == pytest.approx(t_two_sided_p(expected_rho, n), abs=1e-9)


def test_spearman_with_ties_uses_average_ranks():
    a = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0])
    b = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 6.0, 4.0])
    _, _, _, rho, _ = correlate(a, b)
    assert rho == pytest.approx(pearson_by_hand(average_ranks(list(a)), average_ranks(list(b))), rel=1e-12)


def test_every_pair_at_once_by_hand_with_and_without_missing_rows():
    """Columns 0 and 1 miss no row (their ranks over all rows), column 2 misses one (ranks over the pair's rows)."""
    x = np.array([[1.0, 4.0, 2.0], [2.0, 3.0, NAN], [3.0, 3.0, 1.0], [4.0, 1.0, 5.0], [5.0, 2.0, 4.0], [6.0, 6.0, 6.0]])
    pairs = [(0, 1), (0, 2), (1, 2), (2, 0)]
    for k, (n, r, rp, rho, rhop) in enumerate(zip(*correlations(x, pairs), strict=True)):
        i, j = pairs[k]
        keep = [row for row in range(len(x)) if not (math.isnan(x[row, i]) or math.isnan(x[row, j]))]
        a, b = [float(x[row, i]) for row in keep], [float(x[row, j]) for row in keep]
        expected = pearson_by_hand(average_ranks(a), average_ranks(b))
        assert n == len(keep) and r == pytest.approx(pearson_by_hand(a, b), rel=1e-12)
        assert rp == pytest.approx(t_two_sided_p(pearson_by_hand(a, b), n), abs=1e-9)
        assert rho == pytest.approx(expected, rel=1e-12) and rhop == pytest.approx(t_two_sided_p(expected, n), abs=1e-9)


def test_p_value_with_two_degrees_of_freedom_in_closed_form():
    # with n = 4, t has 2 degrees of freedom and p = 1 - |t| / sqrt(2 + t^2)
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 2.0, 4.0])
    _, r, p, _, _ = correlate(a, b)
    t = r * math.sqrt(2 / (1 - r * r))
    assert p == pytest.approx(1 - abs(t) / math.sqrt(2 + t * t), rel=1e-9)


def test_correlation_is_undefined_for_constant_or_too_short_columns():
    assert all(math.isnan(v) for v in correlate(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))[1:])
    n, *rest = correlate(np.array([1.0, 2.0, NAN]), np.array([1.0, NAN, 3.0]))
    assert n == 1 and all(math.isnan(v) for v in rest)


def test_entity_coverage_by_count(small):
    result, report = small
    for row, e in zip(VALUES, report.entities, strict=True):
        have = sum(not math.isnan(v) for v in row)
        assert e.available == have
        assert e.coverage == pytest.approx(have / 5)
        assert e.below is (have / 5 < 2 / 3)  # 4 of 5 is above two thirds, so no entity here is below


def test_entities_and_indicators_below_coverage_are_errors():
    framework = make_framework({"P": None}, {"a": "P", "b": "P", "c": "P"})
    values = [[1, 2, 3], [2, NAN, NAN], [3, 1, NAN], [4, 5, NAN], [5, 3, 1], [6, 4, NAN]]
    result = score(make_dataset(framework, values), make_weights(min_coverage=0))
    report = audit(result)
    errors = [f for f in report.findings if f.severity == "error" and f.rule == "coverage"]
    # c has 2 of 6 values; e1 has 1 of 3 indicators, e2, e3 and e5 have 2 of 3 (= two thirds: not below)
    assert [f.nodes for f in errors if f.nodes] == [("c",)]
    assert set(errors[0].entities) == {"e1", "e2", "e3", "e5"}
    assert [f.entities for f in errors if not f.nodes] == [("e1",)]
    assert [e.entity for e in report.entities if e.below] == ["e1"]


# --- correlation flags on a constructed dataset ------------------------------------------------


@pytest.fixture(scope="module")
def constructed():
    """A: a1 ≈ a2 (redundant), a3 against both (conflicting, and against its pillar).
    B: b1 ≈ b2, b3 a single spike (weak with its pillar). C: opposite of A (conflicting siblings)."""
    rng = np.random.default_rng(7)
    n = 30
    base = np.linspace(0, 10, n)
    noise = rng.normal(size=(n, 8))
    columns = {
        "a1": base + 0.2 * noise[:, 0],
        "a2": base + 0.2 * noise[:, 1],
        "a3": -base + noise[:, 2],
        "b1": base + 3 * noise[:, 3],
        "b2": base + 3 * noise[:, 4],
        "b3": np.where(np.arange(n) == n // 2, 1.0, 0.0),  # one spike mid-table: unrelated to B
        "c1": -base + 0.5 * noise[:, 6],
        "c2": -base + 0.5 * noise[:, 7],
    }
    framework = make_framework({"A": None, "B": None, "C": None}, {k: k[0].upper() for k in columns})
    values = np.column_stack(list(columns.values()))
    result = score(make_dataset(framework, values), make_weights(min_coverage=0))
    return result, audit(result)


def test_every_flag_follows_the_rule_from_independent_numbers(constructed):
    result, report = constructed
    rules = Thresholds()
    kinds = set()
    for c in report.correlations:
        kinds.add(c.kind)
        a, b = normalised(result, c.first), normalised(result, c.second)
        r = pearson_by_hand(a, b)
        p = t_two_sided_p(r, len(a))
        assert c.n == len(a)
        assert c.pearson == pytest.approx(r, abs=1e-12)
        assert c.pearson_p == pytest.approx(p, abs=1e-8)
        assert c.spearman == pytest.approx(pearson_by_hand(average_ranks(a), average_ranks(b)), abs=1e-12)
        expected = []
        if c.kind in ("within", "siblings", "parent") and r > rules.redundant:
            expected.append("redundant")
        if r < rules.conflicting:
            expected.append("conflicting")
        if c.kind == "parent" and (r < rules.weak or p > rules.significance):
            expected.append("weak")
        assert list(c.flags) == expected, (c.first, c.second, r, p)
    assert kinds == {"within", "siblings", "parent", "index"}


def test_the_constructed_dataset_raises_each_flag(constructed):
    _, report = constructed
    flagged = {(c.kind, c.first, c.second): c.flags for c in report.correlations}
    assert "redundant" in flagged["within", "a1", "a2"]
    assert "conflicting" in flagged["within", "a1", "a3"]
    assert "conflicting" in flagged["parent", "a3", "A"]
    assert "weak" in flagged["parent", "b3", "B"]
    assert "conflicting" in flagged["siblings", "A", "C"]
    assert flagged["within", "b1", "b2"] == ()


def test_findings_are_ordered_by_severity_and_name_their_rule(constructed):
    _, report = constructed
    order = ["error", "warning", "notice"]
    ranks = [order.index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks)
    by_rule = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert [f.nodes for f in by_rule["conflicting"] if f.severity == "error"] == [("a3", "A")]
    assert ("a1", "a2") in [f.nodes for f in by_rule["redundant"]]
    assert ("A", "C") in [f.nodes for f in by_rule["conflicting"]]
    assert any(f.nodes == ("b3", "B") and f.severity == "warning" for f in by_rule["weak"])
    assert any(f.nodes == ("A",) for f in by_rule["alpha"])  # a3 pulls A apart
    for f in report.findings:
        for key, value in f.values.items():
            assert isinstance(value, (int, float)), key


def test_a_sub_pillar_correlates_with_the_index_too():
    framework = make_framework({"P": None, "S": "P", "T": "P", "Q": None}, {"s1": "S", "s2": "S", "t1": "T",
                               "q1": "Q", "q2": "Q"})  # fmt: skip
    rng = np.random.default_rng(3)
    result = score(make_dataset(framework, rng.normal(size=(12, 5))), make_weights())
    report = audit(result)
    pairs = {(c.kind, c.first, c.second) for c in report.correlations}
    assert ("siblings", "S", "T") in pairs and ("siblings", "P", "Q") in pairs
    assert ("index", "s1", "index") in pairs and ("index", "S", "index") in pairs
    assert ("parent", "s1", "S") in pairs and ("parent", "S", "P") in pairs
    assert ("parent", "t1", "T") not in pairs  # a lone component is its parent, up to scale
    assert [p.node for p in report.pillars] == ["index", "P", "S", "Q"]


def test_the_audit_is_frozen(small):
    _, report = small
    assert isinstance(report, Audit)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.indicators[0].outlier = False


# --- the ASEM data -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asem():
    result = score(load_dataset(ASEM), load_weights(ROOT / "weights" / "asem.toml"))
    return result, audit(result)


@pytest.fixture(scope="module")
def asem_source():
    if not (SHARED / "asem_idata.csv").is_file():
        pytest.skip(f"the source files are not at {SHARED}")
    with open(SHARED / "asem_imeta.csv", encoding="utf-8", newline="") as stream:
        meta = [r for r in csv.DictReader(stream) if r["Type"] == "Indicator"]
    with open(SHARED / "asem_idata.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [m["iCode"] for m in meta], rows


def test_asem_outlier_flags_match_the_rule_computed_from_the_source(asem, asem_source):
    _, report = asem
    codes, rows = asem_source
    expected = set()
    for code in codes:
        xs = [float(r[code]) for r in rows if r[code] != ""]
        if abs(excel_skew(xs)) > 2 and excel_kurt(xs) > 3.5:
            expected.add(code)
    assert {s.indicator for s in report.indicators if s.outlier} == expected
    assert {f.nodes[0] for f in report.findings if f.rule == "outlier"} == expected
    assert expected == {
        "Flights", "Bord", "Elec", "Gas", "Goods", "FDI", "CostImpEx", "Tariff", "StMob", "Research", "Pat",
        "CultServ", "CultGood", "Tourist", "Forest", "Poverty", "NGOs", "FemLab",
    }  # fmt: skip


def test_asem_indicator_statistics_match_the_source(asem, asem_source):
    _, report = asem
    codes, rows = asem_source
    assert [s.indicator for s in report.indicators] == codes
    for s in report.indicators:
        xs = [float(r[s.indicator]) for r in rows if r[s.indicator] != ""]
        assert s.n == len(xs) and s.coverage == pytest.approx(len(xs) / 51)
        assert (s.min, s.max) == (min(xs), max(xs))
        assert s.mean == pytest.approx(statistics.fmean(xs), rel=1e-12)
        assert s.median == pytest.approx(statistics.median(xs), rel=1e-12)
        assert s.sd == pytest.approx(statistics.stdev(xs), rel=1e-10)
        assert s.skewness == pytest.approx(excel_skew(xs), rel=1e-9)
        assert s.kurtosis == pytest.approx(excel_kurt(xs), rel=1e-9)


def test_asem_entity_coverage(asem, asem_source):
    _, report = asem
    codes, rows = asem_source
    for e, row in zip(report.entities, rows, strict=True):
        assert e.entity == row["uCode"]
        assert e.available == sum(row[c] != "" for c in codes)
    assert not any(e.below for e in report.entities)  # the sparsest, Brunei, has 39 of 49
    assert min(e.available for e in report.entities) == 39


def test_asem_pillars_are_the_aggregates_with_two_components(asem):
    _, report = asem
    assert [p.node for p in report.pillars] == [
        "Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin",
    ]  # fmt: skip
    assert next(p for p in report.pillars if p.node == "Social").n == 37


def test_asem_main_findings(asem):
    result, report = asem
    errors = [f for f in report.findings if f.severity == "error"]
    assert [(f.rule, f.nodes) for f in errors] == [("conflicting", ("TBTs", "Instit"))]
    alpha = {f.nodes[0] for f in report.findings if f.rule == "alpha"}
    assert {"Instit", "Sust", "SusEcFin", "Environ", "Political"} <= alpha
    weak = {f.nodes[0] for f in report.findings if f.rule == "weak"}
    assert "Forest" in weak
    # the conflict is real in the normalised scores: TBTs (lower is better) against its pillar
    pairs = [(a, b) for a, b in zip(normalised(result, "TBTs"), normalised(result, "Instit"), strict=True)]
    kept = [(a, b) for a, b in pairs if not math.isnan(a)]
    r = pearson_by_hand([a for a, _ in kept], [b for _, b in kept])
    assert r < -0.4


# --- small n ---------------------------------------------------------------------------------------


def _two_opposed(n: int):
    """Two indicators of one pillar that run against each other exactly (r = −1): a conflicting pair and a
    negative alpha at any n."""
    framework = make_framework({"p": None}, {"a": "p", "b": "p"})
    x = np.arange(n, dtype=float)
    return score(make_dataset(framework, np.column_stack([x, -x + 0.5 * (x % 2)])), make_weights())


@pytest.mark.parametrize("n", [4, 9])
def test_below_ten_entities_the_audit_leads_with_a_notice_and_flags_only_notices(n):
    report = audit(_two_opposed(n))
    first = report.findings[0]
    assert (first.severity, first.rule) == ("notice", "small-n") and f"only {n} entities" in first.message
    noisy = [f for f in report.findings if f.rule in ("alpha", "conflicting", "redundant", "weak", "dimensions")]
    assert noisy and all(f.severity == "notice" for f in noisy)


def test_at_ten_entities_the_same_findings_are_warnings():
    report = audit(_two_opposed(10))
    assert all(f.rule != "small-n" for f in report.findings)
    assert {f.severity for f in report.findings if f.rule in ("alpha", "conflicting")} - {"notice"}


def test_pearson_matrix_pair_by_pair_by_hand():
    """Every pair over the rows where both are observed, by the by-hand formula; NaN where a column is constant
    on those rows or fewer than three remain; the counts are those rows."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(12, 5)) * [1, 10, 100, 1e-3, 1]
    x[rng.random(x.shape) < 0.2] = NAN
    x[:, 4] = 7.0
    x[[0, 5], 4] = [1.0, NAN]
    x[:, 3] = NAN
    x[[1, 2, 6], 3] = [1.0, 2.0, 4.0]
    r, counts = pearson_matrix(x)
    for i in range(5):
        for j in range(5):
            keep = [k for k in range(12) if not (math.isnan(x[k, i]) or math.isnan(x[k, j]))]
            a, b = [float(x[k, i]) for k in keep], [float(x[k, j]) for k in keep]
            assert counts[i, j] == len(keep)
            if len(keep) < 3 or len(set(a)) == 1 or len(set(b)) == 1:
                assert math.isnan(r[i, j]), (i, j)
            else:
                assert r[i, j] == pytest.approx(pearson_by_hand(a, b), rel=1e-12, abs=1e-15)
    assert (r == r.T)[~np.isnan(r)].all()
