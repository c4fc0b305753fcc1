"""Weights from intentions: ``fit-weights`` to target shares of effective importance, and PCA weights.

The checks recompute what the fitted weights give with numpy (the index by hand, the squared correlation by
``np.corrcoef``), use a case solved by hand (two uncorrelated pillars: equal effects need w₁σ₁ = w₂σ₂), and
compare PCA weights with an SVD of the standardised scores (another algorithm than the code's eigh).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_dataset, make_framework, make_weights

from trustindex.cli import cli
from trustindex.engine import Engine
from trustindex.errors import ConfigError
from trustindex.fitweights import fit_pca, fit_target
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights

ROOT = Path(__file__).resolve().parents[1]


def two_pillars(a: list[float], b: list[float]):
    """Two pillars of one indicator each, on goalposts [0, 100] (normalised = raw)."""
    framework = make_framework({"p": None, "q": None}, {"x": "p", "y": "q"}, goalposts=(0.0, 100.0))
    return make_dataset(framework, np.column_stack([a, b])), make_weights(method="goalposts")


def r2_shares(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    index = scores @ weights / weights.sum()
    r2 = np.array([np.corrcoef(scores[:, k], index)[0, 1] ** 2 for k in range(scores.shape[1])])
    return r2 / r2.sum()


def test_two_uncorrelated_pillars_by_hand():
    # x = 50 ± 10, y = 50 ± 30 on orthogonal patterns (12 entities): r²ᵢ ∝ wᵢ²σᵢ², equal when w_x / w_y = 3
    sign_a = np.tile([1, -1, 1, -1], 3)
    sign_b = np.tile([1, 1, -1, -1], 3)
    dataset, profile = two_pillars(list(50 + 10 * sign_a), list(50 + 30 * sign_b))
    fitted = fit_target(Engine(dataset, profile), measure="r2", tolerance=1e-4)
    assert fitted.reached and fitted.gap <= 1e-4
    assert fitted.weights == pytest.approx([0.75, 0.25], abs=2e-3)
    np.testing.assert_allclose(fitted.before, [0.1, 0.9], atol=1e-12)  # w = 1 : 1 → 100 : 900
    assert not fitted.caveats


def test_target_shares_are_met_when_recomputed():
    rng = np.random.default_rng(4)
    framework = make_framework({"p": None, "q": None, "s": None}, {"x": "p", "y": "q", "z": "s"},
                               goalposts=(0.0, 100.0))  # fmt: skip
    base = rng.normal(50, 8, 30)
    values = np.column_stack([base + rng.normal(0, 4, 30), 50 + rng.normal(0, 15, 30), base + rng.normal(0, 10, 30)])
    dataset = make_dataset(framework, np.clip(values, 0, 100))
    engine = Engine(dataset, make_weights(method="goalposts"))
    target = np.array([0.5, 0.2, 0.3])
    fitted = fit_target(engine, target, "r2", 0.005)
    assert fitted.reached
    np.testing.assert_allclose(r2_shares(dataset.values, fitted.weights), target, atol=0.005)
    np.testing.assert_allclose(fitted.after, r2_shares(dataset.values, fitted.weights), atol=1e-12)
    assert fitted.weights.sum() == pytest.approx(1.0)


def test_pca_weights_are_the_squared_loadings_of_the_first_component():
    rng = np.random.default_rng(7)
    framework = make_framework({"p": None, "q": None, "s": None}, {"x": "p", "y": "q", "z": "s"},
                               goalposts=(0.0, 100.0))  # fmt: skip
    base = rng.normal(50, 10, 40)
    values = np.clip(np.column_stack([base + rng.normal(0, 3, 40), base + rng.normal(0, 8, 40),
                                      base + rng.normal(0, 20, 40)]), 0, 100)  # fmt: skip
    fitted = fit_pca(Engine(make_dataset(framework, values), make_weights(method="goalposts")))
    z = (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)
    first = np.linalg.svd(z, full_matrices=False)[2][0]
    np.testing.assert_allclose(fitted.weights, first**2 / np.sum(first**2), rtol=1e-10)
    assert fitted.weights[0] > fitted.weights[2]  # the pillar closest to the common factor weighs most
    assert not any("negatively" in c for c in fitted.caveats)


def test_pca_says_when_a_loading_is_negative_and_the_component_unstable():
    rng = np.random.default_rng(3)
    a = rng.normal(50, 10, 20)
    dataset, profile = two_pillars(list(np.clip(a, 0, 100)), list(np.clip(100 - a + rng.normal(0, 15, 20), 0, 100)))
    fitted = fit_pca(Engine(dataset, profile))
    assert any("loads negatively" in c for c in fitted.caveats)
    framework = make_framework({"p": None, "q": None, "s": None}, {"x": "p", "y": "q", "z": "s"},
                               goalposts=(0.0, 100.0))  # fmt: skip
    noise = np.clip(rng.normal(50, 10, (30, 3)), 0, 100)  # independent pillars: no dominant component
    fitted = fit_pca(Engine(make_dataset(framework, noise), make_weights(method="goalposts")))
    assert any("unstable" in c for c in fitted.caveats) and any("weak summary" in c for c in fitted.caveats)


def test_small_fields_say_so_and_a_pillar_that_does_not_vary_is_refused():
    dataset, profile = two_pillars([10, 20, 30, 40], [5, 50, 20, 70])
    assert any("4 entities" in c for c in fit_target(Engine(dataset, profile)).caveats)
    dataset, profile = two_pillars([10, 20, 30, 40], [50, 50, 50, 50])
    with pytest.raises(ConfigError, match="cannot be measured"):
        fit_target(Engine(dataset, profile))


def test_the_command_writes_a_profile_that_says_how(tmp_path):
    out = tmp_path / "fitted.toml"
    done = CliRunner().invoke(cli, ["fit-weights", "--data", "asem", "--target", "Conn=0.7", "--measure", "r2",
                                    "-o", str(out)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Reached" in done.stdout
    text = out.read_text(encoding="utf-8")
    assert "from profile 'asem'" in text and "dataset 'asem'" in text and "squared correlation" in text
    assert 'method = "minmax"' in text  # the base profile's methods, kept
    fitted = load_weights(out)
    dataset = load_dataset(ROOT / "datasets" / "asem")
    engine = Engine(dataset, fitted)
    scores = engine.node_scores(engine.nominal, engine.nominal_variant()).scores[0]
    columns = [engine.nodes.index(n) for n in ("Conn", "Sust")]
    pillars, index = scores[:, columns], scores[:, 0]
    r2 = np.array([np.corrcoef(pillars[:, k], index)[0, 1] ** 2 for k in range(2)])
    np.testing.assert_allclose(r2 / r2.sum(), [0.7, 0.3], atol=0.01)
    assert fitted.weight("Physical") == 1  # the weights below the index are the profile's


@pytest.mark.parametrize(
    "args, message",
    [
        (["--target", "Conect=0.5"], "'Conect' is not a weighted component of the index (did you mean 'Conn'?)"),
        (["--target", "Conn=1.5"], "the share must be a number in (0, 1]"),
        (["--target", "Conn=0.5", "--target", "Sust=0.4"], "the target shares sum to 0.9"),
        (["--method", "pca", "--target", "Conn=0.5"], "--target has no effect with --method pca"),
    ],
)
def test_bad_targets_are_one_line_errors(tmp_path, args, message):
    out = tmp_path / "x.toml"
    done = CliRunner().invoke(cli, ["fit-weights", "--data", "asem", *args, "-o", str(out)])
    assert done.exit_code == 2 and message in done.stderr and done.stderr.count("\n") == 1
    assert not out.exists()


def test_never_writes_over_its_profile(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text((ROOT / "weights" / "asem.toml").read_text(encoding="utf-8"), encoding="utf-8")
    before = mine.read_bytes()
    done = CliRunner().invoke(cli, ["fit-weights", "--data", "asem", "--weights", str(mine), "-o", str(mine)])
    assert done.exit_code == 2 and mine.read_bytes() == before
