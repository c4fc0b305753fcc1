"""``trustindex report``: the page's numbers against independent ones, its links, that it fetches nothing, the
figures, and the rules every command keeps (inputs refused, one-line errors, exit codes).

Golden numbers of the default dataset are worked out here from values.csv (goalposts 0–100, so a score is the
coded value; pillars and index are plain means): Nordic 64.08, Continental Europe 60.19, Japan 47.15, United
States 44.77 — and moving the support weight, United States passes Japan at a share of 0.4165 (see
test_cli_robustness.py). The uncertainty and Sobol' numbers must be those of the commands for the same seed.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_dataset, make_framework, make_weights

from trustindex.batches import Cancelled
from trustindex.cli import cli
from trustindex.errors import ConfigError
from trustindex.io.registry import load_inputs
from trustindex.model import Normalisation, Spec

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "datasets" / "coexistence-regimes"
QUICK = ("--runs", "200", "--samples", "64", "--seed", "7")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="trustindex")


class Page(HTMLParser):
    """The tables (by caption, else by order), every id, every href and every src of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self._cell = None
        self._caption = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if "src" in attrs:
            self.sources.append(attrs["src"])
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr":
            self._finish()
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._finish()
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1] = (self._caption, self.tables[-1][1])
            self._caption = None
        if tag in ("tr", "table", "tbody", "thead"):
            self._finish()

    def _finish(self):
        if self._cell is not None:
            self.tables[-1][1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell += data

    def table(self, caption: str) -> list[list[str]]:
        return next(rows for title, rows in self.tables if title.startswith(caption))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The default dataset's report, written by the CLI."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = run("report", *QUICK, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines()[-1] == f"trustindex: wrote {out}"
    return out.read_text(encoding="utf-8")


def by_hand() -> dict[str, float]:
    """Index scores of the default dataset from values.csv: each pillar the mean of its indicators' values."""
    dataset, _ = load_inputs(str(DEFAULT), None, None)
    framework = dataset.framework
    with open(DEFAULT / "values.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = {}
    for row in rows:
        pillars = [[float(row[i]) for i in framework.indicators_under(p.id)] for p in framework.pillars]
        out[row["name"]] = sum(sum(p) / len(p) for p in pillars) / len(pillars)
    return out


def test_ranking_scores_and_order_by_hand(written):
    expected = by_hand()
    rows = Page(written).table("Scores, nominal ranks")[1:]
    assert [r[1] for r in rows] == sorted(expected, key=expected.get, reverse=True)
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert {r[1]: float(r[2]) for r in rows} == {n: round(v, 1) for n, v in expected.items()}
    assert expected["Nordic countries"] == pytest.approx(64.08, abs=0.005)


def test_uncertainty_and_sobol_are_the_commands_numbers(written):
    ranks = json.loads(run("uncertainty", "--runs", "200", "--seed", "7", "-f", "json").stdout)
    rows = {r[1]: r for r in Page(written).table("Scores, nominal ranks")[1:]}
    for entity in ranks["entities"]:
        row = rows[entity["name"]]
        assert row[-3] == f"{entity['median_rank']:g}"
        low, high = entity["low_rank"], entity["high_rank"]
        assert row[-2] == (f"{low:.0f}–{high:.0f}" if low != high else f"{low:.0f}")
    indices = json.loads(run("sensitivity", "--samples", "64", "--seed", "7", "-f", "json").stdout)
    shift = next(o for o in indices["outputs"] if o["output"] == "mean rank shift")
    specs = json.loads(re.search(r'id="figure-specs">(.*?)</script>', written, re.S).group(1))
    bars = {(d["input"], d["kind"]): d for d in specs["sobol"]["data"]["values"]}
    for j, name in enumerate(indices["inputs"]):
        assert bars[(name, "first-order S1")]["value"] == pytest.approx(shift["first"][j], abs=1e-12)
        assert bars[(name, "total ST")]["high"] == pytest.approx(shift["total_interval"][j][1], abs=1e-12)


def test_stability_swap_by_hand(written):
    rows = [r for _, table in Page(written).tables for r in table if r and r[0] == "Support" and "passes" in r[-1]]
    share = float(re.search(r"at (0\.\d+) United States passes Japan", rows[0][-1]).group(1))
    assert share == pytest.approx(5.944 / 14.27, abs=1e-3)


def test_illustrative_notice_and_seed_at_the_top(written):
    assert written.index('id="illustrative"') < written.index('<section id="ranking"')
    assert "Illustrative data, not a measurement." in written
    assert "Seed <b id=seed>7</b>" in written
    repeat = "trustindex report --data coexistence-regimes --weights balanced --runs 200 --samples 64 --seed 7"
    assert f"Repeat: <code>{repeat}</code>" in written  # the options that change a number are all there


def test_every_section_every_profile_and_every_link(written):
    page = Page(written)
    for section in ("ranking", "uncertainty", "sensitivity", "stability", "audit", "profiles", "provenance"):
        assert section in page.ids
    for entity in ("nordic", "continental-europe", "japan", "united-states"):
        assert f"entity-{entity}" in page.ids
        assert f"#entity-{entity}" in page.links
    assert all(link[1:] in page.ids for link in page.links if link.startswith("#"))
    for figure in ("ranking", "rank-intervals", "sobol", "stability", "correlations", "pillar-correlations"):
        assert f"figure-{figure}" in page.ids


def test_the_page_fetches_nothing(written):
    page = Page(written)
    assert page.sources == [] and all(link.startswith("#") for link in page.links)
    assert "<link" not in written and "@import" not in written
    specs = json.loads(re.search(r'id="figure-specs">(.*?)</script>', written, re.S).group(1))
    assert '"url"' not in json.dumps(specs)


def test_heat_map_cells_by_hand():
    """Every cell of the indicator heat map is the Pearson r of two columns of normalised scores, by hand."""
    from trustindex.reports.html import analyse, figure_specs

    dataset, weights = load_inputs(str(DEFAULT), None, None)
    report = analyse(dataset, weights, Spec(runs=64), 8, 1)
    spec = figure_specs(report)["correlations"]
    cells = spec["layer"][0]["data"]["values"]
    ids = [i for p in dataset.framework.pillars for i in dataset.framework.children(p.id)]
    values = {ind.id: dataset.values[:, k] for k, ind in enumerate(dataset.framework.indicators)}
    for cell in cells[::7]:
        a, b = values[ids[cell["y"]]], values[ids[cell["x"]]]
        ma, mb = sum(a) / len(a), sum(b) / len(b)
        sab = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
        saa, sbb = sum((x - ma) ** 2 for x in a), sum((y - mb) ** 2 for y in b)
        expected = sab / (saa * sbb) ** 0.5 if saa > 0 and sbb > 0 else None
        assert cell["r"] == (pytest.approx(expected, abs=1e-12) if expected is not None else None)


def test_stdout_and_the_japanese_names(tmp_path):
    result = run("report", "--data", "jp-prefectures", *QUICK, "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and "東京都" in result.stdout
    assert "wrote" not in result.stderr


def test_figures_as_svg_and_png(tmp_path):
    pytest.importorskip("vl_convert", reason="vl-convert-python is not installed (pip install '.[report-test]')")
    out, folder = tmp_path / "r.html", tmp_path / "figures" / "new"
    result = run("report", "--data", "jp-prefectures", *QUICK, "-o", str(out), "--figures", str(folder))
    assert result.exit_code == 0, result.output
    names = {p.name for p in folder.iterdir()}
    for figure in ("ranking", "rank-intervals", "correlations", "pillar-correlations"):
        assert {f"{figure}.svg", f"{figure}.png"} <= names
        assert (folder / f"{figure}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "東京都" in (folder / "ranking.svg").read_text(encoding="utf-8")


def test_figures_without_vl_convert_is_one_error_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "vl_convert", None)
    out = tmp_path / "r.html"
    result = run("report", *QUICK, "-o", str(out), "--figures", str(tmp_path / "f"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "trustindex: error: --figures needs vl-convert-python, which renders the figures as SVG and PNG "
        "(pip install 'trustindex[report]')"
    ]
    assert not out.exists() and not (tmp_path / "f").exists()


def test_never_over_an_input(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT, data)
    before = (data / "values.csv").read_bytes()
    result = run("report", "--data", str(data), *QUICK, "-o", str(data / "values.csv"))
    assert result.exit_code == 2 and "refusing to overwrite an input file" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and (data / "values.csv").read_bytes() == before
    result = run("report", "--data", str(data), *QUICK, "-o", str(tmp_path / "r.html"), "--figures",
                 str(data / "values.csv"))  # fmt: skip
    assert result.exit_code == 2 and "is a file, not a folder" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--samples", "100"), "--samples must be a power of 2, not 100"),
        (("--runs", "1"), "1 is not in [2, "),
        (("--spec", "missing.toml"), "missing.toml"),
    ],
)
def test_usage_errors_are_one_line(args, message, tmp_path):
    result = run("report", "-o", str(tmp_path / "r.html"), *args)
    assert result.exit_code in (2, 3) and len(result.stderr.splitlines()) == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_the_core_function_reports_progress_and_stops(tmp_path):
    """What the TUI calls: progress rises to 1; a cancelled run raises and writes nothing."""
    from trustindex.reports.html import write_report

    dataset, weights = load_inputs(None, None, None)
    seen = []
    write_report(dataset, weights, tmp_path / "r.html", Spec(runs=64), 8, 3, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    assert "Seed <b id=seed>3</b>" in (tmp_path / "r.html").read_text(encoding="utf-8")
    calls = []
    with pytest.raises(Cancelled):
        write_report(dataset, weights, tmp_path / "s.html", Spec(runs=64), 8, 3,
                     cancelled=lambda: calls.append(1) or len(calls) > 3)  # fmt: skip
    assert not (tmp_path / "s.html").exists()


def test_the_core_function_refuses_what_does_not_fit_before_any_work(tmp_path):
    """The TUI calls write_report with the weights on screen: what the CLI refuses, it refuses too."""
    from dataclasses import replace

    from trustindex.reports.html import write_report

    dataset, weights = load_inputs(None, None, None)
    with pytest.raises(ConfigError, match="samples must be a power of 2, not 100"):
        write_report(dataset, weights, tmp_path / "r.html", Spec(runs=64), 100, 3)
    zscores = replace(weights, normalisation=Normalisation("zscore"))  # negative scores: no geometric alternative
    with pytest.raises(ConfigError, match="gives negative scores"):
        write_report(dataset, zscores, tmp_path / "r.html", Spec(runs=64), 8, 3)
    assert list(tmp_path.iterdir()) == []


def test_a_zero_forced_under_the_geometric_alternative_is_a_notice_in_the_uncertainty_section():
    """e2 is the worst on P's only indicator (min-max 0), so its geometric index is 0 (as in test_uncertainty)."""
    from trustindex.reports.html import analyse, page

    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q", "c": "Q"})
    dataset = make_dataset(framework, [[10, 1, 3], [20, 2, 2], [5, 3, 1]])
    text = page(analyse(dataset, make_weights(), Spec(runs=16), 8, 1))
    section = text[text.index('<section id="uncertainty">') : text.index('<section id="sensitivity">')]
    assert "<li>Notice: geometric mean of &#x27;index&#x27; is 0 because &#x27;P&#x27; scores 0" in section
    assert section.count("<li>Notice:") == 1 and section.count("(E2)") == 1  # the display name


def test_the_weights_as_scored_are_on_the_page():
    """Weights set in the TUI are documented by the page itself: management 2 beside three pillars of 1 is 2/5."""
    from dataclasses import replace

    from trustindex.model import frozen_map
    from trustindex.reports.html import analyse, page

    dataset, weights = load_inputs(None, None, None)
    edited = replace(weights, weights=frozen_map({**weights.weights, "management": 2.0}))
    text = page(analyse(dataset, replace(edited, digest="", path=None), Spec(runs=16), 8, 1))
    assert "<tr><td>Management<td>pillar<td class=n>2<td class=n>0.400<tr>" in text
    assert "--weights FILE --runs 16 --samples 8 --seed 1</code>" in text  # read from no file: not 'balanced'
    assert "weights <code>none</code>" in text
    assert "<tr><td>Support<td>pillar<td class=n>1<td class=n>0.200<tr>" in text
