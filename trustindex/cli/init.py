"""``trustindex init``: a dataset folder from a values file, ready to score."""

from __future__ import annotations

from pathlib import Path

import click

from .options import FILE, FOLDER, terminal_width

DELIMITERS = {",": ",", ";": ";", "\\t": "\t", "tab": "\t", "|": "|"}


@click.command(
    epilog="""\b
Examples:
  trustindex init cities --from cities.csv
  trustindex init cities --from cities.xlsx#Data
  trustindex init asem --from asem_idata.csv --meta asem_imeta.csv
  trustindex init eu --from export.csv --delimiter ';' --decimal ','
  trustindex init cities --from cities.csv --id-column code --name-column city

\b
Then:
  trustindex score --data cities
"""
)
@click.argument("folder", metavar="DIR", type=FOLDER)
@click.option("--from", "source", metavar="FILE", type=FILE, required=True,
              help="The values: a CSV (one row per entity, or per entity and year), or a sheet of an .xlsx "
              "workbook (book.xlsx#SHEET).")  # fmt: skip
@click.option("-m", "--meta", metavar="FILE", type=FILE, default=None,
              help="An indicator table to use as it is (CSV or .xlsx; COINr's iMeta included) instead of one "
              "row per numeric column.")  # fmt: skip
@click.option("--delimiter", type=click.Choice(list(DELIMITERS)), default=None,
              help="The CSV's delimiter  [default: detected]")  # fmt: skip
@click.option("--decimal", type=click.Choice([".", ","]), default=None,
              help="The decimal mark of its numbers  [default: detected]")  # fmt: skip
@click.option("--id-column", metavar="NAME", default=None, help="The column of entity ids  [default: inferred]")
@click.option("--name-column", metavar="NAME", default=None, help="The column of entity names  [default: inferred]")
@click.option("--year-column", metavar="NAME", default=None,
              help="The year column of a panel  [default: a column named year or Time, when present]")  # fmt: skip
def init(folder, source, meta, delimiter, decimal, id_column, name_column, year_column):
    """Write a dataset folder DIR from a values file, ready to score.

    Infers the entity id and name columns, a year column for a panel, the numeric columns (the
    indicators) and the CSV's delimiter and decimal mark, then writes DIR with a copy of the values,
    indicators.csv (one row per indicator, each marked for review), dataset.toml, weights.toml
    (equal weights, every method choice written out with its alternatives) and SOURCES.md to fill
    in. It prints what it inferred and what to check, directions first. DIR must not exist: init
    never overwrites anything, and writes nothing when the values do not read or do not score.
    """
    from ..errors import ConfigError, DataError, TrustIndexError
    from ..io.files import kind
    from ..io.indicators import read_indicator_table
    from ..io.scaffold import files, infer, summary
    from ..io.table import Layout
    from ..io.xlsx import split_sheet

    target = Path(folder)
    if target.is_symlink() or kind(target) != "missing":
        raise ConfigError("refusing to overwrite: it exists", path=target, hint="init writes a new folder: choose DIR")
    path_text, sheet = split_sheet(source)
    path = Path(path_text)
    table, meta_bytes, meta_name = None, None, None
    plan = infer(path, DELIMITERS.get(delimiter), decimal, sheet, id_column, name_column, year_column)
    if meta is not None:
        meta_text, meta_sheet = split_sheet(meta)
        meta_path = Path(meta_text)
        layout = Layout(plan.layout.delimiter, plan.layout.decimal, meta_sheet, "indicators")
        table = read_indicator_table(meta_path, layout)
        workbook = meta_path.suffix.lower() in (".xlsx", ".xlsm")
        meta_name = ("indicators.xlsx" if workbook else "indicators.csv") + (f"#{meta_sheet}" if meta_sheet else "")
        meta_bytes = meta_path.read_bytes()
        plan = infer(path, DELIMITERS.get(delimiter), decimal, sheet, id_column, name_column, year_column, table)
    name = Path(target.resolve().name).name
    written = files(plan, name, meta_bytes, meta_name)
    origins = {next(iter(written)): path, (meta_name or "indicators.csv").split("#")[0]: meta and Path(meta_text)}

    def verify(staged: Path) -> None:
        """The folder loads and scores with its own profile; an error points at the user's file."""
        from ..io.dataset import load_dataset
        from ..io.weights import load_weights
        from ..pipeline import score
        from ..prepare import check_fit

        try:
            dataset = load_dataset(staged)
            profile = load_weights(staged / "weights.toml")
            check_fit(dataset, profile)
            score(dataset, profile)
        except TrustIndexError as exc:
            if exc.path and Path(exc.path).parent == staged:
                origin = origins.get(Path(exc.path).name)
                exc.path = str(origin) if origin else str(target / Path(exc.path).name)
            for staged_name, origin in origins.items():  # the message names the user's files too
                if origin is not None and origin.name != staged_name:
                    exc.message = exc.message.replace(f" {staged_name}", f" {origin.name}")
            raise
        except ValueError as exc:  # pragma: no cover - a bug in what init wrote
            raise DataError(f"the folder init would write does not score: {exc}", path=target) from None

    from ..io.output import write_folder

    write_folder(target, written, verify, what="DIR")
    click.echo(summary(plan, folder.rstrip("/"), min(terminal_width() or 100, 100)), nl=False)
