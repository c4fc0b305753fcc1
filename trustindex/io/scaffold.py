"""What ``trustindex init`` infers from a values file, and the files of the dataset folder it writes.

:func:`infer` reads the values (a CSV, its delimiter and decimal mark detected unless given, or a sheet of a
workbook) and finds the entity id and name columns, a year column for a panel, the numeric columns (the
indicators) and the text columns. :func:`files` writes the folder's files as text: the values unchanged (a copy
of the bytes), ``indicators.csv`` (one row per node; every indicator marked for review), ``dataset.toml``,
``weights.toml`` (equal weights, every method choice written out with its alternatives, from
:mod:`trustindex.methods` and the defaults of :mod:`trustindex.model`) and ``SOURCES.md`` to fill in.
:func:`summary` is what init prints. Nothing here writes a file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import methods
from ..errors import DataError
from ..model import Aggregation, Imputation, Normalisation, Thresholds, Treatment, Weights
from .codes import ISO3
from .indicators import IndicatorTable
from .numbers import YEAR, NotANumber, parse_number
from .table import SPACE, Layout, delimiter_name, read_rows, sniff
from .toml import read_text
from .validate import MISSING

ID_NAMES = ("id", "code", "ucode", "iso3", "iso", "iso_code", "iso3_code", "country_code", "geo", "key")
NAME_NAMES = ("name", "uname", "label", "entity", "country", "city", "prefecture", "state", "region_name")
YEAR_NAMES = ("year", "time")
"""Column names (compared without regard to case) that say what a column is."""
LOWER = ("unemploy", "poverty", "crime", "homicide", "death", "mortality", "debt", "deficit", "emission", "co2",
         "pollut", "inequal", "gini", "corrupt", "neet", "accident", "victim", "obes", "smok", "waste",
         "congest", "dropout", "absen", "evict", "discrimin", "violen", "suicid", "overcrowd", "per_teacher",
         "waiting")  # fmt: skip
"""Parts of a column's name that suggest lower values are better: named, never applied, by init's report."""
INDEX = "index"
"""The id init gives the index (a column of that name makes it ``index_``)."""


@dataclass(frozen=True)
class Plan:
    """What init inferred from the values file."""

    source: Path
    layout: Layout
    detected: tuple[str, ...]
    """What was detected rather than given: ``delimiter``, ``decimal``."""
    header: tuple[str, ...]
    id_column: str
    name_column: str
    year_column: str | None
    years: tuple[int, ...]
    entities: int
    indicators: tuple[str, ...]
    text: tuple[str, ...] = ()
    """Columns holding text (not the id or the name): kept as text columns, e.g. groups for imputation."""
    empty: tuple[str, ...] = ()
    """Columns without a value: kept as numeric columns, not indicators."""
    id_kind: str | None = None
    lower: tuple[str, ...] = ()
    """Indicators whose name suggests that lower is better."""
    table: IndicatorTable | None = None
    """The indicator table given with ``--meta`` (its tree is used as it is)."""
    examples: dict = field(default_factory=dict)
    """A text cell of each text column, to show why it is not numeric."""


def _fail(message: str, path, line=None, column=None, hint=None):
    raise DataError(message, path=path, line=line, column=column, hint=hint)


def _numeric(texts: list[str], decimal: str) -> bool:
    for text in texts:
        if text in MISSING:
            continue
        try:
            parse_number(text, decimal=decimal)
        except NotANumber:
            return False
    return True


def _named(header: list[str], names: tuple[str, ...], skip=()) -> str | None:
    for wanted in names:
        for name in header:
            if name.lower() == wanted and name not in skip:
                return name
    return None


def infer(path: Path, delimiter: str | None = None, decimal: str | None = None, sheet: str | None = None,
          id_column: str | None = None, name_column: str | None = None, year_column: str | None = None,
          table: IndicatorTable | None = None) -> Plan:  # fmt: skip
    """Read the values at ``path`` and infer what :class:`Plan` holds; the given columns and layout win."""
    path = Path(path)
    detected = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        layout = Layout(sheet=sheet)
    else:
        text = read_text(path, DataError)
        found_delimiter, found_decimal = sniff(text)
        if delimiter is None:
            delimiter = found_delimiter
            detected.append("delimiter")
        if decimal is None:
            decimal = found_decimal if found_decimal != delimiter else "."
            detected.append("decimal")
        if decimal == "," and delimiter == ",":
            _fail("a decimal comma needs another delimiter than the comma", path, hint="give --delimiter ';'")
        layout = Layout(delimiter, decimal)
    rows, sheet_name, _ = read_rows(path, layout)
    layout = Layout(layout.delimiter, layout.decimal, sheet_name)
    if len(rows) < 2:
        _fail("no rows under the header" if rows else "empty file: expected a header and one row per entity", path,
              1, 1, "the first row names the columns; each further row is an entity (and a year)")  # fmt: skip
    header = [h.strip(SPACE) for h in rows[0].fields]
    from .table import Table

    shape = Table(path, rows[0], header, rows[1:], sheet=sheet_name, delimiter=layout.delimiter)
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        where = shape.at(rows[0], j)
        if not name:
            _fail(f"column {j + 1} has no name", *where, hint="every column needs a name in the header")
        if name in seen:
            _fail(f"column {name!r} appears twice (first as column {seen[name] + 1})", *where)
        seen[name] = j
    for row in rows[1:]:
        if len(row.fields) != len(header):
            where = shape.at(row, min(len(row.fields), len(header)))
            _fail(f"row has {len(row.fields)} fields, the header has {len(header)}", *where,
                  hint="check the delimiter and the quoting")  # fmt: skip
    cells = {name: [r.fields[j].strip(SPACE) for r in rows[1:]] for j, name in enumerate(header)}
    numeric = {name: _numeric(texts, layout.decimal) for name, texts in cells.items()}
    for given, what in ((id_column, "--id-column"), (name_column, "--name-column"), (year_column, "--year-column")):
        if given is not None and given not in header:
            from ..errors import ConfigError, did_you_mean

            raise ConfigError(f"{what}: no column {given!r} in {path.name}", hint=did_you_mean(given, header))

    year = year_column or _named(header, YEAR_NAMES)
    if year is not None and not all(YEAR.fullmatch(t) for t in cells[year]):
        if year_column is not None:
            bad = next(r for r, t in enumerate(cells[year]) if not YEAR.fullmatch(t))
            _fail(f"year {cells[year][bad]!r} is not a four-digit year", *shape.at(rows[bad + 1], seen[year]))
        year = None
    years = tuple(sorted({int(t) for t in cells[year]})) if year else ()

    def unique(name: str) -> bool:
        keys = [(t, cells[year][r] if year else None) for r, t in enumerate(cells[name])]
        return all(t for t, _ in keys) and len(set(keys)) == len(keys)

    ident = id_column or _named(header, ID_NAMES, skip=(year,))
    if ident is None or not unique(ident):
        if id_column is not None:
            _fail(f"column {ident!r} does not identify the entities: its ids repeat or are empty", path,
                  hint="an id is unique (in each year of a panel)")  # fmt: skip
        texts = [n for n in header if n != year and not numeric[n] and unique(n)]
        codes = [n for n in header if n != year and numeric[n] and unique(n) and all(re.fullmatch(r"[0-9]+", t)
                 for t in cells[n])]  # fmt: skip
        ident = (texts or codes or [None])[0]
    if ident is None:
        _fail("no column identifies the entities (unique, non-empty values)", path, 1, 1,
              "give --id-column NAME")  # fmt: skip
    name = name_column or _named(header, NAME_NAMES, skip=(ident, year))
    if name is None:
        name = next((n for n in header if n not in (ident, year) and not numeric[n]), ident)
    fixed = {ident, name, year}
    indicators = tuple(n for n in header if n not in fixed and numeric[n] and any(t not in MISSING for t in cells[n]))
    text_columns = tuple(n for n in header if n not in fixed and not numeric[n])
    empty = tuple(n for n in header if n not in fixed and numeric[n] and n not in indicators)
    ids = set(cells[ident])
    return Plan(
        source=path,
        layout=layout,
        detected=tuple(detected),
        header=tuple(header),
        id_column=ident,
        name_column=name,
        year_column=year,
        years=years,
        entities=len(ids),
        indicators=indicators if table is None else tuple(table.data["indicators"]),
        text=text_columns,
        empty=empty,
        id_kind="iso3" if ids <= ISO3 else None,
        lower=tuple(n for n in indicators if any(part in n.lower() for part in LOWER)),
        table=table,
        examples={n: next(t for t in cells[n] if t not in MISSING) for n in text_columns},
    )


# --- the files -------------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def index_id(plan: Plan) -> str:
    """The index's id: ``index``, unless a column already has it."""
    taken = set(plan.header)
    out = INDEX
    while out in taken:
        out += "_"
    return out


def indicator_table(plan: Plan, title: str) -> str:
    """``indicators.csv``: the index, every indicator directly under it (higher is better, to review), and the
    text and empty columns; written with the dataset's delimiter."""
    index = index_id(plan)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=plan.layout.delimiter, lineterminator="\n")
    writer.writerow(["id", "label", "parent", "type", "direction", "unit", "source", "year", "goalposts", "target",
                     "kind", "description", "review"])  # fmt: skip
    writer.writerow([index, title, "", "aggregate", "", "", "", "", "", "", "", "the index: group indicators into "
                     "pillars by adding aggregate rows and setting each indicator's parent", ""])  # fmt: skip
    for name in plan.indicators:
        hint = " (its name suggests lower)" if name in plan.lower else ""
        writer.writerow([name, name, index, "indicator", "higher", "", "", "", "", "", "", "",
                         f"direction{hint}, unit, source"])  # fmt: skip
    for name in plan.text:
        writer.writerow([name, name, "", "column", "", "", "", "", "", "", "text", "", ""])
    for name in plan.empty:
        writer.writerow([name, name, "", "column", "", "", "", "", "", "", "number", "no values in the source", ""])
    return out.getvalue()


def dataset_toml(plan: Plan, name: str, values: str, indicators: str) -> str:
    lines = [
        f"# The dataset {name}, written by `trustindex init` from {plan.source.name}. Review every line marked REVIEW,",
        "# and each row of the indicator table whose review cell is filled (then clear the cell).",
        "schema = 1",
        f"name = {_string(name)}",
        f"title = {_string(name)}               # REVIEW: the index's title",
        'licence = ""                # REVIEW: the licence of the data (check reports a dataset without one)',
        f"values = {_string(values)}",
        f"indicators = {_string(indicators)}   # the tree and each indicator: one row per node",
        'default_weights = "weights.toml"   # the profile used when --weights is not given',
    ]
    if plan.layout.delimiter != ",":
        lines.append(f"delimiter = {_string(plan.layout.delimiter)}             # how the CSV files separate fields")
    if plan.layout.decimal != ".":
        lines.append(f"decimal = {_string(plan.layout.decimal)}               # the decimal mark of their numbers")
    if plan.years:
        lines.append(f"years = [{', '.join(str(y) for y in plan.years)}]")
    lines += ["", "[entity]", f"id_column = {_string(plan.id_column)}", f"name_column = {_string(plan.name_column)}"]
    if plan.year_column:
        lines.append(f"year_column = {_string(plan.year_column)}   # one row per entity and year: a panel")
    if plan.id_kind:
        lines.append(f"id_kind = {_string(plan.id_kind)}   # every id is an ISO 3166-1 alpha-3 code: checked as one")
    return "\n".join(lines) + "\n"


def _choices(names) -> str:
    return " | ".join(names)


def profile_toml(plan: Plan, name: str, nodes: list[str]) -> str:
    """``weights.toml``: equal weights for ``nodes`` and every method choice at its default, each with a
    comment naming the alternatives (:mod:`trustindex.methods`)."""
    normalisation, aggregation, treatment, imputation = Normalisation(), Aggregation(), Treatment(), Imputation()
    audit, ties, basis = Thresholds(), Weights("").ties, Weights("").screening_basis
    low, high = normalisation.range
    coverage = f"{aggregation.min_coverage:.3f}"
    lines = [
        f"# The weights profile of {name}, written by `trustindex init`: equal weights, and every method choice at",
        "# trustindex's default, written out. Change any of them; `trustindex tui` changes the weights live and saves",
        "# them here (comments kept).",
        "schema = 1",
        f"name = {_string(name + '-equal')}",
        f'description = "Equal weights; {normalisation.method} {low:g}-{high:g}; {aggregation.method} means '
        '(written by trustindex init)."',
        "",
        "[weights]   # relative weights within each group (the children of one node); an unlisted node weighs 1",
        *(
            ["# the indicator table's weight column weighs the nodes it names; a weight here overrides it"]
            if plan.table is not None and plan.table.weights
            else []
        ),  # fmt: skip
        *[f"{_key(n)} = 1" for n in nodes if plan.table is None or n not in plan.table.weights],
        "",
        "[normalisation]   # how each indicator's values become comparable scores (directions applied)",
        f"# method: {_choices(methods.NORMALISATION)}",
        "# (goalposts and target need the goalposts or target of every indicator)",
        f"method = {_string(normalisation.method)}",
        f"# range: the output of {', '.join(sorted(methods.BOUNDED))}",
        "# ([1, 100] keeps geometric means defined at the worst value)",
        f"range = [{low:g}, {high:g}]",
        "",
        "[aggregation]   # how the components of every node combine; [aggregation.pillar] or .index sets one level",
        f"# method: {_choices(methods.AGGREGATION)} (power needs p = EXPONENT)",
        f"method = {_string(aggregation.method)}",
        "# min_coverage: below this share of components present the aggregate is missing (to three decimals)",
        f"min_coverage = {coverage}",
        "",
        "[ranking]",
        f"# ties: {_choices(methods.TIES)} (1224, 1223, 1 2.5 2.5 4)",
        f"ties = {_string(ties)}",
        "",
        "[treatment]   # outliers, before normalisation",
        f"# method: {_choices(methods.TREATMENT)} (winsorise: up to max_points values on the side of the skew, "
        "else a log)",
        f"method = {_string(treatment.method)}",
        f"# max_points = {treatment.max_points}",
        "",
        "[imputation]   # missing values",
        f"# method: {_choices(methods.IMPUTATION)}",
        "# (none: every aggregate is computed over the components present)",
        f"method = {_string(imputation.method)}",
        f"# group = {_string(plan.text[0] if plan.text else 'COLUMN')}   # the text column "
        f"{' and '.join(sorted(methods.GROUPED))} group by",
        "",
        "[screening]   # entities with too little data",
        "# min_coverage: leave out entities with a smaller share of indicators present (default: none left out)",
        "# min_coverage = 0.667",
        "# basis: imputed (coverage after imputation) | raw (before it)",
        f"basis = {_string(basis)}",
        "",
        "[audit]   # the thresholds of `trustindex audit` and of the treatment (JRC practice)",
        *[
            f"{k} = {getattr(audit, k):g}"
            for k in ("max_skew", "max_kurtosis", "min_alpha", "redundant", "conflicting", "weak", "significance")
        ],  # fmt: skip
        f"min_coverage = {audit.min_coverage:.3f}",
    ]
    return "\n".join(lines) + "\n"


def sources_md(plan: Plan, name: str) -> str:
    rows = "\n".join(f"| {n} | | | | |" for n in plan.indicators)
    return f"""# {name} — provenance

Written by `trustindex init` from `{plan.source.name}`: fill in every heading before you publish a score.

- **Publisher:**
- **Edition (year, version):**
- **URL as published:**
- **Licence:** (also `licence` in dataset.toml)
- **Attribution line:**
- **What was changed:** nothing: `{_values_name(plan)}` is a copy of `{plan.source.name}`.

## Indicators

| indicator | publisher | edition | URL | licence |
|---|---|---|---|---|
{rows}
"""


def _values_name(plan: Plan) -> str:
    return "values.xlsx" if plan.layout.sheet is not None else "values.csv"


def files(plan: Plan, name: str, meta_bytes: bytes | None = None, meta_name: str | None = None) -> dict[str, bytes]:
    """Every file of the dataset folder, by name: the values copied byte for byte, the indicator table (the
    given one, copied, or one written from the plan), dataset.toml, weights.toml and SOURCES.md."""
    values = _values_name(plan)
    source = plan.source.read_bytes()
    values_key = values if plan.layout.sheet is None else f"{values}#{plan.layout.sheet}"
    if plan.table is not None:
        indicators, table_bytes = meta_name, meta_bytes
        tree = [n for s in ("pillars", "indicators") for n in plan.table.data[s]]
    else:
        indicators, table_bytes = "indicators.csv", indicator_table(plan, name).encode("utf-8")
        tree = list(plan.indicators)
    return {
        values: source,
        indicators.split("#")[0]: table_bytes,
        "dataset.toml": dataset_toml(plan, name, values_key, indicators).encode("utf-8"),
        "weights.toml": profile_toml(plan, name, tree).encode("utf-8"),
        "SOURCES.md": sources_md(plan, name).encode("utf-8"),
    }


def _listed(names, limit: int = 12) -> str:
    names = list(names)
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def summary(plan: Plan, folder: str, width: int = 100) -> str:
    """What init prints, wrapped at ``width``: what it inferred, then what to check (directions first), then how
    to score."""
    layout = plan.layout
    how = (f"sheet {layout.sheet!r}" if layout.sheet else
           f"delimiter {delimiter_name(layout.delimiter)!r}, decimal {layout.decimal!r}"
           + (", detected" if plan.detected else ""))  # fmt: skip
    span = (f"{len(plan.years)} years, {plan.years[0]}-{plan.years[-1]}" if len(plan.years) > 1 else
            f"one year, {plan.years[0]}" if plan.years else "")  # fmt: skip
    shape = f"a panel, {span} (column {plan.year_column})" if plan.years else "a cross-section (one row per entity)"
    lines = [
        f"trustindex init: wrote {folder}/ from {plan.source.name} ({how})",
        f"  entities    {plan.entities}, id column {plan.id_column!r}, name column {plan.name_column!r}; {shape}",
    ]
    if plan.table is not None:
        lines.append(f"  indicators  {len(plan.indicators)} from the indicator table given ({plan.table.path.name})")
    else:
        lines.append(f"  indicators  {len(plan.indicators)}: {_listed(plan.indicators)}")
    if plan.text:
        lines.append(f"  text        {_listed(f'{n} (e.g. {plan.examples[n]!r})' for n in plan.text)}: not indicators")
    if plan.empty:
        lines.append(f"  empty       {_listed(plan.empty)}: no values, not indicators")
    lines += [
        f"  files       {_values_name(plan)}, {'the indicator table' if plan.table else 'indicators.csv'}, "
        "dataset.toml, weights.toml (equal weights, every method written out), SOURCES.md",
        "",
        "Check before you trust a score:",
    ]
    if plan.table is None:
        lines.append("  1. directions: every indicator is taken as higher-is-better; set direction = lower in "
                     "indicators.csv where lower is better" + (f" (by their names, perhaps: {_listed(plan.lower)})"
                                                               if plan.lower else ""))  # fmt: skip
        lines.append("  2. units, sources and years: indicators.csv leaves them empty (its review column lists what "
                     "to check)")  # fmt: skip
        lines.append("  3. the tree: every indicator sits directly under the index; to form pillars, add aggregate "
                     "rows and set each indicator's parent")  # fmt: skip
    else:
        lines.append(f"  1. directions, units and sources: as the indicator table gives them ({plan.table.path.name})")
        lines.append("  2. the tree: as the indicator table gives it")
    lines.append("  4. the licence (dataset.toml) and SOURCES.md" if plan.table is None else "  3. the licence "
                 "(dataset.toml) and SOURCES.md")  # fmt: skip
    lines += ["", f"Score it:  trustindex score --data {folder}"]
    return "\n".join(_wrap(line, width) for line in lines) + "\n"


def _wrap(line: str, width: int) -> str:
    import textwrap

    if len(line) <= width:
        return line
    lead = len(line) - len(line.lstrip())
    indent = " " * (lead + (3 if re.match(r"\s*\d\. ", line) else 12 if lead else 2))
    return "\n".join(textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False))
