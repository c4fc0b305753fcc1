"""Build, or check, ``values.csv`` of the jp-prefectures dataset from the shared source files.

Standard library only. Every cell is copied as the text published in the source CSV (read with the csv module
as strings, never converted to a number); a status column that did not exist in a year's table is left empty.
Nothing is computed: the indicators are derived by trustindex from the formulas in ``dataset.toml``.

Usage (from the repository root)::

    python datasets/jp-prefectures/build.py            # write values.csv
    python datasets/jp-prefectures/build.py --check    # verify values.csv against the sources; exit 1 on problems
    python datasets/jp-prefectures/build.py --shared /path/to/shared/data --check

``--shared`` is the shared data folder that holds ``jp_prefectures/`` (default: ``../shared/data`` relative to
the repository root).

Pairing of the two sources (see SOURCES.md): the ISA counts of 31 December of year Y are paired with the MIC
resident register of the next day, 1 January Y+1 (``population_by_prefecture_{Y+1}.csv``). The exception is
Y = 2012: the first MIC register with foreign residents, ``population_by_prefecture_2013.csv``, is dated
31 March 2013. The date used is written per row in ``mic_reference_date``.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DEFAULT_SHARED = REPO_ROOT / ".." / "shared" / "data"
SUBFOLDER = "jp_prefectures"
VALUES = HERE / "values.csv"
TOML = HERE / "dataset.toml"

YEARS = tuple(range(2012, 2022))
N_PREFECTURES = 47

# ISA status columns: the union over 2012-2021, in the order of ISA's tables (SOURCES.md A.5 of the shared
# data); a renamed or merged status sits next to its predecessor(s).
STATUSES = (
    "n_professor",
    "n_artist",
    "n_religious_activities",
    "n_journalist",
    "n_highly_skilled_professional_1a",
    "n_highly_skilled_professional_1b",
    "n_highly_skilled_professional_1c",
    "n_highly_skilled_professional_2",
    "n_investor_business_manager",
    "n_business_manager",
    "n_legal_accounting_services",
    "n_medical_services",
    "n_researcher",
    "n_instructor",
    "n_engineer",
    "n_specialist_humanities_intl_services",
    "n_engineer_specialist_humanities_intl_services",
    "n_intra_company_transferee",
    "n_nursing_care",
    "n_entertainer",
    "n_skilled_labor",
    "n_specified_skilled_worker_i",
    "n_specified_skilled_worker_ii",
    "n_technical_intern_training_1a",
    "n_technical_intern_training_1b",
    "n_technical_intern_training_2a",
    "n_technical_intern_training_2b",
    "n_technical_intern_training_3a",
    "n_technical_intern_training_3b",
    "n_cultural_activities",
    "n_student",
    "n_trainee",
    "n_dependent",
    "n_designated_activities",
    "n_permanent_resident",
    "n_spouse_or_child_of_japanese_national",
    "n_spouse_or_child_of_permanent_resident",
    "n_long_term_resident",
    "n_special_permanent_resident",
)
ISA_FIXED = ("pref_code", "pref_name_ja", "pref_name_en", "reference_date", "n_total")
MIC_COPIED = ("pop_japanese", "pop_foreign")
HEADER = (
    "pref_code",
    "pref_name_ja",
    "pref_name_en",
    "year",
    "isa_reference_date",
    "mic_reference_date",
    "n_total",
    *STATUSES,
    *MIC_COPIED,
)
COUNT = re.compile(r"[0-9]+\Z")


def isa_file(year: int) -> str:
    return f"foreign_residents_by_status_{year}.csv"


def mic_file(year: int) -> str:
    """The MIC file paired with the ISA counts of 31 December ``year``: the register of the next day."""
    return f"population_by_prefecture_{year + 1}.csv"


def expected_mic_date(year: int) -> str:
    return "2013-03-31" if year == 2012 else f"{year + 1}-01-01"


class SourceError(Exception):
    pass


def source_folder(shared: Path) -> Path:
    folder = shared / SUBFOLDER
    if (folder / isa_file(YEARS[0])).is_file():
        return folder
    if (shared / isa_file(YEARS[0])).is_file():  # the jp_prefectures folder itself was given
        return shared
    raise SourceError(f"{shared}: no {SUBFOLDER}/{isa_file(YEARS[0])} here (give --shared the shared data folder)")


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (as dicts of the cell texts) of a source CSV; the 47 prefectures, in JIS order."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, strict=True))
    header, body = rows[0], rows[1:]
    if len(set(header)) != len(header):
        raise SourceError(f"{path.name}: duplicate column names")
    if len(body) != N_PREFECTURES:
        raise SourceError(f"{path.name}: {len(body)} rows, expected {N_PREFECTURES}")
    table = []
    for number, fields in enumerate(body, start=1):
        if len(fields) != len(header):
            raise SourceError(f"{path.name}: row {number + 1} has {len(fields)} fields, the header {len(header)}")
        row = dict(zip(header, fields, strict=True))
        if row["pref_code"] != f"{number:02d}":
            raise SourceError(f"{path.name}: row {number + 1} has pref_code {row['pref_code']!r}, expected JIS order")
        table.append(row)
    return header, table


def read_year(folder: Path, year: int):
    """(status columns present, ISA rows, MIC rows) for ISA year ``year``, validated against each other."""
    isa_header, isa = read_table(folder / isa_file(year))
    mic_header, mic = read_table(folder / mic_file(year))
    if tuple(isa_header[: len(ISA_FIXED)]) != ISA_FIXED:
        raise SourceError(f"{isa_file(year)}: the header does not start with {', '.join(ISA_FIXED)}")
    present = isa_header[len(ISA_FIXED) :]
    unknown = [c for c in present if c not in STATUSES]
    if unknown:
        raise SourceError(f"{isa_file(year)}: status column(s) not in STATUSES: {', '.join(unknown)}")
    if present != sorted(present, key=STATUSES.index):
        raise SourceError(f"{isa_file(year)}: status columns are not in the order of STATUSES")
    for name in ("pref_code", "pref_name_ja", "pref_name_en", "reference_date", *MIC_COPIED):
        if name not in mic_header:
            raise SourceError(f"{mic_file(year)}: no column {name!r}")
    for a, m in zip(isa, mic, strict=True):
        for name in ("pref_code", "pref_name_ja", "pref_name_en"):
            if a[name] != m[name]:
                raise SourceError(f"{year}: {name} {a[name]!r} (ISA) differs from {m[name]!r} (MIC)")
        if a["reference_date"] != f"{year}-12-31":
            raise SourceError(f"{isa_file(year)}: reference_date {a['reference_date']!r}, expected {year}-12-31")
        if m["reference_date"] != expected_mic_date(year):
            raise SourceError(
                f"{mic_file(year)}: reference_date {m['reference_date']!r}, expected {expected_mic_date(year)}"
            )
    return present, isa, mic


def build_rows(folder: Path) -> list[list[str]]:
    """The panel rows, sorted by year then pref_code, every cell the source's text."""
    rows = []
    for year in YEARS:
        present, isa, mic = read_year(folder, year)
        for a, m in zip(isa, mic, strict=True):
            row = [
                a["pref_code"],
                a["pref_name_ja"],
                a["pref_name_en"],
                str(year),
                a["reference_date"],
                m["reference_date"],
                a["n_total"],
            ]
            row += [a[s] if s in present else "" for s in STATUSES]
            row += [m[c] for c in MIC_COPIED]
            rows.append(row)
    return rows


def render(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename: never a partial file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check(folder: Path) -> list[str]:
    """Problems found in values.csv (and dataset.toml's column years) when compared with the sources."""
    problems: list[str] = []
    if not VALUES.is_file():
        return [f"{VALUES.name}: missing (run build.py without --check)"]
    raw = VALUES.read_bytes()
    if b"\r" in raw:
        problems.append(f"{VALUES.name}: contains CR characters; lines must end with \\n only")
    with VALUES.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle, strict=True))
    if not table or tuple(table[0]) != HEADER:
        return problems + [f"{VALUES.name}: the header differs from the expected {len(HEADER)} columns"]
    body = table[1:]
    if len(body) != len(YEARS) * N_PREFECTURES:
        problems.append(f"{VALUES.name}: {len(body)} rows, expected {len(YEARS) * N_PREFECTURES}")
    column = {name: j for j, name in enumerate(HEADER)}
    presence: dict[str, list[int]] = {s: [] for s in STATUSES}
    for y, year in enumerate(YEARS):
        present, isa, mic = read_year(folder, year)
        for s in present:
            presence[s].append(year)
        for p, (a, m) in enumerate(zip(isa, mic, strict=True)):
            line = 2 + y * N_PREFECTURES + p
            if line - 2 >= len(body):
                break
            row = body[line - 2]
            where = f"{VALUES.name}:{line} ({year}, {a['pref_code']})"
            if len(row) != len(HEADER):
                problems.append(f"{where}: {len(row)} fields, expected {len(HEADER)}")
                continue
            expected = {
                "pref_code": a["pref_code"],
                "pref_name_ja": a["pref_name_ja"],
                "pref_name_en": a["pref_name_en"],
                "year": str(year),
                "isa_reference_date": a["reference_date"],
                "mic_reference_date": m["reference_date"],
                "n_total": a["n_total"],
                **{s: (a[s] if s in present else "") for s in STATUSES},
                **{c: m[c] for c in MIC_COPIED},
            }
            for name, want in expected.items():
                got = row[column[name]]
                if got != want:
                    problems.append(f"{where}: {name} is {got!r}, the source has {want!r}")
            counts = [row[column[s]] for s in present] + [row[column["n_total"]]]
            counts += [row[column[c]] for c in MIC_COPIED]
            if not all(COUNT.match(c) for c in counts):
                problems.append(f"{where}: a present count is not a whole number written in digits")
                continue
            total = sum(int(row[column[s]]) for s in present)  # checking only; nothing is written from this
            if total != int(row[column["n_total"]]):
                problems.append(f"{where}: present status columns sum to {total}, n_total is {row[column['n_total']]}")
            for s in STATUSES:
                if s not in present and row[column[s]] != "":
                    problems.append(f"{where}: {s} did not exist in {year} but the cell is {row[column[s]]!r}")
    try:
        expected_text = render(build_rows(folder))
    except SourceError as exc:
        problems.append(str(exc))
    else:
        if raw.decode("utf-8", errors="replace") != expected_text:
            problems.append(f"{VALUES.name}: differs from a fresh build (run build.py without --check)")
    problems += check_toml(presence)
    return problems


def check_toml(presence: dict[str, list[int]]) -> list[str]:
    """dataset.toml declares years = [FIRST, LAST] and absent = 0 exactly for the statuses missing in some years."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            print(
                "build.py: note: no TOML reader (Python < 3.11 without tomli); dataset.toml not checked",
                file=sys.stderr,
            )
            return []
    if not TOML.is_file():
        return [f"{TOML.name}: missing"]
    with TOML.open("rb") as handle:
        doc = tomllib.load(handle)
    problems = []
    if doc.get("years") != list(YEARS):
        problems.append(f"{TOML.name}: years should be {list(YEARS)}")
    columns = doc.get("columns", {})
    indicators = set(doc.get("indicators", {}))
    entity = doc.get("entity", {})
    structural = {entity.get("id_column"), entity.get("name_column"), entity.get("year_column")}
    for name in HEADER:
        if name not in columns and name not in indicators and name not in structural:
            problems.append(f"{TOML.name}: column {name!r} of values.csv is not declared under [columns]")
    for name in columns:
        if name not in HEADER:
            problems.append(f"{TOML.name}: [columns.{name}] is not a column of values.csv")
    for status, years in presence.items():
        spec = columns.get(status, {})
        contiguous = years == list(range(years[0], years[-1] + 1))
        if not contiguous:
            problems.append(f"{status}: present in non-contiguous years {years}; years = [FIRST, LAST] cannot say so")
        if years == list(YEARS):
            if "years" in spec or "absent" in spec:
                problems.append(f"{TOML.name}: [columns.{status}] exists in every year; drop years/absent")
        else:
            if spec.get("years") != [years[0], years[-1]]:
                problems.append(f"{TOML.name}: [columns.{status}] years should be [{years[0]}, {years[-1]}]")
            if spec.get("absent") != 0 or not spec.get("absent_note"):
                problems.append(f"{TOML.name}: [columns.{status}] needs absent = 0 and an absent_note")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="the shared data folder holding jp_prefectures/ (default: ../shared/data from the repository root)",
    )
    parser.add_argument("--check", action="store_true", help="verify values.csv against the sources; write nothing")
    args = parser.parse_args(argv)
    try:
        folder = source_folder(args.shared)
        if args.check:
            problems = check(folder)
            for problem in problems:
                print(f"build.py: {problem}", file=sys.stderr)
            if problems:
                print(f"build.py: {len(problems)} problem(s)", file=sys.stderr)
                return 1
            print(f"build.py: {VALUES.name} matches the sources ({len(YEARS) * N_PREFECTURES} rows)", file=sys.stderr)
            return 0
        rows = build_rows(folder)
    except (SourceError, OSError, csv.Error) as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    write_atomic(VALUES, render(rows))
    print(f"build.py: wrote {VALUES} ({len(rows)} rows, {len(HEADER)} columns)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
