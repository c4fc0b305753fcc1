"""Helpers for the ``trustindex check`` tests: a small panel dataset in a temporary git repository.

The dataset ``demo`` has eight countries, years 2020-2022 and six indicators on goalposts [0, 100] in two
pillars (b2 lower is better). Weights profiles beside it: ``demo`` (pillars equal), ``demo-a`` (pillar a
three times pillar b) and ``other`` (another framework, so it never fits). The values were chosen so that
every year passes the audit gates with only persisting notices, and ranks do not move from year to year.
No test here; the module is imported by the check tests.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from trustindex.cli import cli

ENTITIES = [("AUT", "Austria"), ("BEL", "Belgium"), ("DEU", "Germany"), ("DNK", "Denmark"), ("FRA", "France"),
            ("JPN", "Japan"), ("NOR", "Norway"), ("SWE", "Sweden")]  # fmt: skip
INDICATORS = ["a1", "a2", "a3", "b1", "b2", "b3"]
LOWER = {"b2"}
VALUES = {
    2020: [[48, 40, 47, 36, 59, 36], [48, 43, 50, 64, 54, 49], [33, 58, 42, 38, 77, 39], [38, 36, 42, 22, 65, 38],
           [45, 45, 55, 32, 70, 22], [32, 38, 21, 40, 60, 31], [40, 46, 57, 40, 59, 46], [68, 70, 72, 73, 24, 54]],
    2021: [[47, 40, 50, 37, 58, 35], [47, 46, 49, 63, 55, 49], [33, 56, 42, 37, 79, 40], [38, 37, 41, 24, 65, 39],
           [42, 46, 52, 28, 69, 20], [32, 42, 19, 39, 60, 32], [40, 46, 58, 41, 57, 46], [68, 68, 73, 71, 26, 54]],
    2022: [[48, 39, 47, 32, 57, 37], [44, 45, 47, 66, 52, 51], [33, 55, 44, 41, 77, 38], [38, 34, 44, 21, 65, 36],
           [44, 42, 58, 32, 72, 22], [31, 37, 20, 40, 59, 30], [37, 44, 60, 39, 57, 47], [71, 67, 72, 72, 20, 55]],
}  # fmt: skip
HEADER = ["iso3", "country", "year", *INDICATORS]

PROFILES = {
    "demo": 'schema = 1\nname = "demo"\nframework = "demo"\n\n[weights]\na = 1\nb = 1\n\n'
    '[normalisation]\nmethod = "goalposts"\nrange = [0, 100]\n',
    "demo-a": 'schema = 1\nname = "demo-a"\nframework = "demo"\n\n[weights]\na = 3\nb = 1\n\n'
    '[normalisation]\nmethod = "goalposts"\nrange = [0, 100]\n',
    "other": 'schema = 1\nname = "other"\nframework = "other"\n',
}
WEIGHTS = {"demo": {"a": 1, "b": 1}, "demo-a": {"a": 3, "b": 1}}


def dataset_toml(years, indicators=INDICATORS) -> str:
    text = (
        'schema = 1\nname = "demo"\ntitle = "Demo panel"\nframework = "demo"\ndefault_weights = "demo"\n'
        f'licence = "CC0-1.0"\nyears = {list(years)}\nvalues = "values.csv"\n\n'
        '[entity]\nid_column = "iso3"\nname_column = "country"\nyear_column = "year"\nid_kind = "iso3"\n\n'
        '[index]\nid = "index"\nlabel = "Demo index"\n\n[pillars.a]\nlabel = "Pillar A"\n\n[pillars.b]\n'
        'label = "Pillar B"\n'
    )
    for iid in indicators:
        direction = "lower" if iid in LOWER else "higher"
        text += (f'\n[indicators.{iid}]\nlabel = "Indicator {iid}"\nparent = "{iid[0]}"\ndirection = "{direction}"\n'
                 f'unit = "score"\ngoalposts = [0, 100]\nsource = "Demo publisher, edition 1"\n')  # fmt: skip
    return text


def rows(values: dict, years, indicators=INDICATORS) -> list[list[str]]:
    """CSV rows (header first) for ``years`` of ``values``, ordered by year then entity."""
    keep = [INDICATORS.index(i) for i in indicators]
    out = [["iso3", "country", "year", *indicators]]
    for year in years:
        for (code, name), cells in zip(ENTITIES, values[year], strict=True):
            out.append([code, name, str(year), *(str(cells[j]) for j in keep)])
    return out


def csv_text(table: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of ``text`` starting with ``start``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def column_of(line: str, field: int) -> int:
    """1-based character column where field ``field`` (0-based) of an unquoted CSV line starts."""
    return sum(len(part) + 1 for part in line.split(",")[:field]) + 1


def copy_values(values=VALUES) -> dict:
    return {y: [list(r) for r in v] for y, v in values.items()}


class Repo:
    """A git repository in a temporary folder holding datasets/demo and weights/."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.org")
        self.git("config", "commit.gpgsign", "false")
        self.folder = root / "datasets" / "demo"
        self.folder.mkdir(parents=True)
        (root / "weights").mkdir()
        for name, text in PROFILES.items():
            (root / "weights" / f"{name}.toml").write_text(text, encoding="utf-8")
        (self.folder / "SOURCES.md").write_text("# Demo\n\nMade up for the tests. CC0-1.0.\n", encoding="utf-8")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def write(self, toml: str | None = None, values: str | None = None) -> None:
        if toml is not None:
            (self.folder / "dataset.toml").write_text(toml, encoding="utf-8")
        if values is not None:
            (self.folder / "values.csv").write_text(values, encoding="utf-8")

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str, start: str) -> None:
        self.git("checkout", "-q", "-b", name, start)

    @property
    def values(self) -> str:
        return (self.folder / "values.csv").read_text(encoding="utf-8")


def make_repo(root: Path) -> tuple[Repo, str, str]:
    """The repository with two commits on main: 2020-2021 (``base``), then the 2022 update (``update``)."""
    repo = Repo(root)
    repo.write(dataset_toml([2020, 2021]), csv_text(rows(VALUES, [2020, 2021])))
    base = repo.commit("demo 2020-2021")
    repo.write(dataset_toml([2020, 2021, 2022]), csv_text(rows(VALUES, [2020, 2021, 2022])))
    update = repo.commit("demo: 2022 values")
    return repo, base, update


def check(*args: str, env: dict | None = None):
    """``trustindex check ARGS`` through click's runner (the working directory is the caller's)."""
    return CliRunner().invoke(cli, ["check", *args], env=env)


def check_json(*args: str) -> tuple[dict, object]:
    result = check(*args, "-f", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout), result


def findings(doc: dict, rule: str | None = None, severity: str | None = None) -> list[dict]:
    return [f for d in doc["datasets"] for f in d["findings"]
            if (rule is None or f["rule"] == rule) and (severity is None or f["severity"] == severity)]  # fmt: skip


def naive_ranks(values: list[list[float]], weights: dict) -> dict[str, tuple[int, float]]:
    """Rank and index score per entity, worked out by hand: goalposts [0, 100] leave a value as its score (b2
    reversed: 100 - value), a pillar is the mean of its three scores, the index the weighted mean of the
    pillars; competition ranking (1 + the number of entities scoring strictly more)."""
    scores = {}
    for (code, _), v in zip(ENTITIES, values, strict=True):
        a = (v[0] + v[1] + v[2]) / 3
        b = (v[3] + (100 - v[4]) + v[5]) / 3
        scores[code] = (weights["a"] * a + weights["b"] * b) / (weights["a"] + weights["b"])
    return {e: (1 + sum(round(t, 9) > round(s, 9) for t in scores.values()), s) for e, s in scores.items()}


def has_git() -> bool:
    return shutil.which("git") is not None
