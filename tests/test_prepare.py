"""Screening, outlier treatment and imputation in the pipeline, in weights profiles and through ``trustindex score``.

Expected values are worked by hand here (winsorised columns, means, min-max scores, arithmetic means),
never taken from trustindex's output.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_dataset, make_framework, make_weights

from trustindex.cli import cli
from trustindex.errors import ConfigError
from trustindex.io.weights import load_weights
from trustindex.model import Imputation, Thresholds, Treatment, frozen_map, readonly
from trustindex.pipeline import score
from trustindex.prepare import prepare, screen
from trustindex.treat import Treated

nan = math.nan
PREFIX = "trustindex: error: "

BASE = [float(v) for v in range(1, 21)]
ONE = BASE + [30.0, 40.0, 50.0, 60.0, 1000.0]
"""Fails the JRC rule (skew 4.96, kurtosis 24.7); winsorising 1000 → 60 passes (1.56, 1.57): see test_treat."""
ONE_TREATED = BASE + [30.0, 40.0, 50.0, 60.0, 60.0]


def profile(**changes):
    return replace(make_weights(), **changes)


def three_indicators():
    """index → p (a, b), q (c)."""
    return make_framework({"p": None, "q": None}, {"a": "p", "b": "p", "c": "q"})


# --- the pipeline: treat → impute → normalise → aggregate ----------------------------------------------------


B = [float(i % 5) for i in range(25)]
B[3] = B[10] = nan  # observed: five each of 0..4 but one 3 and one 0 → sum 47 over 23
C = [float(i) for i in range(25)]


def integration_dataset():
    return make_dataset(three_indicators(), np.column_stack([ONE, B, C]))


def test_score_treats_imputes_normalises_and_aggregates():
    weights = profile(treatment=Treatment("winsorise", 5), imputation=Imputation("mean"))
    result = score(integration_dataset(), weights)

    a, b, c = np.array(ONE_TREATED), np.array(B), np.array(C)
    b[[3, 10]] = 47 / 23
    np.testing.assert_allclose(result.values, np.column_stack([a, b, c]), rtol=1e-14)

    # min-max to [0, 100] by hand: a over [1, 60], b over [0, 4], c over [0, 24]
    na, nb, nc = (a - 1) / 59 * 100, b / 4 * 100, c / 24 * 100
    p, q = (na + nb) / 2, nc
    column = result.column
    np.testing.assert_allclose(result.scores[:, column("a")], na, rtol=1e-12)
    np.testing.assert_allclose(result.scores[:, column("b")], nb, rtol=1e-12)
    np.testing.assert_allclose(result.scores[:, column("p")], p, rtol=1e-12)
    np.testing.assert_allclose(result.scores[:, column("index")], (p + q) / 2, rtol=1e-12)
    assert result.scores[24, column("a")] == pytest.approx(100.0)  # 1000 no longer squeezes everyone else
    assert result.coverage[3, column("b")] == 1  # an imputed value counts as available

    expected_mask = np.zeros((25, 3), dtype=bool)
    expected_mask[[3, 10], 1] = True
    np.testing.assert_array_equal(result.imputed, expected_mask)
    assert result.treated == (Treated("e24", "a", 1000.0, 60.0, "winsorised"),)

    kinds = {(n.kind, n.node): n for n in result.notices}
    assert kinds["treated", "a"].message == "outliers: 1 value(s) winsorised"
    assert kinds["treated", "a"].entities == ("e24",)
    assert kinds["imputed", "b"].message == "2 missing value(s) imputed (mean)"
    assert kinds["imputed", "b"].entities == ("e3", "e10")
    assert kinds["missing", "b"].entities == ("e3", "e10")  # what was missing is still reported
    assert result.values.flags.writeable is False and result.imputed.flags.writeable is False


def test_without_treatment_or_imputation_nothing_changes():
    dataset = integration_dataset()
    result = score(dataset, make_weights())
    np.testing.assert_array_equal(result.values, dataset.values)
    assert not result.imputed.any()
    assert result.treated == () and result.screened == ()
    assert not {n.kind for n in result.notices} & {"treated", "imputed", "screened"}


def test_every_changed_value_is_recorded_once_and_no_other():
    """Imputation fills the gaps first; the treated values are exactly the cells where the treated column differs
    from the imputed one, each recorded once with both values."""
    rng = np.random.default_rng(3)
    values = rng.lognormal(0, 1.5, (40, 3))
    values[rng.random(values.shape) < 0.1] = nan
    values[5, 0] = 500.0
    dataset = make_dataset(three_indicators(), values)
    result = score(dataset, profile(treatment=Treatment("winsorise", 2), imputation=Imputation("median")))
    treated = [(t.entity, t.indicator) for t in result.treated]
    assert len(treated) == len(set(treated))
    assert {t.method for t in result.treated} <= {"winsorised", "log"}
    assert result.treated, "lognormal(0, 1.5) with a 500 must be treated"
    ids = result.framework.indicator_ids
    observed = ~np.isnan(dataset.values)
    with np.errstate(invalid="ignore"):
        medians = np.nanmedian(dataset.values, axis=0)
    imputed = np.where(observed, dataset.values, medians)  # the median of each column, by numpy, as the fill
    changed = result.values != imputed
    assert {(result.entities[i], ids[j]) for i, j in zip(*np.nonzero(changed), strict=True)} == set(treated)
    for t in result.treated:
        i, j = result.entities.index(t.entity), ids.index(t.indicator)
        assert (t.original, t.treated) == (imputed[i, j], result.values[i, j])
    np.testing.assert_array_equal(result.imputed, ~observed & ~np.isnan(result.values))


def test_imputation_runs_before_treatment():
    """Imputation comes first (the JRC / COINr order): the mean that fills the gap is that of the raw column,
    and the filled value is then treated with the rest."""
    values = np.array(ONE + [nan])[:, None]
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), values)
    result = score(dataset, profile(imputation=Imputation("mean")))
    # (1 + … + 20 + 30 + 40 + 50 + 60 + 1000) / 25 = 1390 / 25 = 55.6
    assert result.values[25, 0] == pytest.approx(55.6, rel=1e-14)
    treated = score(dataset, profile(treatment=Treatment("winsorise", 5), imputation=Imputation("mean")))
    assert treated.imputed[25, 0] and not np.isnan(treated.values[25, 0])
    assert {t.entity for t in treated.treated} >= {dataset.entities[24]}


def test_log_transform_notice_names_every_entity():
    long = [float(v) for v in range(1, 28)] + [500.0, 505.0, 510.0, 515.0]  # needs four points (test_treat)
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), np.array(long)[:, None])
    result = score(dataset, profile(treatment=Treatment("winsorise", 3)))
    c = (515 - 1) / 100
    np.testing.assert_allclose(result.values[:, 0], [math.log(x - 1 + c) for x in long], rtol=1e-14)
    notice = next(n for n in result.notices if n.kind == "treated")
    assert notice.message == "outliers: log-transformed" and notice.node == "a"
    assert notice.entities == dataset.entities
    assert len(result.treated) == len(long)
    # min-max of a monotone transform keeps the order: the ranks are those of the raw values
    np.testing.assert_array_equal(result.rank("a"), np.arange(len(long), 0, -1))


def test_the_profile_audit_thresholds_drive_the_treatment():
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), np.array(ONE)[:, None])
    result = score(dataset, profile(treatment=Treatment("winsorise", 5), audit=Thresholds(max_skew=5.0)))
    assert result.treated == ()
    np.testing.assert_array_equal(result.values[:, 0], ONE)


# --- imputation in the pipeline: groups and panels ----------------------------------------------------------


def fields(prepared):
    """A Prepared record as (values, imputed, treated, notices)."""
    return prepared.values, prepared.imputed, prepared.treated, prepared.notices


def screened_by(dataset, weights) -> tuple[str, ...]:
    """The entities screening leaves out (on the coverage after the profile's imputation)."""
    keep = screen(dataset, weights, prepare(dataset, weights))
    return tuple(e for e, k in zip(dataset.entities, keep, strict=True) if not k)


def grouped_dataset(regions=("N", "N", "N", "S", "S", "X")):
    values = [[1.0], [5.0], [nan], [10.0], [nan], [nan]]
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), values)
    return replace(dataset, labels=frozen_map({"region": tuple(regions)}))


def test_group_mean_through_prepare():
    values, imputed, treated, notices = fields(
        prepare(grouped_dataset(), profile(imputation=Imputation("group-mean", "region")))
    )
    # N: (1 + 5)/2 = 3 → e2; S: 10 → e4; X: nothing observed → e5 stays missing
    np.testing.assert_array_equal(values[:, 0], [1.0, 5.0, 3.0, 10.0, 10.0, nan])
    np.testing.assert_array_equal(imputed[:, 0], [False, False, True, False, True, False])
    assert treated == ()
    (notice,) = notices
    assert (notice.kind, notice.node, notice.entities) == ("imputed", "a", ("e2", "e4"))
    assert notice.message == "2 missing value(s) imputed (group-mean)"


def test_group_entity_left_missing_is_still_reported_missing():
    result = score(grouped_dataset(), profile(imputation=Imputation("group-median", "region")))
    missing = next(n for n in result.notices if n.kind == "missing")
    assert missing.entities == ("e2", "e4", "e5")
    imputed = next(n for n in result.notices if n.kind == "imputed")
    assert imputed.entities == ("e2", "e4")
    assert math.isnan(result.scores[5, 0])
    unranked = next(n for n in result.notices if n.kind == "unranked")
    assert unranked.entities == ("e5",)


def test_group_column_the_dataset_lacks_is_a_config_error():
    with pytest.raises(ConfigError, match="no text column 'regoin'") as info:
        prepare(grouped_dataset(), profile(imputation=Imputation("group-mean", "regoin")))
    assert info.value.hint == "did you mean 'region'?"


def panel_dataset(year: int = 2021):
    """Three years; the scored year's values are history[year]."""
    history = np.array(
        [
            [[1.0], [7.0], [2.0]],  # 2020
            [[nan], [nan], [4.0]],  # 2021
            [[3.0], [nan], [6.0]],  # 2022
        ]
    )
    years = (2020, 2021, 2022)
    at = years.index(year)
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), history[at])
    return replace(dataset, history=readonly(history), years=years, year=year)


def test_carry_forward_through_prepare():
    values, imputed, _, notices = fields(prepare(panel_dataset(2021), profile(imputation=Imputation("carry-forward"))))
    np.testing.assert_array_equal(values[:, 0], [1.0, 7.0, 4.0])
    np.testing.assert_array_equal(imputed[:, 0], [True, True, False])
    assert notices[0].message == "2 missing value(s) imputed (carry-forward)"


def test_interpolate_through_prepare_uses_the_scored_year():
    values, imputed, _, _ = fields(prepare(panel_dataset(2021), profile(imputation=Imputation("interpolate"))))
    # e0: halfway between 1 (2020) and 3 (2022); e1: no later value, so no interpolation
    np.testing.assert_array_equal(values[:, 0], [2.0, nan, 4.0])
    np.testing.assert_array_equal(imputed[:, 0], [True, False, False])


@pytest.mark.parametrize("method", ["carry-forward", "interpolate"])
def test_panel_methods_on_a_cross_section_are_a_config_error(method):
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), [[1.0], [nan], [3.0]])
    with pytest.raises(ConfigError, match="needs a panel dataset"):
        score(dataset, profile(imputation=Imputation(method)))


def test_carry_forward_reads_the_untreated_history_and_is_then_treated_with_its_column():
    long = [float(v) for v in range(1, 28)] + [500.0, 505.0, 510.0, 515.0]
    before, now = np.array(long + [900.0]), np.array(long + [nan])
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), now[:, None])
    dataset = replace(dataset, history=readonly(np.stack([before, now])[:, :, None]), years=(2020, 2021), year=2021)
    plain, *_ = fields(prepare(dataset, profile(imputation=Imputation("carry-forward"))))
    assert plain[-1, 0] == 900.0  # the raw 2020 value
    values, imputed, treated, _ = fields(prepare(dataset, profile(treatment=Treatment("winsorise", 3),
                                                                  imputation=Imputation("carry-forward"))))  # fmt: skip
    assert imputed[-1, 0]
    assert any(t.entity == dataset.entities[-1] and t.original == 900.0 for t in treated)


def test_interpolate_across_uneven_years_weights_by_year():
    history = np.array([[[0.0]], [[nan]], [[10.0]]])  # 2010, 2012, 2015
    dataset = make_dataset(make_framework({"p": None}, {"a": "p"}), history[1])
    dataset = replace(dataset, history=readonly(history), years=(2010, 2012, 2015), year=2012)
    values, *_ = fields(prepare(dataset, profile(imputation=Imputation("interpolate"))))
    assert values[0, 0] == pytest.approx(4.0)  # 0 + (10 − 0) · (2012 − 2010) / (2015 − 2010)


# --- screening ----------------------------------------------------------------------------------------------


def screening_dataset():
    fw = make_framework({"p": None, "q": None}, {"a": "p", "b": "p", "c": "q", "d": "q"})
    values = [
        [1.0, 2.0, 3.0, 4.0],  # e0: 4/4
        [2.0, nan, 1.0, 1.0],  # e1: 3/4
        [9.0, 9.0, nan, nan],  # e2: 2/4
        [3.0, 3.0, 3.0, 3.0],  # e3: 4/4
        [nan, nan, nan, nan],  # e4: 0/4
    ]
    return make_dataset(fw, values)


@pytest.mark.parametrize(
    "threshold, left_out",
    [(0.0, ()), (0.5, ("e4",)), (0.75, ("e2", "e4")), (0.76, ("e1", "e2", "e4")), (1.0, ("e1", "e2", "e4"))],
)
def test_screening_leaves_out_the_right_entities(threshold, left_out):
    dataset = screening_dataset()
    assert screened_by(dataset, profile(screening=threshold)) == left_out
    result = score(dataset, replace(make_weights(min_coverage=0.0), screening=threshold))
    assert result.entities == tuple(e for e in dataset.entities if e not in left_out)
    kept = [dataset.entities.index(e) for e in result.entities]
    np.testing.assert_array_equal(result.dataset.values, dataset.values[kept])


def test_screened_entities_get_a_notice_and_the_rest_are_ranked():
    weights = replace(make_weights(min_coverage=0.5), screening=0.75)  # e1's pillar p scores from a alone
    result = score(screening_dataset(), weights)
    assert result.entities == ("e0", "e1", "e3")
    assert result.screened == ("e2", "e4")
    (notice,) = [n for n in result.notices if n.kind == "screened"]
    assert notice.entities == ("e2", "e4") and notice.node is None
    assert "0.75" in notice.message
    # by hand (min-max over e0, e1, e3): a = 0, 50, 100; b = 0, n/a, 100; c = 100, 0, 100; d = 100, 0, 66.7
    # p = 0, 50 (a alone), 100; q = 100, 0, 83.3; index = 50, 25, 91.7
    np.testing.assert_allclose(result.index_scores(), [50.0, 25.0, (100 + 250 / 3) / 2], rtol=1e-12)
    np.testing.assert_array_equal(result.rank("index"), [2, 3, 1])


def test_screening_is_off_by_default():
    result = score(screening_dataset(), make_weights())
    assert result.screened == () and len(result.entities) == 5


def test_screening_compares_at_three_decimals():
    dataset = make_dataset(three_indicators(), [[1.0, 2.0, nan], [2.0, 3.0, 4.0], [3.0, 1.0, 2.0]])
    assert screened_by(dataset, profile(screening=0.667)) == ()  # 2/3 = 0.6667 → 0.667
    assert screened_by(dataset, profile(screening=0.668)) == ("e0",)


def test_screening_happens_after_treatment():
    """The README's (and COINr's) order: impute, treat, then screen. An entity that screening leaves out still
    took part in the outlier statistics of its columns; only the kept entities' treated values are reported."""
    values = np.column_stack([ONE, [1.0] * 24 + [nan]])
    dataset = make_dataset(make_framework({"p": None}, {"a": "p", "b": "p"}), values)
    weights = profile(screening=0.6, treatment=Treatment("winsorise", 5))
    unscreened = score(dataset, replace(weights, screening=None))
    assert unscreened.treated  # with e24, column a has outliers
    result = score(dataset, weights)
    assert result.screened == ("e24",)
    assert result.treated == tuple(t for t in unscreened.treated if t.entity != "e24")


def test_screening_reads_coverage_after_imputation_unless_raw():
    """e2 lacks half its values; mean imputation fills them, so screening at 0.75 keeps it — unless the
    profile screens on the raw coverage."""
    dataset = screening_dataset()
    imputed = profile(screening=0.75, imputation=Imputation("mean"))
    assert screened_by(dataset, imputed) == ()  # after imputation every entity is complete
    raw = replace(imputed, screening_basis="raw")
    assert screened_by(dataset, raw) == ("e2", "e4")


def test_screening_everything_is_a_config_error():
    dataset = make_dataset(three_indicators(), [[1.0, nan, 2.0], [nan, 1.0, 2.0]])  # each lacks one of three
    with pytest.raises(ConfigError, match="screening at 1 leaves no entity") as info:
        score(dataset, profile(screening=1.0))
    assert info.value.hint == "lower [screening] min_coverage"
    assert score(dataset, profile(screening=0.667)).screened == ()


# --- weights profiles: parsing the four tables --------------------------------------------------------------


def write(tmp_path: Path, body: str, name: str = "w.toml") -> Path:
    path = tmp_path / name
    path.write_text('schema = 1\nname = "test"\n' + body, encoding="utf-8")
    return path


def test_the_four_tables_parse(tmp_path):
    path = write(
        tmp_path,
        """
[treatment]
method = "winsorise"
max_points = 3

[imputation]
method = "group-median"
group = "region"

[screening]
min_coverage = 0.5

[audit]
max_skew = 1.5
max_kurtosis = 3
""",
    )
    weights = load_weights(path)
    assert weights.treatment == Treatment("winsorise", 3)
    assert weights.imputation == Imputation("group-median", "region")
    assert weights.screening == 0.5
    assert weights.audit == Thresholds(max_skew=1.5, max_kurtosis=3.0)
    assert weights.audit.min_alpha == 0.7  # the rest keep their defaults


def test_defaults_when_the_tables_are_absent(tmp_path):
    weights = load_weights(write(tmp_path, ""))
    assert weights.treatment == Treatment("none", 5)
    assert weights.imputation == Imputation("none", None)
    assert weights.screening is None
    assert weights.audit == Thresholds()


def test_winsorise_defaults_to_five_points(tmp_path):
    assert load_weights(write(tmp_path, '[treatment]\nmethod = "winsorise"\n')).treatment.max_points == 5


@pytest.mark.parametrize("method", ["none", "mean", "median", "carry-forward", "interpolate"])
def test_every_ungrouped_imputation_parses(tmp_path, method):
    assert load_weights(write(tmp_path, f'[imputation]\nmethod = "{method}"\n')).imputation == Imputation(method)


# --- errors in the profile: one line, path:line:column, a suggestion -------------------------------------------


def error(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX), result.stderr
    return lines[0][len(PREFIX) :]


def line_of(text: str, start: str, after: str | None = None) -> int:
    """1-based number of the first line starting with ``start`` (after the line starting with ``after``)."""
    lines = text.splitlines()
    first = 0 if after is None else next(n for n, line in enumerate(lines) if line.startswith(after))
    return next(n for n, line in enumerate(lines, start=1) if n > first and line.startswith(start))


PROFILE_ERRORS = [
    (
        '[treatment]\nmethod = "winsorize"\n',
        "method",
        "[treatment]",
        "unknown treatment 'winsorize' (did you mean 'winsorise'?)",
    ),
    (
        '[treatment]\nmethod = "trim"\n',
        "method",
        "[treatment]",
        "unknown treatment 'trim' (expected one of: none, winsorise)",
    ),
    (
        '[imputation]\nmethod = "meen"\n',
        "method",
        "[imputation]",
        "unknown imputation 'meen' (did you mean 'mean'?)",
    ),
    (
        '[imputation]\nmethod = "carry_forward"\n',
        "method",
        "[imputation]",
        "unknown imputation 'carry_forward' (did you mean 'carry-forward'?)",
    ),
    (
        '[imputation]\nmethod = "group-mean"\n',
        "method",
        "[imputation]",
        'group-mean needs the text column that defines the groups (add group = "COLUMN")',
    ),
    (
        '[imputation]\nmethod = "mean"\ngroup = "region"\n',
        "group",
        "[imputation]",
        "group has no effect with 'mean' (remove it, or use group-mean or group-median)",
    ),
    (
        '[imputation]\ngroup = "region"\n',
        "group",
        "[imputation]",
        "group has no effect with 'none' (remove it, or use group-mean or group-median)",
    ),
    (
        '[treatment]\nmethod = "none"\nmax_points = 3\n',
        "max_points",
        "[treatment]",
        "max_points has no effect without treatment (remove it, or method = 'winsorise')",
    ),
    (
        "[treatment]\nmax_points = 3\n",
        "max_points",
        "[treatment]",
        "max_points has no effect without treatment (remove it, or method = 'winsorise')",
    ),
    (
        '[treatment]\nmethod = "winsorise"\nmax_points = -1\n',
        "max_points",
        "[treatment]",
        "max_points must be 0 or more, not -1",
    ),
    (
        '[treatment]\nmethod = "winsorise"\nmax_points = 2.5\n',
        "max_points",
        "[treatment]",
        "max_points must be an integer, not 2.5",
    ),
    (
        '[treatment]\nmethod = "winsorise"\nmax_point = 3\n',
        "max_point",
        "[treatment]",
        "unknown key 'max_point' in [treatment] (did you mean 'max_points'?)",
    ),
    (
        '[imputation]\nmethod = "group-mean"\ngroups = "region"\n',
        "groups",
        "[imputation]",
        "unknown key 'groups' in [imputation] (did you mean 'group'?)",
    ),
    (
        "[screening]\nmin_coverage = 1.5\n",
        "min_coverage",
        "[screening]",
        "min_coverage must lie in [0, 1], not 1.5",
    ),
    (
        "[screening]\nmin_coverag = 0.5\n",
        "min_coverag",
        "[screening]",
        "unknown key 'min_coverag' in [screening] (did you mean 'min_coverage'?)",
    ),
    (
        "[audit]\nmax_skewness = 1.5\n",
        "max_skewness",
        "[audit]",
        "unknown key 'max_skewness' in [audit] (did you mean 'max_skew'?)",
    ),
    (
        '[audit]\nmax_kurtosis = "high"\n',
        "max_kurtosis",
        "[audit]",
        "max_kurtosis must be a finite number, not 'high'",
    ),
]


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A cross-section dataset folder: 25 entities, a text column ``region``, indicators a, b (pillar p), c (q)."""
    return write_dataset(tmp_path / "tiny")


REGIONS = ["north"] * 12 + ["south"] * 13


def write_dataset(folder: Path) -> Path:
    folder.mkdir()
    (folder / "dataset.toml").write_text(
        """schema = 1
name = "tiny"
title = "Tiny test data"
framework = "tiny"

[entity]
id_column = "id"
name_column = "name"

[columns.region]
kind = "text"
label = "Region"

[index]
id = "index"
label = "Index"

[pillars.p]
label = "Pillar P"

[pillars.q]
label = "Pillar Q"

[indicators.a]
label = "Indicator A"
parent = "p"
direction = "higher"

[indicators.b]
label = "Indicator B"
parent = "p"
direction = "higher"

[indicators.c]
label = "Indicator C"
parent = "q"
direction = "higher"
""",
        encoding="utf-8",
    )
    rows = ["id,name,region,a,b,c"]
    for i in range(25):
        b = "" if i == 3 else f"{i % 5:g}"
        rows.append(f"x{i:02d},Place {i:02d},{REGIONS[i]},{ONE[i]:g},{b},{i}")
    (folder / "values.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def score_cli(data: Path, weights: Path, *extra: str):
    return CliRunner().invoke(cli, ["score", "--data", str(data), "--weights", str(weights), *extra])


@pytest.mark.parametrize("body, key, table, expected", PROFILE_ERRORS, ids=[e[3][:40] for e in PROFILE_ERRORS])
def test_profile_errors_name_the_line(tiny, tmp_path, body, key, table, expected):
    path = write(tmp_path, "\n" + body)
    text = path.read_text(encoding="utf-8")
    line = line_of(text, key, after=table)
    assert error(score_cli(tiny, path)) == f"{path}:{line}:1: {expected}"


def test_profile_error_line_with_other_tables_around(tiny, tmp_path):
    path = write(
        tmp_path,
        """
[normalisation]
method = "minmax"

[imputation]        # fill the gaps
method = "mean"
# the regional means would be better
group = "region"

[treatment]
method = "winsorise"
""",
    )
    line = line_of(path.read_text(encoding="utf-8"), "group")
    assert line == 10
    assert error(score_cli(tiny, path)).startswith(f"{path}:10:1: group has no effect with 'mean'")


def test_carry_forward_on_a_cross_section_exits_2(tiny, tmp_path):
    path = write(tmp_path, '\n[imputation]\nmethod = "carry-forward"\n')
    message = error(score_cli(tiny, path))
    assert re.match(re.escape(str(path)) + r"(:\d+(:\d+)?)?: imputation 'carry-forward' needs a panel dataset", message)
    assert message.endswith("(use mean, median or a group method)")


def test_group_column_the_dataset_lacks_exits_2_with_a_suggestion(tiny, tmp_path):
    path = write(tmp_path, '\n[imputation]\nmethod = "group-mean"\ngroup = "regoin"\n')
    message = error(score_cli(tiny, path))
    assert re.match(re.escape(str(path)) + r"(:\d+(:\d+)?)?: no text column 'regoin' in dataset 'tiny'", message)
    assert message.endswith("(did you mean 'region'?)")


def test_group_naming_a_number_column_exits_2(tiny, tmp_path):
    path = write(tmp_path, '\n[imputation]\nmethod = "group-mean"\ngroup = "a"\n')
    assert "no text column 'a'" in error(score_cli(tiny, path))


@pytest.mark.parametrize(
    "body, key",
    [
        ('[imputation]\nmethod = "carry-forward"\n', "method"),
        ('[imputation]\nmethod = "group-mean"\ngroup = "regoin"\n', "group"),
    ],
)
def test_dataset_dependent_imputation_errors_name_the_line(tiny, tmp_path, body, key):
    path = write(tmp_path, "\n" + body)
    line = line_of(path.read_text(encoding="utf-8"), key, after="[imputation]")
    assert error(score_cli(tiny, path)).startswith(f"{path}:{line}:1: ")


def test_screening_everything_exits_2(tmp_path):
    path = write(tmp_path, "\n[screening]\nmin_coverage = 1.0\n")
    # in the tiny data only x03 lacks a value: blank column c for everyone
    folder = tmp_path / "holes"
    write_dataset(folder)
    csv_path = folder / "values.csv"
    rows = csv_path.read_text(encoding="utf-8").splitlines()
    rows = [rows[0]] + [",".join(r.split(",")[:-1] + [""]) for r in rows[1:]]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    message = error(score_cli(folder, path))
    assert "screening at 1 leaves no entity" in message and message.endswith("(lower [screening] min_coverage)")


# --- through the CLI: treatment and imputation notices in every format --------------------------------------


@pytest.fixture
def treated_profile(tmp_path) -> Path:
    return write(
        tmp_path,
        """
[treatment]
method = "winsorise"
max_points = 5

[imputation]
method = "group-mean"
group = "region"
""",
    )


def hand_scores() -> dict[str, dict[str, float]]:
    """Scores by hand: a winsorised (1000 → 60), b[x03] = mean of b over north (x00..x11 except x03)."""
    north_b = [i % 5 for i in range(12) if i != 3]  # 0 1 2 4 0 1 2 3 4 0 1 → 18 / 11
    b = [float(i % 5) for i in range(25)]
    b[3] = sum(north_b) / len(north_b)
    out = {}
    for i in range(25):
        na = (ONE_TREATED[i] - 1) / 59 * 100
        nb = b[i] / 4 * 100
        nc = i / 24 * 100
        out[f"x{i:02d}"] = {"a": na, "b": nb, "c": nc, "p": (na + nb) / 2, "index": ((na + nb) / 2 + nc) / 2}
    return out


def test_score_json_carries_the_treated_and_imputed_notices(tiny, treated_profile):
    result = score_cli(tiny, treated_profile, "-f", "json", "--level", "indicator")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    notices = {(n["kind"], n["node"]): n for n in document["notices"]}
    assert notices["treated", "a"] == {
        "kind": "treated",
        "message": "outliers: 1 value(s) winsorised",
        "node": "a",
        "entities": ["x24"],
    }
    assert notices["imputed", "b"] == {
        "kind": "imputed",
        "message": "1 missing value(s) imputed (group-mean)",
        "node": "b",
        "entities": ["x03"],
    }
    assert notices["missing", "b"]["entities"] == ["x03"]
    expected = hand_scores()
    for entity in document["entities"]:
        for node, value in expected[entity["id"]].items():
            assert entity["scores"][node] == pytest.approx(value, rel=1e-12, abs=1e-12), (entity["id"], node)
    order = sorted(expected, key=lambda e: -expected[e]["index"])
    assert [e["id"] for e in document["entities"]] == order


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_score_footer_shows_the_notices(tiny, treated_profile, fmt):
    result = score_cli(tiny, treated_profile, "-f", fmt)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Notice: Indicator A: outliers: 1 value(s) winsorised (Place 24)" in out
    assert "Notice: Indicator B: 1 missing value(s) imputed (group-mean) (Place 03)" in out
    assert "Notice: Indicator B: 1 missing value(s) (Place 03)" in out


def test_score_csv_stays_data_only(tiny, treated_profile):
    result = score_cli(tiny, treated_profile, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "Notice" not in result.stdout and "winsorised" not in result.stdout


def test_log_transform_notice_in_the_footer(tmp_path, tiny):
    path = write(tmp_path, '\n[treatment]\nmethod = "winsorise"\nmax_points = 0\n')
    result = score_cli(tiny, path)
    assert result.exit_code == 0, result.output
    assert (
        "Notice: Indicator A: outliers: log-transformed (Place 00, Place 01, Place 02, Place 03, Place 04 and 20 more)"
        in result.stdout
    )


def test_screened_notice_in_json(tiny, tmp_path):
    path = write(tmp_path, "\n[screening]\nmin_coverage = 1\n")
    result = score_cli(tiny, path, "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert "x03" not in [e["id"] for e in document["entities"]]
    assert [e["rank"] for e in document["entities"]] == list(range(1, 25))
    screened = [n for n in document["notices"] if n["kind"] == "screened"]
    assert screened == [
        {
            "kind": "screened",
            "message": "left out of the ranking: under 1 of the indicators available",
            "node": None,
            "entities": ["x03"],
        }
    ]


def test_screened_notice_in_the_footer(tiny, tmp_path):
    path = write(tmp_path, "\n[screening]\nmin_coverage = 1\n")
    result = score_cli(tiny, path)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Notice: left out of the ranking: under 1 of the indicators available (Place 03)" in result.stdout


def test_panel_dataset_carry_forward_through_the_cli(tmp_path):
    folder = tmp_path / "panel"
    folder.mkdir()
    (folder / "dataset.toml").write_text(
        """schema = 1
name = "panel"
years = [2020, 2021, 2022]

[entity]
id_column = "id"
name_column = "name"
year_column = "year"

[index]
id = "index"

[pillars.p]
label = "P"

[indicators.a]
parent = "p"
direction = "higher"

[indicators.b]
parent = "p"
direction = "higher"
""",
        encoding="utf-8",
    )
    (folder / "values.csv").write_text(
        "id,name,year,a,b\n"
        "u,U,2020,1,10\nv,V,2020,2,20\nw,W,2020,3,30\n"
        "u,U,2021,4,\nv,V,2021,5,40\nw,W,2021,6,50\n"
        "u,U,2022,,\nv,V,2022,8,60\nw,W,2022,9,70\n",
        encoding="utf-8",
    )
    path = write(tmp_path, '\n[imputation]\nmethod = "carry-forward"\n')
    result = score_cli(folder, path, "-f", "json", "--level", "indicator")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # 2022: u's a ← 4 (2021), u's b ← 10 (2020, across the missing 2021); min-max over u, v, w
    scores = {e["id"]: e["scores"] for e in document["entities"]}
    assert scores["u"]["a"] == 0 and scores["v"]["a"] == pytest.approx(80.0) and scores["w"]["a"] == 100
    assert scores["u"]["b"] == 0 and scores["v"]["b"] == pytest.approx(50 / 60 * 100)
    (notice,) = [n for n in document["notices"] if n["kind"] == "imputed" and n["node"] == "a"]
    assert notice["entities"] == ["u"] and notice["message"] == "1 missing value(s) imputed (carry-forward)"
    result = score_cli(folder, path, "-f", "json", "--level", "indicator", "--year", "2020")
    assert result.exit_code == 0, result.output
    assert not [n for n in json.loads(result.stdout)["notices"] if n["kind"] == "imputed"]
