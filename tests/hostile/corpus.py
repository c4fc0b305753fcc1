"""A hostile corpus: malformed inputs derived from the shipped files, one defect each, grouped by class.

Every case copies what it needs (datasets, profiles, the ASEM benchmark spec, a rules file written from the
README's example) into a sandbox folder, breaks one thing, and lists the command lines to run on it with what
each must do:

- ``refuse``: exit 2 or 3 (as the case says), nothing on stdout, one line on stderr starting with
  ``trustindex: error:`` that names the file (with ``:LINE:COLUMN`` when the case says the defect has a place),
  and no file in the sandbox created or changed;
- ``findings``: ``check`` exits 1 and its JSON has an error or warning finding at the file (and line) at fault;
- ``notice``: exit 0, and stdout or stderr mentions the case's keyword (nothing passes silently);
- ``ok``: exit 0 (controls: inputs that look odd but are valid must not be refused).

The corpus speaks only to the command line, so it runs against any version of trustindex:
``python -m tests.hostile [--class NAME] [--verbose]`` prints, per class, the cases, the command lines run
and how many failed. ``tests/hostile/test_corpus.py`` runs it in the suite.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUGE_INT = "1" + "0" * 309
"""A TOML integer beyond the range of a float."""

ENTITY = {"coexistence-regimes": ("japan", "nordic"), "jp-prefectures": ("13", "27"), "asem": ("AUT", "BEL"),
          "oecd-governance": ("JPN", "KOR")}  # fmt: skip


@dataclass(frozen=True)
class Run:
    """One command line and what it must do."""

    argv: tuple[str, ...]
    expect: str
    """refuse, findings, notice or ok."""
    where: tuple[str, ...] = ()
    """Sandbox-relative paths, any of which the error (or finding) may name."""
    located: bool = True
    """Whether the error must give a line and column after the path."""
    codes: tuple[int, ...] = (2, 3)
    keyword: str = ""
    env: tuple[tuple[str, str], ...] = ()
    output: bool = True
    """Add ``-o out/result.txt`` to a refused run (and check that it is not written)."""
    line: int | None = None
    """For ``findings``: the line an error or warning must be at."""


@dataclass(frozen=True)
class Case:
    klass: str
    name: str
    build: Callable[[Sandbox], list[Run]]


class Sandbox:
    """A folder laid out like a checkout: ``datasets/NAME``, ``weights/*.toml``, ``specs/``, ``rules.toml``."""

    def __init__(self, root: Path):
        self.root = root
        (root / "out").mkdir(parents=True, exist_ok=True)
        self.dataset()  # the default dataset and the profiles, as a bare command finds them
        self.profile()

    def path(self, relative: str) -> Path:
        return self.root / relative

    def dataset(self, name: str = "coexistence-regimes") -> str:
        target = self.root / "datasets" / name
        if not target.exists():
            shutil.copytree(ROOT / "datasets" / name, target, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
        return f"datasets/{name}"

    def profile(self, name: str = "balanced") -> str:
        target = self.root / "weights" / f"{name}.toml"
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            for source in (ROOT / "weights").glob("*.toml"):  # check scores under every profile of the framework
                shutil.copy(source, target.parent / source.name)
        return f"weights/{name}.toml"

    def spec(self) -> str:
        target = self.root / "specs" / "spec.toml"
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            shutil.copy(ROOT / "benchmarks" / "asem-spec.toml", target)
        return "specs/spec.toml"

    def rules(self) -> str:
        target = self.root / "rules.toml"
        if not target.exists():
            target.write_text(RULES, encoding="utf-8")
        return "rules.toml"

    def coinr(self) -> tuple[str, str]:
        """COINr's two tables for the ASEM data, ``coinr/idata.csv`` and ``coinr/imeta.csv``, as COINr writes them:
        the shipped asem values, and one iMeta row per node and column of its dataset.toml."""
        import csv
        import sys

        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib

        folder = self.root / "coinr"
        if not folder.exists():
            folder.mkdir()
            shutil.copy(ROOT / "datasets" / "asem" / "values.csv", folder / "idata.csv")
            doc = tomllib.loads((ROOT / "datasets" / "asem" / "dataset.toml").read_text(encoding="utf-8"))
            rows = [["Level", "iCode", "iName", "Direction", "Weight", "Unit", "Target", "Parent", "Type"]]
            for iid, ind in doc["indicators"].items():
                rows.append([1, iid, ind["label"], 1 if ind["direction"] == "higher" else -1, 1, ind.get("unit", ""),
                             ind.get("target", ""), ind["parent"], "Indicator"])  # fmt: skip
            for pid, pillar in doc["pillars"].items():
                rows.append([3 if pillar["parent"] == "Index" else 2, pid, pillar["label"], 1, 1, "Score", "",
                             pillar["parent"], "Aggregate"])  # fmt: skip
            rows.append([4, "Index", doc["index"]["label"], 1, 1, "Score", "", "", "Aggregate"])
            for name, column in doc["columns"].items():
                kind = "Group" if column.get("kind") == "text" else "Denominator"
                rows.append(["", name, column["label"], "", "", column.get("unit", ""), "", "", kind])
            with open(folder / "imeta.csv", "w", encoding="utf-8", newline="") as stream:
                csv.writer(stream, lineterminator="\n").writerows(rows)
        return "coinr/idata.csv", "coinr/imeta.csv"

    def shipped(self) -> None:
        """Every shipped dataset and profile, for commands that read them all (``datasets``)."""
        for name in ENTITY:
            self.dataset(name)
        self.profile()

    def text(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> str:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return relative

    def edit(self, relative: str, old: str, new: str, count: int = 1) -> str:
        text = self.text(relative)
        if old not in text:
            raise AssertionError(f"{old!r} is not in {relative}")
        self.write(relative, text.replace(old, new, count))
        return relative

    def append(self, relative: str, more: str) -> str:
        return self.write(relative, self.text(relative) + more)

    def cell(self, relative: str, line: int, column: str, value: str) -> str:
        """Set the cell of ``column`` on 1-based ``line`` of a CSV file (written unquoted)."""
        lines = self.text(relative).split("\n")
        header = lines[0].split(",")
        fields = lines[line - 1].split(",")
        fields[header.index(column)] = value
        lines[line - 1] = ",".join(fields)
        return self.write(relative, "\n".join(lines))


RULES = """\
schema = 1
fail_on = "error"

[severity]
rank-shift = "error"

[thresholds]
min_coverage = 0.667
max_rank_shift = 3
max_score_change = 10.0
top = 3

[columns]
allow = []

[bounds]
labour_link = [0, 1000]

[uncertainty]
enabled = false
"""

# --- command sets --------------------------------------------------------------------------------------------------


def analyses(data: str | None, weights: str | None = None, name: str = "coexistence-regimes") -> list[tuple[str, ...]]:
    """Every command that scores a dataset, on ``data`` (a sandbox path) and ``weights``."""
    first, second = ENTITY[name]
    options = (("--data", data) if data else ()) + (("--weights", weights) if weights else ())
    return [
        ("score", *options),
        ("explain", first, *options),
        ("compare", first, second, *options),
        ("importance", *options),
        ("audit", *options),
        ("uncertainty", *options, "--runs", "16", "--seed", "1", "-q"),
        ("sensitivity", *options, "--samples", "8", "--seed", "1", "-q"),
        ("stability", *options, "--top-k", "2"),
    ]


def every(data: str, weights: str | None = None, name: str = "coexistence-regimes") -> list[tuple[str, ...]]:
    """The analyses and ``datasets show``."""
    return [*analyses(data, weights, name), ("datasets", "show", data)]


def refuse(commands, where, code: int | tuple[int, ...] = (2, 3), located: bool = True, **more) -> list[Run]:
    codes = (code,) if isinstance(code, int) else code
    where = (where,) if isinstance(where, str) else tuple(where)
    return [Run(tuple(c), "refuse", where, located, codes, **more) for c in commands]


def findings(data: str, where: str, located: bool = True, extra: tuple[str, ...] = (), line: int | None = None) -> Run:
    return Run(("check", data, *extra, "-f", "json"), "findings", (where,), located, (1, 3), output=False, line=line)


def notice(commands, keyword: str) -> list[Run]:
    return [Run(tuple(c), "notice", keyword=keyword, output=False) for c in commands]


def ok(commands) -> list[Run]:
    return [Run(tuple(c), "ok", output=False) for c in commands]


CASES: list[Case] = []


def case(klass: str, name: str):
    def register(build):
        CASES.append(Case(klass, name, build))
        return build

    return register


def lines_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


# --- 1. overwrite: -o names a file the command reads ---------------------------------------------------------------


def _alias(sb: Sandbox, relative: str, how: str) -> str:
    """``relative`` itself, a hard link or a symbolic link to it, or a path through ``..``."""
    if how == "same":
        return relative
    if how == "dotdot":
        parts = relative.split("/")
        return "/".join([*parts[:-1], "..", parts[-2], parts[-1]]) if len(parts) > 1 else f"out/../{relative}"
    alias = sb.path(f"out/{how}-{Path(relative).name}")
    if how == "hardlink":
        os.link(sb.path(relative), alias)
    else:
        alias.symlink_to(sb.path(relative))
    return str(alias.relative_to(sb.root))


ALIASES = ("same", "hardlink", "symlink", "dotdot")


def _overwrite(command: tuple[str, ...], role: str, how: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        weights = sb.profile()
        spec = sb.spec() if command[0] in ("uncertainty", "sensitivity") else None
        target = {"values": f"{data}/values.csv", "toml": f"{data}/dataset.toml", "notes": f"{data}/notes.csv",
                  "profile": weights, "spec": spec}[role]  # fmt: skip
        given = _alias(sb, target, how)
        argv = [*command, "--data", data, "--weights", weights]
        if spec:
            argv += ["--spec", spec]
        if command[0] == "uncertainty" and spec:
            argv += ["--runs", "16"]
        if command[0] == "sensitivity":
            argv += ["--samples", "8"]
        return [Run((*argv, "-o", given), "refuse", (target, given), False, (2,), output=False)]

    return build


for _i, _command in enumerate(analyses(None)):
    _roles = ("values", "toml", "notes", "profile") + (
        ("spec",) if _command[0] in ("uncertainty", "sensitivity") else ()
    )
    for _j, _role in enumerate(_roles):
        _how = ALIASES[(_i + _j) % len(ALIASES)]
        _argv = tuple(a for a in _command if a not in ("--runs", "16", "--samples", "8"))
        case("overwrite", f"{_command[0]}-o-{_role}-{_how}")(_overwrite(_argv, _role, _how))
for _how in ALIASES:
    case("overwrite", f"score-o-values-{_how}-again")(_overwrite(("score",), "values", _how))


@case("overwrite", "datasets-show-o-values")
def _(sb):
    data = sb.dataset()
    return [Run(("datasets", "show", data, "-o", f"{data}/values.csv"), "refuse", (f"{data}/values.csv",), False,
                (2,), output=False)]  # fmt: skip


@case("overwrite", "datasets-show-o-hardlinked-toml")
def _(sb):
    data = sb.dataset()
    given = _alias(sb, f"{data}/dataset.toml", "hardlink")
    return [Run(("datasets", "show", data, "-o", given), "refuse", (given, f"{data}/dataset.toml"), False, (2,),
                output=False)]  # fmt: skip


@case("overwrite", "datasets-o-shipped-values")
def _(sb):
    sb.shipped()
    target = "datasets/asem/values.csv"
    return [Run(("datasets", "-o", target), "refuse", (target,), False, (2,), output=False)]


@case("overwrite", "datasets-o-shipped-profile")
def _(sb):
    sb.shipped()
    target = "weights/balanced.toml"
    return [Run(("datasets", "-o", target), "refuse", (target,), False, (2,), output=False)]


def _check_overwrite(role: str, how: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        sb.profile()
        argv = ["check", data, "-q"]
        if role == "rules":
            target = sb.rules()
            argv += ["--rules", target]
        elif role == "base":
            target = sb.write("old/values.csv", sb.text(f"{data}/values.csv"))
            argv += ["--base-file", target]
        elif role == "profile":
            target = "weights/balanced.toml"
        else:
            target = f"{data}/{role}"
        given = _alias(sb, target, how)
        return [Run((*argv, "-o", given), "refuse", (target, given), False, (2,), output=False)]

    return build


for _j, _role in enumerate(("rules", "base", "profile", "values.csv", "notes.csv", "dataset.toml")):
    for _how in (ALIASES[_j % 4], ALIASES[(_j + 1) % 4]):
        case("overwrite", f"check-o-{_role}-{_how}")(_check_overwrite(_role, _how))


def _summary(role: str, how: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        sb.profile()
        target = {"values": f"{data}/values.csv", "profile": "weights/balanced.toml", "rules": sb.rules()}[role]
        given = _alias(sb, target, how)
        argv = ("check", data, "-q") + (("--rules", "rules.toml") if role == "rules" else ())
        return [Run(argv, "refuse", (target, given), False, (2,), env=(("GITHUB_STEP_SUMMARY", str(sb.path(given))),),
                    output=False)]  # fmt: skip

    return build


for _role, _how in (("values", "same"), ("values", "symlink"), ("values", "hardlink"), ("profile", "same"),
                    ("rules", "dotdot")):  # fmt: skip
    case("overwrite", f"step-summary-{_role}-{_how}")(_summary(_role, _how))


# --- 2. huge numbers: TOML integers beyond a float, and floats whose sums overflow --------------------------------


def _toml_number(where: str, old: str, new: str, commands: str = "analyses", extra: str = ""):
    def build(sb: Sandbox) -> list[Run]:
        if where == "profile":
            path = sb.profile()
            data = sb.dataset()
            if extra:
                sb.append(path, extra)
            sb.edit(path, old, new)
            text = sb.text(path)
            runs = refuse(analyses(data, path), path, 2)
            return [r for r in runs if new.split(" =")[0] not in ("max_skew",) or True] if text else runs
        if where == "dataset":
            data = sb.dataset()
            path = f"{data}/dataset.toml"
            sb.edit(path, old, new)
            return refuse(every(data), path, 3) + [findings(data, path)]
        if where == "jp":
            data = sb.dataset("jp-prefectures")
            path = f"{data}/dataset.toml"
            sb.edit(path, old, new)
            return refuse(every(data, name="jp-prefectures")[:2], path, 3) + [findings(data, path)]
        if where == "rules":
            data = sb.dataset()
            sb.profile()
            path = sb.rules()
            sb.edit(path, old, new) if old else sb.append(path, new)
            return refuse([("check", data, "--rules", path, "-q")], path, 2)
        if where == "spec":
            data = sb.dataset("asem")
            path = sb.spec()
            sb.edit(path, old, new) if old else sb.append(path, new)
            return refuse([("uncertainty", "--data", data, "--spec", path, "--seed", "1", "-q"),
                           ("sensitivity", "--data", data, "--spec", path, "--samples", "8", "--seed", "1", "-q")],
                          path, 2)  # fmt: skip
        raise ValueError(where)

    return build


for _key, _old, _new in (
    ("weight", "support = 1", f"support = {HUGE_INT}"),
    ("range", "range = [0, 100]", f"range = [0, {HUGE_INT}]"),
    ("min-coverage", "min_coverage = 0.667", f"min_coverage = {HUGE_INT}"),
    ("schema", "schema = 1", f"schema = {HUGE_INT}"),
):
    case("huge-int", f"profile-{_key}")(_toml_number("profile", _old, _new))
case("huge-int", "profile-max-points")(_toml_number("profile", "[aggregation]", f"[treatment]\nmethod = \"winsorise\"\n"
                                                   f"max_points = {HUGE_INT}\n\n[aggregation]"))  # fmt: skip
case("huge-int", "profile-audit")(_toml_number("profile", "[aggregation]", f"[audit]\nmax_skew = {HUGE_INT}\n\n"
                                               "[aggregation]"))  # fmt: skip
case("huge-int", "profile-p")(_toml_number("profile", 'method = "arithmetic"', f'method = "power"\np = {HUGE_INT}'))
case("huge-int", "profile-screening")(_toml_number("profile", "[aggregation]", f"[screening]\nmin_coverage = "
                                                   f"{HUGE_INT}\n\n[aggregation]"))  # fmt: skip
case("huge-int", "profile-dataset-weight")(_toml_number("profile", "min_coverage = 0.667", "min_coverage = 0.667\n\n"
                                                        f"[datasets.coexistence-regimes.weights]\nlabour_link = "
                                                        f"{HUGE_INT}"))  # fmt: skip
for _key, _old, _new in (
    ("goalposts", "goalposts = [0, 100]", f"goalposts = [0, {HUGE_INT}]"),
    ("goalposts-low", "goalposts = [0, 100]", f"goalposts = [-{HUGE_INT}, 100]"),
    ("year", "year = 2026", f"year = {HUGE_INT}"),
    ("schema", "schema = 1", f"schema = {HUGE_INT}"),
    ("target", "goalposts = [0, 100]", f"target = {HUGE_INT}"),
):
    case("huge-int", f"dataset-{_key}")(_toml_number("dataset", _old, _new))
case("huge-int", "jp-years")(_toml_number("jp", "years = [2012, ", f"years = [{HUGE_INT}, 2012, "))
case("huge-int", "jp-absent")(_toml_number("jp", "\nabsent = 0\n", f"\nabsent = {HUGE_INT}\n"))
case("huge-int", "jp-column-years")(_toml_number("jp", "years = [2015, 2021]", f"years = [2015, {HUGE_INT}]"))
for _key, _old, _new in (
    ("max-rank-shift", "max_rank_shift = 3", f"max_rank_shift = {HUGE_INT}"),
    ("min-coverage", "min_coverage = 0.667", f"min_coverage = {HUGE_INT}"),
    ("top", "top = 3", f"top = {HUGE_INT}"),
    ("score-change", "max_score_change = 10.0", f"max_score_change = {HUGE_INT}"),
    ("bounds", "labour_link = [0, 1000]", f"labour_link = [0, {HUGE_INT}]"),
    ("runs", "enabled = false", f"enabled = true\nruns = {HUGE_INT}"),
    ("seed", "enabled = false", f"enabled = true\nseed = {HUGE_INT}"),
    ("audit", "", f"\n[audit]\nmin_alpha = {HUGE_INT}\n"),
    ("schema", "schema = 1", f"schema = {HUGE_INT}"),
):
    case("huge-int", f"rules-{_key}")(_toml_number("rules", _old, _new))
for _key, _old, _new in (
    ("runs", "runs = 1000", f"runs = {HUGE_INT}"),
    ("spread", "spread = 0.25", f"spread = {HUGE_INT}"),
    ("range", "range = [1, 100]", f"range = [1, {HUGE_INT}]"),
    ("sd", "sd = 2", f"sd = {HUGE_INT}"),
    ("top-k", "sampler = ", f"top_k = {HUGE_INT}\nsampler = "),
    ("schema", "schema = 1", f"schema = {HUGE_INT}"),
):
    case("huge-int", f"spec-{_key}")(_toml_number("spec", _old, _new))
case("huge-int", "spec-max-points")(_toml_number("spec", "", f'\n[treatment]\nalternatives = ["none", {{ method = '
                                                 f'"winsorise", max_points = {HUGE_INT} }}]\n'))  # fmt: skip

for _key, _old, _new in (
    ("weight", "support = 1", "support = 1e308"),
    ("weights-sum", "support = 1\n", "support = 1.5e308\nmanagement = 1.7e308\n"),
    ("range", "range = [0, 100]", "range = [0, 1e308]"),
    ("range-wide", "range = [0, 100]", "range = [-1e308, 1e308]"),
    ("p", 'method = "arithmetic"', 'method = "power"\np = 1e308'),
):
    case("huge-float", f"profile-{_key}")(_toml_number("profile", _old, _new))
case("huge-float", "profile-zscore-mean")(_toml_number("profile", 'method = "goalposts"   # the coded values already '
                                                       "sit on 0-100 goalposts\nrange = [0, 100]",
                                                       'method = "zscore"\nmean = 1e308'))  # fmt: skip
case("huge-float", "profile-zscore-sd")(_toml_number("profile", 'method = "goalposts"   # the coded values already '
                                                     "sit on 0-100 goalposts\nrange = [0, 100]",
                                                     'method = "zscore"\nsd = 1e308'))  # fmt: skip
_TWO = "\n\n[datasets.coexistence-regimes.weights]\nlabour_link = 1.7e308\nsocial_insurance_link = 1.7e308"
case("huge-float", "profile-indicator-weight")(_toml_number("profile", "min_coverage = 0.667", "min_coverage = 0.667"
                                                            + _TWO))  # fmt: skip
case("huge-float", "dataset-goalposts")(_toml_number("dataset", "goalposts = [0, 100]", "goalposts = [-1e308, 1e308]"))
case("huge-float", "dataset-target")(_toml_number("dataset", "goalposts = [0, 100]", "target = 1e308"))
case("huge-float", "spec-range")(_toml_number("spec", "range = [1, 100]", "range = [1, 1e308]"))
case("huge-float", "spec-mean")(_toml_number("spec", "mean = 10", "mean = 1e308"))


def _cell(value: str, line: int = 2, column: str = "admission_control", data_name: str = "coexistence-regimes",
          expect: str = "refuse"):  # fmt: skip
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset(data_name)
        path = f"{data}/values.csv"
        sb.cell(path, line, column, value)
        commands = every(data, name=data_name)
        if data_name == "jp-prefectures":
            commands = commands[:2] + commands[-1:]
        if expect == "ok":
            return ok(commands)
        return refuse(commands, path, 3) + [findings(data, path)]

    return build


for _value in ("1e308", "-1e308", "1.7976931348623157e308", "1e999", "-1e400", "9" * 400):
    case("huge-float", f"cell-{_value[:12]}")(_cell(_value))
case("huge-float", "jp-count-1e308")(_cell("1e308", 100, "n_total", "jp-prefectures"))


# --- 3. sizes: run counts that cannot be held in memory -----------------------------------------------------------


def _size(argv: tuple[str, ...], file: str | None = None, edit: tuple[str, str] | None = None):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        sb.profile()
        if file == "spec":
            path = sb.spec()
            sb.edit(path, *edit)
            data = sb.dataset("asem")
            return refuse([(*argv, "--data", data, "--spec", path, "--seed", "1", "-q")], path, 2)
        if file == "rules":
            path = sb.rules()
            sb.edit(path, *edit)
            return refuse([("check", data, "--rules", path, "-q")], path, 2)
        return refuse([(*argv, "--data", data)], (), 2, located=False)

    return build


for _runs in ("1000000000000", "1" + "0" * 30):
    case("size", f"uncertainty-runs-{len(_runs)}")(_size(("uncertainty", "--runs", _runs, "--seed", "1", "-q")))
case("size", "sensitivity-samples")(_size(("sensitivity", "--samples", str(2**40), "--seed", "1", "-q")))
case("size", "acceptability-runs")(_size(("stability", "--acceptability", "1000000000000", "--seed", "1")))
case("size", "spec-runs")(_size(("uncertainty",), "spec", ("runs = 1000", "runs = 1000000000000")))
case("size", "rules-runs")(_size((), "rules", ("enabled = false", "enabled = true\nruns = 1000000000000")))


# --- 4. filesystem faults: loops, folders where files belong, missing folders -------------------------------------


def _loop(sb: Sandbox, relative: str) -> str:
    path = sb.path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink() if not path.is_dir() or path.is_symlink() else shutil.rmtree(path)
    path.symlink_to(path.name)  # points at itself
    return relative


def _folder(sb: Sandbox, relative: str) -> str:
    path = sb.path(relative)
    if path.exists():
        path.unlink()
    path.mkdir(parents=True)
    return relative


@case("filesystem", "data-folder-is-a-loop")
def _(sb):
    loop = _loop(sb, "loops/data")
    return refuse(every(loop)[:3], loop, 3, located=False) + [findings(loop, loop, located=False)]


@case("filesystem", "values-is-a-loop")
def _(sb):
    data = sb.dataset()
    path = _loop(sb, f"{data}/values.csv")
    return refuse(every(data), path, 3, located=False) + [findings(data, path, located=False)]


@case("filesystem", "dataset-toml-is-a-loop")
def _(sb):
    data = sb.dataset()
    path = _loop(sb, f"{data}/dataset.toml")
    return refuse(every(data)[:2], (path, data), 3, located=False) + [findings(data, path, located=False)]


@case("filesystem", "notes-is-a-loop")
def _(sb):
    data = sb.dataset()
    path = _loop(sb, f"{data}/notes.csv")
    return refuse(every(data)[:2], path, 3, located=False)


@case("filesystem", "values-is-a-folder")
def _(sb):
    data = sb.dataset()
    path = _folder(sb, f"{data}/values.csv")
    return refuse(every(data), path, 3, located=False) + [findings(data, path, located=False)]


@case("filesystem", "notes-is-a-folder")
def _(sb):
    data = sb.dataset()
    path = _folder(sb, f"{data}/notes.csv")
    return refuse(every(data)[:3], path, 3, located=False)


@case("filesystem", "dataset-toml-is-a-folder")
def _(sb):
    data = sb.dataset()
    path = _folder(sb, f"{data}/dataset.toml")
    return refuse(every(data)[:2], (path, data), 3, located=False) + [findings(data, path, located=False)]


@case("filesystem", "data-is-a-file")
def _(sb):
    path = sb.write("plain.txt", "not a dataset\n")
    return refuse(every(path)[:2], path, 3, located=False)


@case("filesystem", "weights-is-a-folder")
def _(sb):
    path = _folder(sb, "mine.toml")
    return refuse(analyses(None, path)[:3], path, 2, located=False)


@case("filesystem", "weights-is-a-loop")
def _(sb):
    path = _loop(sb, "loops/mine.toml")
    return refuse(analyses(None, path)[:3], path, 2, located=False)


@case("filesystem", "spec-is-a-folder")
def _(sb):
    path = _folder(sb, "specs/spec.toml")
    return refuse([("uncertainty", "--spec", path, "-q", "--seed", "1")], path, 2, located=False)


@case("filesystem", "spec-is-a-loop")
def _(sb):
    path = _loop(sb, "specs/spec.toml")
    commands = [("uncertainty", "--spec", path, "-q", "--seed", "1"),
                ("sensitivity", "--spec", path, "-q", "--seed", "1", "--samples", "8")]  # fmt: skip
    return refuse(commands, path, 2, located=False)


@case("filesystem", "rules-is-a-folder")
def _(sb):
    data = sb.dataset()
    path = _folder(sb, "rules.toml")
    return refuse([("check", data, "--rules", path)], path, 2, located=False)


@case("filesystem", "rules-is-a-loop")
def _(sb):
    data = sb.dataset()
    path = _loop(sb, "rules.toml")
    return refuse([("check", data, "--rules", path)], path, 2, located=False)


@case("filesystem", "base-file-is-a-loop")
def _(sb):
    data = sb.dataset()
    path = _loop(sb, "old/values.csv")
    return refuse([("check", data, "--base-file", path)], path, 3, located=False)


@case("filesystem", "base-file-folder-without-toml")
def _(sb):
    data = sb.dataset()
    path = _folder(sb, "old")
    return refuse([("check", data, "--base-file", path)], path, 3, located=False)


@case("filesystem", "output-in-a-missing-folder")
def _(sb):
    return [Run((*c, "-o", "nowhere/result.txt"), "refuse", ("nowhere/result.txt",), False, (2,), output=False)
            for c in analyses(sb.dataset())]  # fmt: skip


@case("filesystem", "output-is-a-folder")
def _(sb):
    _folder(sb, "out/folder")
    return [Run((*c, "-o", "out/folder"), "refuse", ("out/folder",), False, (2,), output=False)
            for c in analyses(sb.dataset())[:4]]  # fmt: skip


@case("filesystem", "output-under-a-file")
def _(sb):
    sb.write("out/file.txt", "x\n")
    return [Run((*c, "-o", "out/file.txt/result.txt"), "refuse", ("out/file.txt/result.txt",), False, (2,),
                output=False) for c in analyses(sb.dataset())[:3]]  # fmt: skip


@case("filesystem", "output-is-a-loop")
def _(sb):
    path = _loop(sb, "out/loop.txt")
    return [Run((*c, "-o", path), "refuse", (path,), False, (2,), output=False) for c in analyses(sb.dataset())[:3]]


@case("filesystem", "step-summary-is-a-folder")
def _(sb):
    data = sb.dataset()
    _folder(sb, "out/summary")
    return [Run(("check", data, "-q"), "refuse", ("out/summary",), False, (2,),
                env=(("GITHUB_STEP_SUMMARY", str(sb.path("out/summary"))),), output=False)]  # fmt: skip


@case("filesystem", "step-summary-in-a-missing-folder")
def _(sb):
    data = sb.dataset()
    return [Run(("check", data, "-q"), "refuse", ("nowhere/summary.md",), False, (2,),
                env=(("GITHUB_STEP_SUMMARY", str(sb.path("nowhere/summary.md"))),), output=False)]  # fmt: skip


@case("filesystem", "check-datasets-folder-with-a-loop")
def _(sb):
    sb.dataset()
    sb.profile()
    loop = _loop(sb, "datasets/looping")
    return [findings(loop, loop, located=False)]


# --- 5. numbers: only ASCII digits, a sign, a point and an exponent -----------------------------------------------

for _value in ("8_5", "８５", "٨٥", "१२", "８.５", "85%", "0x55", "1_000", "٨٥e1", "85\u00a0", "\u206685", "++85",
               "Infinity", "nan", "NaN", "inf", "85e", "8 5", "½", "⁸⁵"):  # fmt: skip
    case("number", f"cell-{_value.encode('unicode_escape').decode()[:14]}")(_cell(_value))
for _value in ("+85", "85.", ".5e2", "8.5E1", "085", " 85", "-0"):
    case("number", f"cell-ok-{_value.strip()}")(_cell(_value, expect="ok"))


def _jp_year(value: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset("jp-prefectures")
        path = f"{data}/values.csv"
        text = sb.text(path)
        line = lines_of(text, "13,東京都,Tokyo,2021")
        sb.cell(path, line, "year", value)
        return refuse(every(data, name="jp-prefectures")[:2], path, 3) + [findings(data, path)]

    return build


for _value in ("２０２１", "٢٠٢١", "2_021", "2021.0", "+2021", "2021e0"):
    case("number", f"year-{_value.encode('unicode_escape').decode()[:14]}")(_jp_year(_value))
case("number", "jp-count-underscore")(_cell("1_234", 3, "n_total", "jp-prefectures"))
case("number", "jp-count-fullwidth")(_cell("１２３", 3, "n_student", "jp-prefectures"))


@case("number", "cli-year-fullwidth")
def _(sb):
    return refuse([("score", "--data", sb.dataset("jp-prefectures"), "--year", "２０２１")], (), 2, located=False)


@case("number", "cli-runs-arabic-indic")
def _(sb):
    return refuse([("uncertainty", "--runs", "١٠٠", "--seed", "1", "-q")], (), 2, located=False)


# --- 6. goalposts: outside is a notice, unless the dataset says it cannot happen ----------------------------------


def _outside(value: str, bounds: bool):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        path = f"{data}/values.csv"
        sb.cell(path, 2, "labour_link", value)
        if bounds:
            toml = f"{data}/dataset.toml"
            text = sb.text(toml)
            start = text.index("[indicators.labour_link]")
            at = text.index("goalposts = [0, 100]", start)
            sb.write(toml, text[:at] + "bounds = [0, 100]\n" + text[at:])
            return refuse(every(data), path, 3) + [findings(data, path)]
        return notice(every(data), "goalpost") + [findings(data, path)]

    return build


for _value in ("120", "-5", "100.5"):
    case("goalposts", f"value-{_value}-notice")(_outside(_value, False))
    case("goalposts", f"value-{_value}-bounded")(_outside(_value, True))


def _target(target: str, bounds: bool):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        toml = f"{data}/dataset.toml"
        text = sb.text(toml)
        start = text.index("[indicators.labour_link]")
        at = text.index("goalposts = [0, 100]", start)
        extra = f"target = {target}\n" + ("bounds = [0, 100]\n" if bounds else "")
        sb.write(toml, text[:at] + extra + text[at:])
        if bounds:
            return refuse(every(data), toml, 3) + [findings(data, toml)]
        return notice(every(data)[:1], "target") + notice(every(data)[-1:], "target")

    return build


case("goalposts", "target-outside-notice")(_target("150", False))
case("goalposts", "target-outside-bounded")(_target("150", True))


# --- 7. names that do not exist: an error with a suggestion -------------------------------------------------------


def _profile_ok(old: str, new: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        path = sb.profile()
        sb.edit(path, old, new)
        return ok(analyses(data, path))

    return build


def _profile_edit(old: str, new: str, code: int = 2, commands=None):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        path = sb.profile()
        sb.edit(path, old, new) if old else sb.append(path, new)
        runs = refuse(commands(data, path) if commands else analyses(data, path), path, code)
        return runs + [findings(data, path)]

    return build


case("unknown-name", "profile-dataset-table")(_profile_edit("", "\n[datasets.coexistence-regime.weights]\n"
                                                                "labour_link = 2\n"))  # fmt: skip
case("unknown-name", "profile-dataset-table-far")(
    _profile_edit("", "\n[datasets.coexistance.weights]\nlabour_link = 2\n")
)
case("unknown-name", "profile-dataset-indicator")(_profile_edit("", "\n[datasets.coexistence-regimes.weights]\n"
                                                                    "labor_link = 2\n"))  # fmt: skip


def _rules_edit(old: str, new: str, located: bool = True):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        sb.profile()
        path = sb.rules()
        sb.edit(path, old, new) if old else sb.append(path, new)
        return refuse([("check", data, "--rules", path, "-q")], path, 2, located=located)

    return build


case("unknown-name", "rules-dataset-table")(_rules_edit("", "\n[datasets.coexistence-regime]\nthresholds = "
                                                           "{ max_rank_shift = 5 }\n"))  # fmt: skip
case("unknown-name", "rules-bounds-column")(_rules_edit("labour_link = [0, 1000]", "labor_link = [0, 1000]"))
case("unknown-name", "rules-audit-profile")(_rules_edit("", '\n[audit]\nprofile = "balancd"\n'))
case("unknown-name", "rules-compare-profile")(_rules_edit("", '\n[compare]\nprofiles = ["balanced", "balancd"]\n'))
case("unknown-name", "rules-dataset-bounds")(_rules_edit("", "\n[datasets.coexistence-regimes.bounds]\n"
                                                            "labor_link = [0, 100]\n"))  # fmt: skip


def _spec_edit(old: str, new: str, data_name: str = "asem"):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset(data_name)
        path = sb.spec()
        sb.edit(path, old, new) if old else sb.append(path, new)
        return refuse([("uncertainty", "--data", data, "--spec", path, "--seed", "1", "--runs", "16", "-q"),
                       ("sensitivity", "--data", data, "--spec", path, "--seed", "1", "--samples", "8", "-q")],
                      path, 2)  # fmt: skip

    return build


case("unknown-name", "spec-leave-out")(_spec_edit("", '\n[leave_out]\nnodes = ["Conectivity"]\n'))
case("unknown-name", "spec-aggregation-level")(
    _spec_edit('levels = ["index", "pillar", "sub-pillar"]', 'levels = ["sub-pillar"]', "coexistence-regimes")
)
case("unknown-name", "spec-weight-level")(_spec_edit('levels = ["pillar", "sub-pillar"]   #', 'levels = ["sub-pillar"]'
                                                     "   #", "coexistence-regimes"))  # fmt: skip


@case("unknown-name", "dataset-default-weights")
def _(sb):
    data = sb.dataset()
    path = f"{data}/dataset.toml"
    sb.edit(path, 'values = "values.csv"', 'values = "values.csv"\ndefault_weights = "balancd"')
    return refuse(every(data)[:-1], path, 2) + [findings(data, path)]


@case("unknown-name", "stability-weight")
def _(sb):
    return refuse([("stability", "--weight", "managment")], (), 2, located=False)


@case("unknown-name", "stability-entity")
def _(sb):
    return refuse([("stability", "--entity", "japn")], (), 2, located=False)


@case("unknown-name", "explain-baseline")
def _(sb):
    return refuse([("explain", "japan", "--baseline", "nordik")], (), 2, located=False)


@case("unknown-name", "compare-entity")
def _(sb):
    return refuse([("compare", "japan", "nordik")], (), 2, located=False)


@case("unknown-name", "imputation-group")
def _(sb):
    data = sb.dataset("asem")
    path = sb.profile("asem")
    sb.append(path, '\n[imputation]\nmethod = "group-mean"\ngroup = "regoin"\n')
    return refuse(analyses(data, path, "asem")[:2], path, 2)


# --- 8. ranges: thresholds and numbers of the command line ---------------------------------------------------------

for _key, _value in (("max_skew", "-1"), ("min_alpha", "5"), ("min_alpha", "-3"), ("significance", "0"),
                     ("significance", "1.5"), ("redundant", "2"), ("conflicting", "0.5"), ("weak", "-1"),
                     ("min_coverage", "2"), ("max_kurtosis", "-10")):  # fmt: skip
    case("range", f"profile-audit-{_key}-{_value}")(_profile_edit("", f"\n[audit]\n{_key} = {_value}\n"))
    case("range", f"rules-audit-{_key}-{_value}")(_rules_edit("", f"\n[audit]\n{_key} = {_value}\n"))


def _word(arg: str) -> str:
    """An option or value as a part of a case's name (``--floor`` → ``floor``, ``-1`` stays)."""
    return arg[2:] if arg.startswith("--") else arg


def _option(argv: tuple[str, ...]):
    def build(sb: Sandbox) -> list[Run]:
        return refuse([argv], (), 2, located=False)

    return build


for _argv in (("explain", "japan", "--score", "nan"), ("explain", "japan", "--score", "inf"),
              ("explain", "japan", "--score", "1e308"), ("audit", "--max-kurtosis", "nan"),
              ("audit", "--max-skew", "nan"), ("audit", "--max-kurtosis", "inf"), ("stability", "--floor", "nan"),
              ("stability", "--floor", "2"), ("stability", "--floor", "-1"),
              ("uncertainty", "--seed", "-1", "--runs", "16", "-q"), ("sensitivity", "--seed", "-5", "--samples", "8"),
              ("stability", "--acceptability", "10", "--seed", "-1"), ("score", "--year", HUGE_INT),
              ("explain", "japan", "--rank", HUGE_INT), ("uncertainty", "--top-k", HUGE_INT, "--runs", "16", "-q",
                                                         "--seed", "1")):  # fmt: skip
    case("range", "option-" + "-".join(_word(a) for a in _argv if a != "-q")[:40])(_option(_argv))

case("range", "spec-concentration-tiny")(_spec_edit('distribution = "uniform"\nspread = 0.25',
                                                    'distribution = "dirichlet"\nconcentration = 1e-300'))  # fmt: skip
case("range", "spec-concentration-huge")(_spec_edit('distribution = "uniform"\nspread = 0.25',
                                                    'distribution = "dirichlet"\nconcentration = 1e300'))  # fmt: skip
case("range", "profile-p-huge")(_profile_edit('method = "arithmetic"', 'method = "power"\np = 1000'))
case("range", "profile-weight-subnormal-ok")(_profile_ok("management = 1\nconnectivity = 1\nsupport = 1\n"
                                                        "explainability = 1",
                                                        "management = 5e-324\nconnectivity = 5e-324\n"
                                                        "support = 5e-324\nexplainability = 5e-324"))  # fmt: skip


# --- 9. duplicates -------------------------------------------------------------------------------------------------


@case("duplicate", "note-twice")
def _(sb):
    data = sb.dataset()
    path = f"{data}/notes.csv"
    text = sb.text(path)
    second = text.split("\n")[1]
    sb.write(path, text.rstrip("\n") + "\n" + second + "\n")
    return refuse(every(data), path, 3) + [findings(data, path)]


@case("duplicate", "note-twice-other-text")
def _(sb):
    data = sb.dataset()
    path = f"{data}/notes.csv"
    sb.append(path, 'nordic,labour_link,"a second rationale for the same cell"\n')
    return refuse(every(data)[:2], path, 3) + [findings(data, path)]


@case("duplicate", "entity-twice")
def _(sb):
    data = sb.dataset()
    path = f"{data}/values.csv"
    sb.edit(path, "nordic,Nordic countries,", "japan,Nordic countries,")
    return refuse(every(data)[:2], path, 3) + [findings(data, path)]


@case("duplicate", "column-twice")
def _(sb):
    data = sb.dataset()
    path = f"{data}/values.csv"
    sb.edit(path, ",tax_link,", ",labour_link,")
    return refuse(every(data)[:2], path, 3) + [findings(data, path)]


@case("duplicate", "jp-row-twice")
def _(sb):
    data = sb.dataset("jp-prefectures")
    path = f"{data}/values.csv"
    lines = sb.text(path).split("\n")
    at = lines_of("\n".join(lines), "13,東京都,Tokyo,2021")
    lines.insert(at, lines[at - 1])
    sb.write(path, "\n".join(lines))
    return refuse(every(data, name="jp-prefectures")[:2], path, 3) + [findings(data, path)]


# --- 10. locations: after line separators, unclosed quotes, errors found after loading -----------------------------

SEPARATORS = {"u2028": "\u2028", "u2029": "\u2029", "u0085": "\u0085", "x1c": "\x1c", "x0c": "\x0c", "x0b": "\x0b"}


def _separator_toml(name: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        path = f"{data}/dataset.toml"
        char = SEPARATORS[name]
        sb.edit(path, 'title = "Coexistence regimes:', f'title = "Coexistence{char}regimes:'
                if name not in ("x1c", "x0c", "x0b") else 'title = "Coexistence regimes:')  # fmt: skip
        if name in ("u2028", "u2029", "u0085"):
            sb.edit(path, "# coexistence-regimes:", f"# coexistence{char}regimes:")
        sb.edit(path, 'direction = "higher"          #', 'direction = "upward"          #')
        return refuse(every(data)[:2], path, 3)

    return build


def _separator_csv(name: str, same_line: bool):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        path = f"{data}/values.csv"
        char = SEPARATORS[name]
        sb.edit(path, "japan,Japan,", f'japan,"Ja{char}pan",')
        if same_line:
            sb.cell(path, 2, "enforcement", "x")
        else:
            sb.cell(path, 4, "enforcement", "x")
        return refuse(every(data)[:2], path, 3) + [findings(data, path)]

    return build


def _separator_profile(name: str):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        path = sb.profile()
        char = SEPARATORS[name]
        sb.edit(path, "# balanced: the four", f"# balanced:{char}the four")
        sb.edit(path, 'description = "Equal weight', f'description = "Equal{char}weight')
        sb.edit(path, "support = 1", "suport = 1")
        return refuse(analyses(data, path)[:2], path, 2)

    return build


for _name in SEPARATORS:
    if _name in ("u2028", "u2029", "u0085"):
        case("location", f"toml-after-{_name}")(_separator_toml(_name))
        case("location", f"profile-after-{_name}")(_separator_profile(_name))
    case("location", f"csv-after-{_name}")(_separator_csv(_name, False))
    case("location", f"csv-same-line-{_name}")(_separator_csv(_name, True))


@case("location", "csv-unclosed-quote")
def _(sb):
    data = sb.dataset()
    path = f"{data}/values.csv"
    sb.edit(path, "united-states,United States,", 'united-states,"United States,')
    return refuse(every(data)[:2], path, 3) + [findings(data, path)]


@case("location", "csv-unclosed-quote-last-row")
def _(sb):
    data = sb.dataset()
    path = f"{data}/values.csv"
    sb.edit(path, "nordic,Nordic countries,", 'nordic,"Nordic countries,')
    return refuse(every(data)[:2], path, 3)


@case("location", "notes-unclosed-quote")
def _(sb):
    data = sb.dataset()
    path = f"{data}/notes.csv"
    text = sb.text(path).split("\n")
    text[3] = text[3].replace(',"', ',"unclosed ', 1).replace('""', "").rstrip('"')
    sb.write(path, "\n".join(text))
    return refuse(every(data)[:2], path, 3)


@case("location", "toml-unclosed-string")
def _(sb):
    data = sb.dataset()
    path = f"{data}/dataset.toml"
    sb.edit(path, 'label = "Admission control"', 'label = "Admission control')
    return refuse(every(data)[:2], path, 3)


@case("location", "toml-unclosed-multiline-string")
def _(sb):
    data = sb.dataset()
    path = f"{data}/dataset.toml"
    sb.edit(path, 'label = "Admission control"', 'label = """Admission control')
    return refuse(every(data)[:2], path, 3)


@case("location", "profile-unclosed-literal")
def _(sb):
    path = sb.profile()
    sb.edit(path, 'name = "balanced"', "name = '''balanced")
    return refuse(analyses(sb.dataset(), path)[:2], path, 2)


@case("location", "default-weights-unknown")
def _(sb):
    data = sb.dataset()
    path = f"{data}/dataset.toml"
    sb.edit(path, 'values = "values.csv"', 'values = "values.csv"\ndefault_weights = "welfare"')
    return refuse(analyses(data)[:3], path, 2)


@case("location", "zscore-geometric")
def _(sb):
    data = sb.dataset()
    path = sb.profile()
    sb.edit(
        path,
        'method = "goalposts"   # the coded values already sit on 0-100 goalposts\nrange = [0, 100]',
        'method = "zscore"',
    )
    sb.edit(path, 'method = "arithmetic"', 'method = "geometric"')
    return refuse(analyses(data, path), path, 2)


@case("location", "zscore-harmonic-pillar")
def _(sb):
    data = sb.dataset()
    path = sb.profile()
    sb.edit(
        path,
        'method = "goalposts"   # the coded values already sit on 0-100 goalposts\nrange = [0, 100]',
        'method = "zscore"',
    )
    sb.append(path, '\n[aggregation.pillar]\nmethod = "harmonic"\n')
    return refuse(analyses(data, path), path, 2)


@case("location", "negative-range-geometric")
def _(sb):
    data = sb.dataset()
    path = sb.profile()
    sb.edit(path, "range = [0, 100]", "range = [-100, 100]")
    sb.edit(path, 'method = "arithmetic"', 'method = "geometric"')
    return refuse(analyses(data, path), path, 2)


@case("location", "zero-group-dataset-weights")
def _(sb):
    data = sb.dataset()
    path = sb.profile()
    zeros = "".join(f"{i} = 0\n" for i in ("criteria_transparency", "predictability", "procedural_legitimacy",
                                           "reasons_and_redress"))  # fmt: skip
    sb.append(path, "\n[datasets.coexistence-regimes.weights]\n" + zeros)
    return refuse(analyses(data, path), path, 2) + [findings(data, path)]


@case("location", "zero-group-pillars")
def _(sb):
    data = sb.dataset()
    path = sb.profile()
    for pillar in ("management", "connectivity", "support", "explainability"):
        sb.edit(path, f"\n{pillar} = 1", f"\n{pillar} = 0")
    return refuse(analyses(data, path), path, 2)


def _formula(old: str, new: str, expect: str, keyword: str = "", cell: tuple | None = None):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset("jp-prefectures")
        path = f"{data}/dataset.toml"
        if old:
            sb.edit(path, old, new)
        if cell:
            values = f"{data}/values.csv"
            line = lines_of(sb.text(values), cell[0])
            sb.cell(values, line, cell[1], cell[2])
        commands = [("score", "--data", data), ("explain", "13", "--data", data)]
        if expect == "notice":
            return notice(commands, keyword)
        return refuse(commands, path, 3) + [findings(data, path)]

    return build


case("location", "formula-division-by-zero")(_formula("", "", "notice", "division by zero",
                                                      ("13,東京都,Tokyo,2021", "n_total", "0")))  # fmt: skip
case("location", "formula-overflow")(
    _formula(
        'formula = "100 * n_dependent / n_total"', 'formula = "100 * n_dependent ^ 200 / n_total"', "notice", "overflow"
    )
)
case("location", "formula-text-column")(
    _formula('formula = "100 * n_dependent / n_total"', 'formula = "100 * pref_name_en / n_total"', "refuse")
)
case("location", "formula-derived-indicator")(
    _formula('formula = "100 * n_dependent / n_total"', 'formula = "100 * stable_share / n_total"', "refuse")
)
case("location", "formula-log-of-zero")(
    _formula('formula = "100 * n_dependent / n_total"', 'formula = "log(n_dependent - n_dependent)"', "notice", "log")
)


# --- 11. exit codes: an unknown name is a usage error --------------------------------------------------------------


@case("exit-code", "unknown-dataset-name")
def _(sb):
    return refuse(every("coexistence-regime")[:-1], (), 2, located=False) + refuse(
        [("datasets", "show", "coexistence-regime"), ("check", "coexistence-regime")], (), 2, located=False
    )


@case("exit-code", "unknown-dataset-name-far")
def _(sb):
    return refuse([("score", "--data", "zzzz")], (), 2, located=False) + [
        Run(("tui", "--data", "zzzz"), "refuse", (), False, (2,), output=False)
    ]


@case("exit-code", "unknown-profile-name")
def _(sb):
    return refuse([("score", "--weights", "balancd"), ("uncertainty", "--weights", "balancd", "-q")], (), 2,
                  located=False)  # fmt: skip


# --- 12. corruption: one cell or row of a shipped dataset broken; check must flag it at its line, without a base


def _rows(sb: Sandbox, path: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(sb.text(path))))


def _write_rows(sb: Sandbox, path: str, rows: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    sb.write(path, out.getvalue())


def _corrupt(name: str, how: str, row: int, column: str | None = None, other: int | None = None, where: str = "",
             base: bool = False):  # fmt: skip
    """Corrupt line ``row + 1`` of the values (``row`` counts data rows from 1) of dataset ``name``; with ``base``,
    check against the values as shipped."""

    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset(name)
        path = f"{data}/values.csv"
        if base:
            sb.write("base/values.csv", sb.text(path))
        rows = _rows(sb, path)
        header = rows[0]
        nonlocal row
        if row == 0:  # the entity with the median value of the column: a typical value
            j = header.index(column)
            present = sorted((float(r[j]), i) for i, r in enumerate(rows[1:], start=1) if r[j])
            row = present[len(present) // 2][1]
        if how == "times1000":
            j = header.index(column)
            rows[row][j] = f"{float(rows[row][j]) * 1000:.10g}"
        elif how == "delete":
            rows[row][header.index(column)] = ""
        elif how == "id":
            rows[row][0] = column
        elif how == "copy-row":  # the values of row ``other`` over those of ``row``, keys kept
            keys = 4 if name == "jp-prefectures" else 2
            rows[row] = rows[row][:keys] + rows[other][keys:]
        elif how == "negative":
            rows[row][header.index(column)] = "-" + rows[row][header.index(column)]
        _write_rows(sb, path, rows)
        extra = ("--base-file", "base/values.csv") if base else ()
        found = findings(data, where or path, extra=extra, line=row + 1 if not where else None)
        return [replace(found, codes=(0, 1, 3))]  # a warning is enough: the finding, at its line, is what counts

    return build


def _jp_row(prefecture: str, year: int) -> int:
    """The data row (from 1) of a prefecture and year in the shipped jp-prefectures values."""
    import csv

    with open(ROOT / "datasets" / "jp-prefectures" / "values.csv", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    return next(i for i, r in enumerate(rows) if r[0] == prefecture and r[3] == str(year))


for _i, _col in enumerate(("n_total", "n_student", "pop_foreign", "n_dependent")):
    case("corruption", f"jp-times1000-{_col}")(_corrupt("jp-prefectures", "times1000", _jp_row(f"{10 + _i:02d}", 2016),
                                                         _col))  # fmt: skip
    case("corruption", f"jp-deleted-{_col}")(
        _corrupt("jp-prefectures", "delete", _jp_row(f"{20 + _i:02d}", 2015), _col)
    )
case("corruption", "jp-row-copied-from-last-year")(_corrupt("jp-prefectures", "copy-row", _jp_row("13", 2021), None,
                                                            _jp_row("13", 2020)))  # fmt: skip
case("corruption", "jp-row-copied-from-another")(_corrupt("jp-prefectures", "copy-row", _jp_row("27", 2019), None,
                                                          _jp_row("26", 2019)))  # fmt: skip
case("corruption", "jp-id-changed")(_corrupt("jp-prefectures", "id", _jp_row("13", 2018), "14"))
case("corruption", "jp-id-changed-with-base")(_corrupt("jp-prefectures", "id", _jp_row("13", 2018), "14", base=True))
case("corruption", "jp-id-changed-to-another-code")(_corrupt("jp-prefectures", "id", _jp_row("05", 2014), "45"))
for _name, _cols, _new in (("asem", ("GDP", "Population", "Area", "Renew"), "ATU"),
                           ("oecd-governance", ("rule_of_law_estimate", "dgi_digital_design", "ireg_ria_primary",
                                                "voice_accountability_estimate"), "JAP")):  # fmt: skip
    for _col in _cols:  # a typical value (the column's median) a thousand times too large
        case("corruption", f"{_name}-times1000-{_col}")(_corrupt(_name, "times1000", 0, _col))
    case("corruption", f"{_name}-id-changed-with-base")(_corrupt(_name, "id", 7, _new, base=True))
    if _name == "asem":  # iso3 ids: a code that is not assigned is found without a base
        case("corruption", f"{_name}-id-changed")(_corrupt(_name, "id", 7, _new))
    case("corruption", f"{_name}-row-copied")(_corrupt(_name, "copy-row", 9, None, 4))
for _i, _col in enumerate(("labour_link", "enforcement", "predictability")):
    case("corruption", f"coexistence-times1000-{_col}")(_corrupt("coexistence-regimes", "times1000", 1 + _i, _col))
    case("corruption", f"coexistence-negative-{_col}")(_corrupt("coexistence-regimes", "negative", 2 + _i, _col))
case("corruption", "coexistence-row-copied")(_corrupt("coexistence-regimes", "copy-row", 3, None, 1))
case("corruption", "coexistence-id-changed")(_corrupt("coexistence-regimes", "id", 2, "jpan",
                                                      where="datasets/coexistence-regimes/notes.csv"))  # fmt: skip
case("corruption", "coexistence-id-changed-with-base")(_corrupt("coexistence-regimes", "id", 2, "jpan", base=True))


# --- 13. odd files: empty, in another encoding, a file named for another's role ---------------------------------


def _dataset_file(name: str, content: bytes, where: str | None = None, located: bool = False):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        sb.path(f"{data}/{name}").write_bytes(content)
        return refuse(every(data)[:2], f"{data}/{where or name}", 3, located=located)

    return build


for _name in ("dataset.toml", "values.csv", "notes.csv"):
    case("odd-file", f"empty-{_name}")(_dataset_file(_name, b"", located=_name != "dataset.toml"))
    case("odd-file", f"utf16-{_name}")(_dataset_file(_name, "id,name\n".encode("utf-16"), located=True))
    case("odd-file", f"bom-only-{_name}")(_dataset_file(_name, b"\xef\xbb\xbf", located=_name != "dataset.toml"))


def _retarget(key: str, value: str, where: str, located: bool = True):
    def build(sb: Sandbox) -> list[Run]:
        data = sb.dataset()
        toml = f"{data}/dataset.toml"
        sb.edit(toml, f'{key} = "', f'{key} = "{value}"\nold_{key} = "')
        sb.edit(toml, f"old_{key} = ", "# ")
        return refuse(every(data)[:2], f"{data}/{where}" if where else toml, 3, located=located)

    return build


case("odd-file", "notes-are-the-values")(_retarget("notes", "values.csv", "values.csv"))
case("odd-file", "values-are-the-toml")(_retarget("values", "dataset.toml", "dataset.toml"))
case("odd-file", "values-empty-name")(_retarget("values", "", ""))


def _whole_file(role: str, content: bytes, code: int, located: bool = False):
    def build(sb: Sandbox) -> list[Run]:
        if role == "profile":
            path = sb.profile()
            sb.path(path).write_bytes(content)
            return refuse(analyses(sb.dataset(), path)[:2], path, code, located=located)
        if role == "spec":
            path = sb.spec()
            sb.path(path).write_bytes(content)
            return refuse([("uncertainty", "--spec", path, "--seed", "1", "-q")], path, code, located=located)
        path = sb.rules()
        sb.path(path).write_bytes(content)
        return refuse([("check", sb.dataset(), "--rules", path, "-q")], path, code, located=located)

    return build


for _role in ("profile", "spec"):
    case("odd-file", f"empty-{_role}")(_whole_file(_role, b"", 2))
    case("odd-file", f"utf16-{_role}")(_whole_file(_role, "schema = 1\n".encode("utf-16"), 2, located=True))
    case("odd-file", f"binary-{_role}")(_whole_file(_role, bytes(range(256)), 2, located=True))
case("odd-file", "binary-rules")(_whole_file("rules", bytes(range(256)), 2, located=True))
case("odd-file", "deep-nesting-profile")(_whole_file("profile", b"schema = 1\nname = " + b"[" * 3000 + b"]" * 3000, 2))

for _argv in (("score", "--year", "0"), ("score", "--year", "-1"), ("score", "--top", "0"),
              ("uncertainty", "--runs", "1"), ("sensitivity", "--samples", "3"), ("sensitivity", "--samples", "0"),
              ("stability", "--floor", "1"),
              ("stability", "--top-k", "0"), ("stability", "--acceptability", "-1"), ("score", "-f", "xml"),
              ("score", "--data", ""), ("score", "--weights", ""), ("score", "--top", "1.5"), ("score", "--top", "1e3"),
              ("uncertainty", "--runs", "10_000"), ("explain", "japan", "--score", "５０"), ("score", "--bogus"),
              ("nonsense",)):  # fmt: skip
    case("range", "option-" + "-".join(_word(a) for a in _argv if a)[:40] + ("-empty" if "" in _argv else ""))(
        _option(_argv)
    )


# --- 14. indicator tables: COINr's iMeta, a folder of values.csv and indicators.csv, workbooks -------------------


def coinr_runs(sb: Sandbox) -> tuple[str, str, list[tuple[str, ...]]]:
    idata, imeta = sb.coinr()
    return idata, imeta, [c[:1] + ("--meta", imeta) + c[1:] for c in analyses(idata, "asem", "asem")]


def _imeta(old: str, new: str, where: str = "imeta", located: bool = True):
    def build(sb: Sandbox) -> list[Run]:
        idata, imeta, commands = coinr_runs(sb)
        sb.edit(imeta, old, new)
        return refuse(commands, idata if where == "idata" else imeta, 3, located=located)

    return build


case("table", "imeta-direction-up")(_imeta("Logistics Performance Index,1,", "Logistics Performance Index,up,"))
case("table", "imeta-type-misspelt")(_imeta(",Physical,Indicator", ",Physical,Indicatr"))
case("table", "imeta-parent-misspelt")(_imeta(",Physical,Indicator", ",Physicl,Indicator"))
case("table", "imeta-weight-negative")(_imeta("Logistics Performance Index,1,1,", "Logistics Performance Index,1,-1,"))
case("table", "imeta-weight-text")(_imeta("Logistics Performance Index,1,1,", "Logistics Performance Index,1,one,"))
case("table", "imeta-level-wrong")(_imeta("1,LPI,", "2,LPI,"))
case("table", "imeta-two-roots")(_imeta("Connectivity,1,1,Score,,Index,", "Connectivity,1,1,Score,,,"))
case("table", "imeta-id-twice")(_imeta("1,Flights,", "1,LPI,"))
case("table", "imeta-unknown-column")(_imeta("Level,iCode,", "Levle,iCode,"))
_AREA = ",Area,Land area (denominator),,,Thousand square km,,,Denominator\n"
case("table", "imeta-column-undeclared")(_imeta(_AREA, "", where="idata"))


@case("table", "imeta-as-given")
def _(sb):
    return ok(coinr_runs(sb)[2])


@case("table", "meta-without-data")
def _(sb):
    _, imeta, _ = coinr_runs(sb)
    return refuse([("score", "--meta", imeta)], (), 2, located=False)


@case("table", "values-without-meta")
def _(sb):
    idata, _, _ = coinr_runs(sb)
    return refuse([("score", "--data", idata)], idata, 3, located=False)


def _folder_table(edit: tuple[str, str] | None = None, values_edit: tuple[str, str] | None = None):
    """A folder holding values.csv and indicators.csv (COINr's, renamed), no dataset.toml."""

    def build(sb: Sandbox) -> list[Run]:
        idata, imeta = sb.coinr()
        (sb.root / "tabled").mkdir()
        shutil.copy(sb.path(idata), sb.path("tabled/values.csv"))
        shutil.copy(sb.path(imeta), sb.path("tabled/indicators.csv"))
        commands = analyses("tabled", "asem", "asem")
        if edit is None and values_edit is None:
            return ok(commands)
        if edit is not None:
            sb.edit("tabled/indicators.csv", *edit)
            return refuse(commands, "tabled/indicators.csv", 3)
        sb.edit("tabled/values.csv", *values_edit)
        return refuse(commands, "tabled/values.csv", 3)

    return build


case("table", "folder-as-given")(_folder_table())
case("table", "folder-table-header-too-wide")(_folder_table(("Level,iCode,iName,", "Level,goalposts,iCode,iName,")))
case("table", "folder-table-target-not-a-number")(
    _folder_table(("Logistics Performance Index,1,1,Score 1-5,", "Logistics Performance Index,1,1,Score 1-5,9;1"))
)
case("table", "folder-values-text")(_folder_table(values_edit=("AUT,Austria,4.097985,", "AUT,Austria,high,")))


def _workbook(sb: Sandbox, cells: dict[tuple[int, int], object] | None = None, formula: bool = False) -> str:
    """The shipped asem values as a workbook ``book/values.xlsx`` (sheet Data) beside COINr's iMeta."""
    import csv

    import openpyxl

    idata, imeta = sb.coinr()
    folder = sb.root / "book"
    folder.mkdir(exist_ok=True)
    shutil.copy(sb.path(imeta), folder / "indicators.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    with open(sb.path(idata), encoding="utf-8", newline="") as stream:
        for r, row in enumerate(csv.reader(stream)):
            sheet.append([float(v) if r and re.fullmatch(r"-?[0-9.]+(e-?[0-9]+)?", v) else v for v in row])
    for (row, column), value in (cells or {}).items():
        sheet.cell(row, column).value = value
    book.save(folder / "values.xlsx")
    return "book"


@case("table", "xlsx-as-given")
def _(sb):
    return ok(analyses(_workbook(sb), "asem", "asem"))


@case("table", "xlsx-text-in-a-number-cell")
def _(sb):
    return refuse(analyses(_workbook(sb, {(3, 4): "n/a"}), "asem", "asem"), "book/values.xlsx", 3)


@case("table", "xlsx-formula-without-value")
def _(sb):
    return refuse(analyses(_workbook(sb, {(2, 5): "=1+1"}), "asem", "asem"), "book/values.xlsx", 3)


@case("table", "xlsx-excel-error-value")
def _(sb):
    return refuse(analyses(_workbook(sb, {(4, 3): "#DIV/0!"}), "asem", "asem"), "book/values.xlsx", 3)


@case("table", "xlsx-not-a-workbook")
def _(sb):
    book = _workbook(sb)
    sb.path(f"{book}/values.xlsx").write_bytes(b"uCode,uName\nAUT,Austria\n")
    return refuse(analyses(book, "asem", "asem"), f"{book}/values.xlsx", 3, located=False)


@case("table", "init-over-a-folder")
def _(sb):
    idata, _ = sb.coinr()
    return [Run(("init", "coinr", "--from", idata), "refuse", ("coinr",), False, (2,), output=False)]


@case("table", "init-bad-values")
def _(sb):
    sb.write("bad.csv", "id,a,a\nX,1,2\n")
    return [Run(("init", "new", "--from", "bad.csv"), "refuse", ("bad.csv",), True, (3,), output=False)]


@case("table", "init-then-score")
def _(sb):
    sb.write("mine.csv", "code;city;x;y\nA;Alpha;1,5;2\nB;Beta;2,5;1\nC;Gamma;3;0,5\n")
    return ok([("init", "mine", "--from", "mine.csv")])


# --- 15. locales: semicolons and decimal commas -----------------------------------------------------------------


def _localised(sb: Sandbox, keys: str = "", decimal: str = ",", delimiter: str = ";") -> str:
    """The oecd-governance dataset with its values written with ``delimiter`` and ``decimal`` (and ``keys``)."""
    import csv
    import io

    data = sb.dataset("oecd-governance")
    with open(sb.path(f"{data}/values.csv"), encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    number = re.compile(r"-?[0-9]+\.[0-9]+")
    for row in rows:
        writer.writerow([c.replace(".", decimal) if number.fullmatch(c) else c for c in row])
    sb.path(f"{data}/values.csv").write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    sb.edit(f"{data}/dataset.toml", "schema = 1\n", f"schema = 1\n{keys}")
    return data


def _locale(keys: str, expect: str = "refuse", where: str = "values", decimal: str = ",", delimiter: str = ";"):
    def build(sb: Sandbox) -> list[Run]:
        data = _localised(sb, keys, decimal, delimiter)
        commands = every(data, name="oecd-governance")
        if expect == "ok":
            return ok(commands)
        path = f"{data}/values.csv" if where == "values" else f"{data}/dataset.toml"
        return refuse(commands, path, 3) + [findings(data, path)]

    return build


case("locale", "semicolon-without-key")(_locale(""))
case("locale", "decimal-comma-without-key")(_locale('delimiter = ";"\n'))
case("locale", "decimal-point-under-comma-key")(_locale('delimiter = ";"\ndecimal = ","\n', decimal="."))
case("locale", "comma-file-under-semicolon-key")(_locale('delimiter = ";"\n', decimal=".", delimiter=","))
case("locale", "delimiter-key-unknown")(_locale('delimiter = ":"\n', where="toml"))
case("locale", "decimal-comma-with-comma-delimiter")(_locale('decimal = ","\n', where="toml"))
case("locale", "semicolon-and-comma-with-keys")(_locale('delimiter = ";"\ndecimal = ","\n', "ok"))
case("locale", "tab-with-key")(_locale('delimiter = "\\t"\n', "ok", decimal=".", delimiter="\t"))


CLASSES = tuple(dict.fromkeys(c.klass for c in CASES))


# --- running -------------------------------------------------------------------------------------------------------

ERROR = re.compile(r"^trustindex: error: (?P<rest>.*)$")


@dataclass
class Outcome:
    case: Case
    run: Run
    exit_code: int
    stdout: str
    stderr: str
    problems: list[str] = field(default_factory=list)


def _snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if path.is_dir() and not path.is_symlink():
                continue
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def _names(message: str, root: Path, where: tuple[str, ...], located: bool) -> bool:
    """Whether ``message`` (after ``trustindex: error: ``) starts with one of ``where`` (and a line and column)."""
    for relative in where:
        for shown in {str(root / relative), relative, os.path.normpath(str(root / relative))}:
            if message.startswith(shown + ":"):
                tail = message[len(shown) :]
                if not located or re.match(r":\d+:\d+: |: ('[^']+'|\w+)![A-Z]+\d+: ", tail):  # a line or a cell
                    return True
    return False


def judge(case: Case, run: Run, root: Path, code: int, stdout: str, stderr: str, before, after) -> list[str]:
    problems = []
    if code == 70 or "Traceback" in stderr or "internal error" in stderr:
        problems.append("internal error")
    if "Warning" in stderr:
        problems.append(f"a library warning on stderr: {stderr[:200]!r}")
    if run.expect == "refuse":
        if code not in run.codes:
            problems.append(f"exit {code}, expected {'/'.join(map(str, run.codes))}")
        lines = [line for line in stderr.splitlines() if line.strip()]
        if len(lines) != 1 or not ERROR.match(lines[0]):
            problems.append(f"stderr is not one error line: {stderr[:300]!r}")
        elif run.where and not _names(ERROR.match(lines[0])["rest"], root, run.where, run.located):
            problems.append(f"error not at {run.where[0]}{':LINE:COL' if run.located else ''}: {lines[0][:300]}")
        if stdout.strip():
            problems.append("output on stdout")
        if before != after:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            problems.append(f"files written: {changed[:3]}")
    elif run.expect == "findings":
        if code not in run.codes:
            problems.append(f"exit {code}, expected 1 or 3")
        else:
            import json

            try:
                doc = json.loads(stdout)
            except ValueError:
                return [*problems, "check -f json did not print JSON"]
            found = [f for d in doc["datasets"] for f in d["findings"] if f["severity"] in ("error", "warning")]
            wanted = {os.path.normpath(str(root / w)) for w in run.where}
            at = [f for f in found if f.get("file") and os.path.normpath(str(root / f["file"])) in wanted]
            if not at:
                problems.append(f"no error or warning at {run.where[0]}: {[f['message'] for f in found][:3]}")
            elif run.located and not any(f.get("line") for f in at):
                problems.append(f"findings at {run.where[0]} have no line: {[f['message'] for f in at][:2]}")
            elif run.line is not None and not any(f.get("line") == run.line for f in at):
                problems.append(
                    f"no error or warning at line {run.line}: {[(f['line'], f['message']) for f in at][:3]}"
                )
    elif run.expect == "notice":
        if code != 0:
            problems.append(f"exit {code}, expected 0: {stderr[:200]!r}")
        elif run.keyword.lower() not in (stdout + stderr).lower():
            problems.append(f"no mention of {run.keyword!r}")
    elif run.expect == "ok" and code != 0:
        problems.append(f"exit {code}, expected 0: {stderr[:200]!r}")
    return problems


def run_case(case: Case, root: Path, invoke, pick=None) -> list[Outcome]:
    """Build ``case`` in the empty folder ``root`` and run its command lines with ``invoke(argv, env, cwd)``
    (those ``pick(runs)`` returns, when given)."""
    sandbox = Sandbox(root)
    outcomes = []
    runs = case.build(sandbox)
    for run in pick(runs) if pick else runs:
        argv = list(run.argv)
        if run.expect == "refuse" and run.output:
            argv += ["-o", "out/result.txt"]
        before = _snapshot(root)
        code, stdout, stderr = invoke(argv, dict(run.env), root)
        after = _snapshot(root)
        outcome = Outcome(case, run, code, stdout, stderr)
        outcome.problems = judge(case, run, root, code, stdout, stderr, before, after)
        outcomes.append(outcome)
    return outcomes


def cli_invoker(shipped: Path | None = None):
    """Run trustindex in this process with click's runner, in ``cwd``, with ``env`` set."""
    from click.testing import CliRunner

    from trustindex.cli import cli

    def invoke(argv, env, cwd):
        import trustindex.io.registry as registry

        original = registry.shipped_root
        registry.shipped_root = lambda: cwd  # the sandbox is the shipped tree: its files are the shipped files
        previous = os.getcwd()
        os.chdir(cwd)
        try:
            result = CliRunner().invoke(cli, argv, env={"GITHUB_STEP_SUMMARY": None, "NO_COLOR": "1", **env})
        finally:
            os.chdir(previous)
            registry.shipped_root = original
        return result.exit_code, result.stdout, result.stderr

    return invoke
