#!/usr/bin/env python3
"""Build (or check) ``values.csv`` of the ``oecd-governance`` dataset from the publisher files.

The chain from publisher file to shipped file:

    publisher (World Bank / OECD)
      -> public GitHub copy (repository and commit in SOURCES.md)
      -> shared/data/*.csv (reshaped to one row per country, values unchanged; see shared/data/SOURCES.md)
      -> this script: keep the 38 OECD members and the columns below
      -> values.csv

Every cell is copied as TEXT, exactly as it stands in the source CSV (read with the csv module, never
converted to a number), so ``1.0191752910614014`` stays ``1.0191752910614014``. An empty source cell stays
empty; a country a source does not cover gets empty cells for that source's columns. Nothing is computed,
imputed, rounded or rescaled. Country names come from the WGI file.

Usage, from the repository root:

    python datasets/oecd-governance/build.py            # rewrite values.csv
    python datasets/oecd-governance/build.py --check    # verify values.csv and dataset.toml; exit 1 on problems

``--shared DIR`` names the folder that holds the source CSVs. The default is ``../shared/data`` seen from the
repository root (``datasets/oecd-governance/../../../shared/data``). A relative ``--shared`` is read from the
current directory. Standard library only; --check needs Python >= 3.11 (tomllib).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"

ID, NAME = "iso3", "country"

# The 38 OECD member countries as of 2024, in the OECD's usual (English-name) order.
MEMBERS = (
    "AUS",
    "AUT",
    "BEL",
    "CAN",
    "CHL",
    "COL",
    "CRI",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "ISL",
    "IRL",
    "ISR",
    "ITA",
    "JPN",
    "KOR",
    "LVA",
    "LTU",
    "LUX",
    "MEX",
    "NLD",
    "NZL",
    "NOR",
    "POL",
    "PRT",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
    "CHE",
    "TUR",
    "GBR",
    "USA",
)

WGI = ("voice_accountability", "government_effectiveness", "regulatory_quality", "rule_of_law", "control_of_corruption")
IREG_MEASURES = ("stakeholder_engagement", "ria", "ex_post_evaluation")
IREG_CATEGORIES = ("primary", "subordinate")
DGI = (
    "dgi_digital_design",
    "dgi_data_driven",
    "dgi_govt_as_platform",
    "dgi_open_default",
    "dgi_user_driven",
    "dgi_proactiveness",
)

# (file in --shared, the value its `year` column must have, the columns taken from it, in output order)
SOURCES = (
    (
        "wgi_2024update_2023.csv",
        "2023",
        [f"{i}_estimate" for i in WGI] + [f"{i}_stddev" for i in WGI],
    ),
    (
        "oecd_ireg_2021.csv",
        "2021",
        [f"ireg_{m}_{c}" for m in IREG_MEASURES for c in IREG_CATEGORIES]
        + [f"ireg_{m}_{c}_transparency" for m in IREG_MEASURES for c in IREG_CATEGORIES],
    ),
    (
        "oecd_dgi_2023.csv",
        "2023",
        list(DGI),
    ),
)
NAME_SOURCE = "wgi_2024update_2023.csv"


class BuildError(Exception):
    pass


def read_source(path: Path, year: str, columns: list[str]) -> dict[str, dict[str, str]]:
    """Rows of a source CSV by iso3, every cell a string exactly as written in the file."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            header = reader.fieldnames or []
            missing = [c for c in (ID, NAME, "year", *columns) if c not in header]
            if missing:
                raise BuildError(f"{path}: missing column(s) {', '.join(missing)}")
            rows: dict[str, dict[str, str]] = {}
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise BuildError(f"{path}:{reader.line_num}: row length differs from the header")
                key = row[ID]
                if key in rows:
                    raise BuildError(f"{path}:{reader.line_num}: duplicate {ID} {key!r}")
                if key in MEMBERS and row["year"] != year:
                    raise BuildError(f"{path}:{reader.line_num}: year {row['year']!r} for {key}, expected {year}")
                rows[key] = row
    except OSError as exc:
        raise BuildError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BuildError(f"{path}: {exc}") from None
    return rows


def load_sources(shared: Path) -> dict[str, dict[str, dict[str, str]]]:
    return {name: read_source(shared / name, year, columns) for name, year, columns in SOURCES}


def header() -> list[str]:
    return [ID, NAME] + [c for _, _, columns in SOURCES for c in columns]


def build_rows(sources: dict[str, dict[str, dict[str, str]]]) -> list[list[str]]:
    names = sources[NAME_SOURCE]
    absent = [m for m in MEMBERS if m not in names]
    if absent:
        raise BuildError(f"{NAME_SOURCE} has no row for {', '.join(absent)}: no country name to use")
    rows = []
    for iso3 in MEMBERS:
        row = [iso3, names[iso3][NAME]]
        for name, _, columns in SOURCES:
            source_row = sources[name].get(iso3)
            row += [source_row[c] if source_row is not None else "" for c in columns]
        rows.append(row)
    return rows


def render(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header())
    writer.writerows(rows)
    return out.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename: never a partial file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file 0600; give it the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- check -----------------------------------------------------------------------------------------------


def check(shared: Path, values_path: Path, toml_path: Path) -> list[str]:
    """Problems found (empty list: all good). Prints a coverage report on stdout."""
    problems: list[str] = []
    sources = load_sources(shared)
    column_source = {c: name for name, _, columns in SOURCES for c in columns}

    # 1. values.csv is what this script writes, byte for byte.
    raw = values_path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"{values_path}: not UTF-8 ({exc})"]
    if "\r" in text:
        problems.append(f"{values_path}: contains \\r; line endings must be \\n")
    if text != render(build_rows(sources)):
        problems.append(f"{values_path}: differs from what build.py writes (run it without --check)")

    # 2. Read values.csv on its own and compare every cell with the source cell text.
    table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    head, body = table[0], table[1:]
    if len(set(head)) != len(head):
        problems.append(f"{values_path}: duplicate column names")
    if len(body) != 38:
        problems.append(f"{values_path}: {len(body)} rows, expected 38")
    ids = [r[0] if r else "" for r in body]
    if sorted(ids) != sorted(MEMBERS) or len(set(ids)) != len(ids):
        problems.append(f"{values_path}: entity ids are not exactly the 38 OECD members")
    checked = empty = 0
    for line, row in enumerate(body, start=2):
        if len(row) != len(head):
            problems.append(f"{values_path}:{line}: {len(row)} fields, header has {len(head)}")
            continue
        cells = dict(zip(head, row, strict=True))
        iso3 = cells.get(ID, "")
        wgi_row = sources[NAME_SOURCE].get(iso3)
        if wgi_row is None or cells.get(NAME) != wgi_row[NAME]:
            problems.append(f"{values_path}:{line}: country name for {iso3!r} differs from {NAME_SOURCE}")
        for column, cell in cells.items():
            if column in (ID, NAME):
                continue
            if column not in column_source:
                problems.append(f"{values_path}: column {column!r} comes from no known source")
                continue
            source_row = sources[column_source[column]].get(iso3)
            expected = "" if source_row is None else source_row[column]
            if cell != expected:
                problems.append(
                    f"{values_path}:{line}: {iso3} {column} = {cell!r}, source {column_source[column]} has {expected!r}"
                )
            elif cell == "":
                empty += 1
            else:
                checked += 1

    # 3. dataset.toml parses, and its columns match values.csv both ways.
    try:
        import tomllib  # Python >= 3.11; imported here so that building works on 3.10
    except ImportError:
        problems.append("checking dataset.toml needs Python 3.11 or later (tomllib)")
        return problems
    try:
        with toml_path.open("rb") as handle:
            doc = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{toml_path}: {exc}")
        return problems
    indicators = doc.get("indicators", {})
    extra_columns = doc.get("columns", {})
    pillars = doc.get("pillars", {})
    index_id = doc.get("index", {}).get("id")
    entity = doc.get("entity", {})
    if entity.get("id_column") != ID or entity.get("name_column") != NAME:
        problems.append(f"{toml_path}: [entity] must name {ID!r} and {NAME!r}")
    if doc.get("values") != values_path.name:
        problems.append(f"{toml_path}: values = {doc.get('values')!r}, expected {values_path.name!r}")
    both = set(indicators) & set(extra_columns)
    if both:
        problems.append(f"{toml_path}: declared both as indicator and column: {sorted(both)}")
    declared = {ID, NAME} | set(indicators) | set(extra_columns)
    for column in sorted(set(head) - declared):
        problems.append(f"{values_path}: column {column!r} is not declared in {toml_path.name}")
    for column in sorted(declared - set(head)):
        problems.append(f"{toml_path}: {column!r} is declared but is not a column of {values_path.name}")

    # 4. The tree and the metadata hang together.
    for pid, node in pillars.items():
        parent = node.get("parent", index_id)
        if parent != index_id and parent not in pillars:
            problems.append(f"{toml_path}: pillar {pid!r} has unknown parent {parent!r}")
    for key in ("label", "parent", "direction", "unit", "goalposts", "source", "year", "description"):
        for iid in sorted(i for i, meta in indicators.items() if key not in meta):
            problems.append(f"{toml_path}: [indicators.{iid}] has no {key!r}")
    for iid, meta in indicators.items():
        if meta.get("parent") not in pillars:
            problems.append(f"{toml_path}: indicator {iid!r} has unknown parent {meta.get('parent')!r}")
        low, high = meta.get("goalposts", [-math.inf, math.inf])
        if iid in head:
            j = head.index(iid)
            for row in body:
                if len(row) == len(head) and row[j] != "":
                    number = float(row[j])  # only to test the goalposts; the file keeps the text
                    if not (math.isfinite(number) and low <= number <= high):
                        problems.append(f"{row[0]} {iid} = {row[j]} lies outside goalposts [{low}, {high}]")
    for name, meta in extra_columns.items():
        target = meta.get("standard_error_of")
        if target is not None and target not in indicators:
            problems.append(f"{toml_path}: [columns.{name}] standard_error_of {target!r} is not an indicator")

    # 5. Report.
    print(f"values.csv: {len(body)} rows; {checked} non-empty cells equal their source text; {empty} empty")
    print("coverage (countries with a value, of 38):")
    for column in head[2:]:
        if column in indicators:
            j = head.index(column)
            have = [r[0] for r in body if len(r) == len(head) and r[j] != ""]
            lacking = sorted(set(ids) - set(have))
            tail = f"  lacking: {' '.join(lacking)}" if lacking else ""
            print(f"  {column:55s} {len(have):2d}{tail}")
    for name, _, _ in SOURCES:
        absent = [m for m in MEMBERS if m not in sources[name]]
        print(f"absent from {name}: {' '.join(absent) if absent else 'none'}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with the source CSVs")
    parser.add_argument("--check", action="store_true", help="verify values.csv and dataset.toml; write nothing")
    args = parser.parse_args(argv)
    values_path, toml_path = HERE / "values.csv", HERE / "dataset.toml"
    try:
        if args.check:
            problems = check(args.shared, values_path, toml_path)
            for problem in problems:
                print(f"problem: {problem}", file=sys.stderr)
            print("check: OK" if not problems else f"check: {len(problems)} problem(s)", file=sys.stderr)
            return 1 if problems else 0
        write_atomic(values_path, render(build_rows(load_sources(args.shared))))
        print(f"wrote {values_path}", file=sys.stderr)
        return 0
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
