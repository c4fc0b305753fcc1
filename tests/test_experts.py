"""Weights from several people: ``trustindex experts`` and the ``[weightings]`` of uncertainty specifications.

Expected shares are worked by hand; each weighting of a written specification is checked against scoring with
that expert's own profile file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_dataset, make_framework, make_weights

from trustindex.cli import cli
from trustindex.engine import Engine
from trustindex.errors import ConfigError
from trustindex.experts import combine
from trustindex.io.dataset import load_dataset
from trustindex.io.spec import load_spec
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation
from trustindex.pipeline import score
from trustindex.uncertainty import Design

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["balanced", "management-first", "welfare-first"]


def small():
    framework = make_framework({"a": None, "b": None}, {"x": "a", "y": "a", "z": "b"})
    return make_dataset(framework, [[1.0, 2.0, 3.0], [3.0, 1.0, 2.0], [2.0, 3.0, 1.0]])


def test_shares_by_hand():
    dataset = small()
    one, two = make_weights({"a": 2, "b": 1, "x": 1, "y": 3}), make_weights({"a": 1, "b": 3})
    found = combine([one, two], ["one", "two"], dataset)
    # a: 2/3 and 1/4 → 11/24; b: 1/3 and 3/4 → 13/24; x: 1/4 and 1/2 → 3/8; y: 3/4 and 1/2 → 5/8; z: 1
    np.testing.assert_allclose(found.shares, [11 / 24, 13 / 24, 3 / 8, 5 / 8, 1.0], rtol=1e-15)
    np.testing.assert_allclose(found.own[0], [2 / 3, 1 / 3, 1 / 4, 3 / 4, 1.0], rtol=1e-15)
    three = make_weights({"a": 1, "b": 1})
    median = combine([one, two, three], ["one", "two", "three"], dataset, "median")
    # a: median of 2/3, 1/4, 1/2 = 1/2; b: median of 1/3, 3/4, 1/2 = 1/2 (sum 1: unchanged); x: 1/4, 1/2, 1/2 → 1/2,
    # y: 3/4, 1/2, 1/2 → 1/2
    np.testing.assert_allclose(median.shares, [0.5, 0.5, 0.5, 0.5, 1.0], rtol=1e-15)
    four = make_weights({"a": 5, "b": 1, "x": 9, "y": 1})
    renormalised = combine([one, two, four], ["one", "two", "four"], dataset, "median")
    # a: 2/3, 1/4, 5/6 → 2/3; b: 1/3, 3/4, 1/6 → 1/3 (sum 1); x: 1/4, 1/2, 9/10 → 1/2; y: 3/4, 1/2, 1/10 → 1/2
    np.testing.assert_allclose(renormalised.shares[:4], [2 / 3, 1 / 3, 0.5, 0.5], rtol=1e-15)
    odd = combine([make_weights({"x": 1, "y": 0}), make_weights({"x": 2, "y": 1}), make_weights({"x": 1, "y": 1})],
                  ["p", "q", "r"], dataset, "median")  # fmt: skip
    # x: 1, 2/3, 1/2 → 2/3; y: 0, 1/3, 1/2 → 1/3: sum 1
    np.testing.assert_allclose(odd.shares[2:4], [2 / 3, 1 / 3], rtol=1e-15)


def test_relative_weights_combine_as_shares():
    dataset = small()
    scaled = combine([make_weights({"a": 20, "b": 10}), make_weights({"a": 1, "b": 1})], ["p", "q"], dataset)
    plain = combine([make_weights({"a": 2, "b": 1}), make_weights({"a": 3, "b": 3})], ["p", "q"], dataset)
    np.testing.assert_allclose(scaled.shares, plain.shares, rtol=1e-15)


def test_methods_must_agree():
    dataset = small()
    other = make_weights(levels={"index": Aggregation("geometric")})
    with pytest.raises(ConfigError, match="differ in aggregation"):
        combine([make_weights(), other], ["p", "q"], dataset)
    with pytest.raises(ConfigError, match="two or more"):
        combine([make_weights()], ["p"], dataset)


def written(tmp_path: Path, *extra: str):
    out, spec = tmp_path / "panel.toml", tmp_path / "panel-spec.toml"
    done = CliRunner().invoke(cli, ["experts", *SHIPPED, "-o", str(out), "--spec-out", str(spec), "--runs", "64",
                                    *extra])  # fmt: skip
    assert done.exit_code == 0, done.output
    return out, spec, done.stdout


def test_the_profile_written_is_the_mean_and_says_how(tmp_path):
    out, _, stdout = written(tmp_path)
    text = out.read_text(encoding="utf-8")
    assert "From: balanced.toml, management-first.toml, welfare-first.toml (dataset 'coexistence-regimes')" in text
    assert "mean of theirs" in text and 'method = "goalposts"' in text  # the first profile's methods, kept
    profile = load_weights(out)
    dataset = load_dataset(ROOT / "datasets" / "coexistence-regimes")
    # management: balanced 1/4, management-first 2/(2+1+1+1) = 1/2 (its file: 2, 1, 1, 1), welfare-first
    shares = []
    for name in SHIPPED:
        own = load_weights(ROOT / "weights" / f"{name}.toml").for_dataset(dataset.name, dataset.weights)
        total = sum(own.weight(p) for p in ("management", "connectivity", "support", "explainability"))
        shares.append(own.weight("management") / total)
    assert profile.weight("management") == pytest.approx(sum(shares) / 3, rel=1e-15)
    assert "Management" in stdout and "Wrote" in stdout
    assert set(profile.datasets) == {"coexistence-regimes"}  # indicator weights belong to the dataset
    score(dataset, profile)


def test_each_weighting_of_the_spec_is_that_experts_profile(tmp_path):
    out, spec_path, _ = written(tmp_path)
    dataset = load_dataset(ROOT / "datasets" / "coexistence-regimes")
    engine = Engine(dataset, load_weights(out))
    spec = load_spec(spec_path)
    assert [name for name, _ in spec.weightings] == SHIPPED
    design = Design(engine, spec)
    weights, picks = design.decode(np.random.default_rng(1).random((spec.runs, design.dimensions)))
    scores, _ = design.evaluate(weights, picks)
    for r in range(spec.runs):
        own = load_weights(ROOT / "weights" / f"{SHIPPED[picks['weightings'][r]]}.toml")
        np.testing.assert_allclose(scores[r], score(dataset, own).index_scores(), rtol=1e-12)
    assert set(picks["weightings"]) == {0, 1, 2}
    for command in ("uncertainty", "sensitivity"):
        extra = ["--samples", "64"] if command == "sensitivity" else []
        done = CliRunner().invoke(cli, [command, "--weights", str(out), "--spec", str(spec_path), "--seed", "1",
                                        "--quiet", *extra])  # fmt: skip
        assert done.exit_code == 0, done.output
        assert "weightings" in done.stdout


def test_never_writes_over_an_input(tmp_path):
    copy = tmp_path / "mine.toml"
    copy.write_text((ROOT / "weights" / "balanced.toml").read_text(encoding="utf-8"), encoding="utf-8")
    before = copy.read_bytes()
    done = CliRunner().invoke(cli, ["experts", str(copy), "welfare-first", "-o", str(copy)])
    assert done.exit_code == 2 and done.stderr.startswith("trustindex: error:")
    assert copy.read_bytes() == before
    done = CliRunner().invoke(cli, ["experts", "balanced", "welfare-first", "-o", str(tmp_path / "a.toml"),
                                    "--spec-out", str(tmp_path / "a.toml")])  # fmt: skip
    assert done.exit_code == 2 and "the same file" in done.stderr and not (tmp_path / "a.toml").exists()


def test_profiles_with_other_methods_are_refused(tmp_path):
    done = CliRunner().invoke(cli, ["experts", "balanced", "balance-penalised", "-o", str(tmp_path / "p.toml")])
    assert done.exit_code == 2 and "differ in normalisation" in done.stderr
    assert not (tmp_path / "p.toml").exists()


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('[weightings]\nalternatives = [{ name = "a", weights = { support = 1 } }, '
         '{ name = "a", weights = { support = 2 } }]\n', 3, "'a' is listed twice"),
        ('[weightings]\nalternatives = [{ name = "a", weights = { support = -1 } }, '
         '{ name = "b", weights = { support = 2 } }]\n', 3, "negative"),
        ('[weightings]\nalternatives = [{ name = "a" }, { name = "b", weights = { support = 2 } }]\n', 3,
         "needs its name and its weights"),
        ('[weights]\nspread = 0.2\n[weightings]\nalternatives = [{ name = "a", weights = { support = 1 } }, '
         '{ name = "b", weights = { support = 2 } }]\n', 5, r"\[weightings\] and \[weights\] both vary"),
    ],
)  # fmt: skip
def test_spec_errors_name_the_line(tmp_path, text, line, message):
    path = tmp_path / "spec.toml"
    path.write_text("schema = 1\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_spec(path)
    assert caught.value.line == line


def test_a_weighting_of_a_node_the_dataset_lacks_is_refused_at_it(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text('schema = 1\n[weightings]\nalternatives = [\n  { name = "a", weights = { suport = 1 } },\n'
                    '  { name = "b", weights = { support = 2 } },\n]\n', encoding="utf-8")  # fmt: skip
    done = CliRunner().invoke(cli, ["uncertainty", "--spec", str(path), "--seed", "1", "--quiet"])
    assert done.exit_code == 2
    assert f"{path}:4:" in done.stderr and "did you mean 'support'" in done.stderr


def test_zero_weightings_of_a_whole_group_are_refused():
    dataset = small()
    engine = Engine(dataset, make_weights())
    spec = replace(load_spec_default(), weightings=(("p", {"a": 0.0, "b": 0.0}), ("q", {"a": 1.0})))
    with pytest.raises(ConfigError, match="gives every component of 'index' weight 0"):
        Design(engine, spec)


def load_spec_default():
    from trustindex.model import Spec

    return Spec(runs=8, weights=None, aggregation=())
