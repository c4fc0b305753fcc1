"""trustindex.io.spec: every key of an uncertainty specification, and every error with its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustindex.errors import ConfigError
from trustindex.io.spec import DEFAULT, load_spec
from trustindex.model import Aggregation, Normalisation, Spec, WeightSpec

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_benchmark_spec():
    spec = load_spec(ROOT / "benchmarks" / "asem-spec.toml")
    assert spec == Spec(
        runs=1000,
        sampler="sobol",
        weights=WeightSpec("uniform", 0.25, 100.0, ("pillar", "sub-pillar")),
        normalisation=(Normalisation("minmax", (1.0, 100.0)), Normalisation("zscore", (0.0, 100.0), 10.0, 2.0)),
        aggregation=(Aggregation("arithmetic"), Aggregation("geometric")),
        aggregation_levels=("index", "pillar", "sub-pillar"),
    )


def test_every_key(tmp_path):
    path = write(
        tmp_path,
        """\
# every key, with comments
schema = 1
runs = 4096
sampler = "random"
top_k = 5

[weights]
distribution = "dirichlet"
concentration = 50
levels = ["pillar", "indicator"]

[normalisation]
alternatives = ["goalposts", { method = "minmax", range = [1, 100] }, { method = "zscore", mean = 10, sd = 2 }]

[aggregation]
alternatives = ["arithmetic", { method = "power", p = 0.5 }, "copeland"]
levels = ["index", "pillar"]

[treatment]
alternatives = ["none", { method = "winsorise", max_points = 3 }]

[imputation]
alternatives = ["none", "mean", "median"]

[leave_out]
nodes = ["support", "tax_link"]
""",
    )
    assert load_spec(path) == Spec(
        runs=4096,
        sampler="random",
        weights=WeightSpec("dirichlet", 0.25, 50.0, ("pillar", "indicator")),
        normalisation=(
            Normalisation("goalposts"),
            Normalisation("minmax", (1.0, 100.0)),
            Normalisation("zscore", mean=10.0, sd=2.0),
        ),
        aggregation=(Aggregation("arithmetic"), Aggregation("power", 0.5), Aggregation("copeland")),
        aggregation_levels=("index", "pillar"),
        treatment=(("none", 5), ("winsorise", 3)),
        imputation=("none", "mean", "median"),
        leave_out=("support", "tax_link"),
        top_k=5,
    )


def test_defaults_of_a_minimal_file(tmp_path):
    # only [weights]: the rest nominal; the weights table's defaults are the JRC ±25 % at pillar and sub-pillar
    spec = load_spec(write(tmp_path, "schema = 1\n[weights]\n"))
    assert spec == Spec(weights=WeightSpec(), aggregation=())
    assert (spec.runs, spec.sampler, spec.top_k) == (DEFAULT.runs, DEFAULT.sampler, DEFAULT.top_k)
    assert load_spec(write(tmp_path, 'schema = 1\n[weights]\ndistribution = "simplex"\n')).weights == WeightSpec(
        "simplex"
    )
    uniform = load_spec(write(tmp_path, "schema = 1\n[weights]\nspread = 0.1\n"))
    assert uniform.weights == WeightSpec("uniform", 0.1) and uniform.aggregation == ()
    only = load_spec(write(tmp_path, 'schema = 1\n[aggregation]\nalternatives = ["arithmetic", "geometric"]\n'))
    assert only.weights is None and only.aggregation_levels == ("index",)


# Each case: the file (after a first line `schema = 1`, unless it starts with `!`), then the line and column
# the error must name (None: no line; a text: the column where that text starts on the line, for an error
# about one element of a list), and the message (a regular expression).
# fmt: off
ERRORS = [
    # unknown keys, with a suggestion
    ('runz = 5\n[weights]\n', 2, 1, r"unknown key 'runz' at the top level \(did you mean 'runs'\?\)"),
    ('[weights]\nspred = 0.2\n', 3, 1, r"unknown key 'spred' in \[weights\] \(did you mean 'spread'\?\)"),
    ('[aggregation]\nalternatives = ["arithmetic", "geometric"]\nlevel = ["index"]\n', 4, 1,
     r"unknown key 'level' in \[aggregation\] \(did you mean 'levels'\?\)"),
    ('[normalisation]\nalternatives = [{ method = "minmax", rnage = [1, 100] }, "zscore"]\n', 3, "{",
     r"unknown key 'rnage' in an alternative \(did you mean 'range'\?\)"),
    ('[treatment]\nalternatives = ["none", { method = "winsorise", maxpoints = 3 }]\n', 3, "{",
     r"unknown key 'maxpoints' in an alternative \(did you mean 'max_points'\?\)"),
    ('[aggregation]\nalternatives = [{ method = "arithmetic", min_coverage = 0.5 }, "geometric"]\n', 3, "{",
     "unknown key 'min_coverage' in an alternative"),
    ('[leave_out]\nnode = ["support"]\n', 3, 1, "unknown key 'node' .*did you mean 'nodes'"),
    # schema and the top level
    ('![weights]\n', None, None, "missing key 'schema'"),
    ('!schema = 2\n[weights]\n', 1, 1, "unsupported schema"),
    ('runs = 1\n[weights]\n', 2, 1, "runs must be 2 or more, not 1"),
    ('runs = "many"\n[weights]\n', 2, 1, "runs must be an integer"),
    ('sampler = "sobel"\n[weights]\n', 2, 1, r"unknown sampler 'sobel' \(did you mean 'sobol'\?\)"),
    ('top_k = 0\n[weights]\n', 2, 1, "top_k must be 1 or more, not 0"),
    ('runs = 10\n', None, None, "nothing is uncertain in this specification"),
    ('weights = 3\n', 2, 1, "weights must be a table"),
    # weights
    ('[weights]\nspread = 0\n', 3, 1, r"spread must lie in \(0, 1\), not 0"),
    ('[weights]\nspread = 1.5\n', 3, 1, r"spread must lie in \(0, 1\), not 1.5"),
    ('[weights]\n  spread = -0.1\n', 3, 3, r"spread must lie in \(0, 1\)"),
    ('[weights]\ndistribution = "dirichlet"\nspread = 0.2\n', 4, 1, "spread has no effect with 'dirichlet'"),
    ('[weights]\ndistribution = "simplex"\nspread = 0.2\n', 4, 1, "spread has no effect with 'simplex'"),
    ('[weights]\nconcentration = 5\n', 3, 1, "concentration has no effect with 'uniform'"),
    ('[weights]\ndistribution = "dirichlet"\nconcentration = 0\n', 4, 1,
     r"concentration must lie in \[1, 1e\+06\], not 0"),
    ('[weights]\ndistribution = "normal"\n', 3, 1, "unknown distribution 'normal'"),
    ('[weights]\nlevels = ["pilar"]\n', 3, '"pilar"', r"unknown level 'pilar' \(did you mean 'pillar'\?\)"),
    ('[weights]\nlevels = []\n', 3, 1, "levels names no level"),
    ('[weights]\nlevels = "pillar"\n', 3, 1, "levels must be a list of strings"),
    # a single alternative, or the same one twice
    ('[aggregation]\nalternatives = ["geometric"]\n', 3, 1, "give two or more alternatives"),
    ('[normalisation]\nalternatives = ["minmax"]\n', 3, 1, "give two or more alternatives"),
    ('[treatment]\nalternatives = ["winsorise"]\n', 3, 1, "give two or more alternatives"),
    ('[imputation]\nalternatives = ["mean"]\n', 3, 1, "give two or more alternatives"),
    ('[aggregation]\nalternatives = ["arithmetic", "arithmetic"]\n', 3, '"arithmetic"]', "listed twice"),
    ('[imputation]\nalternatives = ["mean", "mean"]\n', 3, '"mean"]', "listed twice"),
    ('[aggregation]\nlevels = ["index"]\n', 2, 1, r"missing key 'alternatives' in \[aggregation\]"),
    # unknown alternatives
    ('[normalisation]\nalternatives = ["minmx", "zscore"]\n', 3, '"minmx"',
     r"unknown normalisation method 'minmx' \(did you mean 'minmax'\?\)"),
    ('[normalisation]\nalternatives = [3, "zscore"]\n', 3, "3,", "a method name or a table, not 3"),
    ('[aggregation]\nalternatives = ["geometrc", "arithmetic"]\n', 3, '"geometrc"', "unknown aggregation alternative"),
    ('[aggregation]\nalternatives = ["power", "arithmetic"]\n', 3, '"power"', "p goes with method 'power'"),
    ('[aggregation]\nalternatives = [{ method = "geometric", p = 2 }, "arithmetic"]\n', 3, "{",
     "p goes with method 'power'"),
    ('[treatment]\nalternatives = ["none", "winsorize"]\n', 3, '"winsorize"', "unknown treatment 'winsorize'"),
    ('[imputation]\nalternatives = ["mean", "group-mean"]\n', 3, '"group-mean"',
     "unsupported imputation alternative 'group-mean'"),
    ('[imputation]\nalternatives = ["mean", "guess"]\n', 3, '"guess"', "unsupported imputation alternative 'guess'"),
    # the values inside alternatives
    ('[normalisation]\nalternatives = [{ method = "minmax", range = [1] }, "zscore"]\n', 3, "{",
     "range must be a pair of numbers"),
    ('[normalisation]\nalternatives = [{ method = "minmax", range = [100, 1] }, "zscore"]\n', 3, "{",
     r"range must be \[low, high\] with low < high"),
    ('[normalisation]\nalternatives = [{ method = "zscore", sd = 0 }, "minmax"]\n', 3, "{", "sd must be positive"),
    ('[normalisation]\nalternatives = [{ method = "zscore", mean = "ten" }, "minmax"]\n', 3, "{",
     "mean must be a finite number, not 'ten'"),
    ('[normalisation]\nalternatives = ["dist2ref", "minmax"]\n', 3, '"dist2ref"',
     "dist2ref needs the reference entity"),
    ('[normalisation]\nalternatives = [{ method = "minmax", reference = "japan" }, "zscore"]\n', 3, "{",
     "reference has no effect with method 'minmax'"),
    ('[normalisation]\nalternatives = [{ method = "zscore", sd_basis = "populaton" }, "minmax"]\n', 3, "{",
     r"unknown sd_basis 'populaton' \(did you mean 'population'\?\)"),
    ('[normalisation]\nalternatives = [{ method = "dist2ref", reference = "japan", cap = 1 }, "minmax"]\n', 3, "{",
     "cap must be"),
    ('[aggregation]\nalternatives = [{ method = "power", p = "half" }, "arithmetic"]\n', 3, "{",
     "p must be a finite number"),
    ('[treatment]\nalternatives = ["none", { method = "winsorise", max_points = -1 }]\n', 3, "{",
     "max_points must be 0 or more"),
    ('[treatment]\nalternatives = ["none", { method = "winsorise", max_points = 2.5 }]\n', 3, "{",
     "max_points must be an integer"),
    # levels of the aggregation alternatives
    ('[aggregation]\nalternatives = ["arithmetic", "geometric"]\nlevels = ["indicator"]\n', 4, '"indicator"',
     "unknown level 'indicator'"),
    ('[aggregation]\nalternatives = ["arithmetic", "geometric"]\nlevels = ["pilar"]\n', 4, '"pilar"',
     r"unknown level 'pilar' \(did you mean 'pillar'\?\)"),
    # leave_out
    ('[leave_out]\nnodes = []\n', 3, 1, "leave_out names no node"),
    ('[leave_out]\nnodes = "support"\n', 3, 1, "nodes must be a list of strings"),
    # TOML itself
    ('[weights\n', 2, None, "TOML syntax error"),
]
# fmt: on


@pytest.mark.parametrize("text, line, column, message", ERRORS)
def test_errors_name_the_line(tmp_path, text, line, column, message):
    content = text[1:] if text.startswith("!") else "schema = 1\n" + text
    path = write(tmp_path, content)
    if isinstance(column, str):
        column = content.split("\n")[line - 1].index(column) + 1
    with pytest.raises(ConfigError, match=message) as caught:
        load_spec(path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line
    if column is not None:
        assert error.column == column
    where = f"{path}:{line}:{column}: " if line and column else f"{path}:{line}:" if line else f"{path}: "
    assert str(error).startswith(where)
    assert "\n" not in str(error)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_spec(tmp_path / "nope.toml")


def test_an_error_deep_in_a_longer_file(tmp_path):
    text = "# a specification\nschema = 1\nruns = 500\n\n[weights]\nspread = 0.25\n\n[aggregation]\n" + (
        'alternatives = ["arithmetic", "geometric"]\nlevels = ["index", "sub_pillar"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_spec(write(tmp_path, text))
    assert (caught.value.line, caught.value.column) == (10, len('levels = ["index", ') + 1)  # at the element
    assert "unknown level 'sub_pillar'" in str(caught.value) and "did you mean 'sub-pillar'?" in str(caught.value)
