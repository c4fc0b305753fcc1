"""The reports of ``trustindex datasets`` and ``trustindex datasets show``."""

from __future__ import annotations

from ..render import Column, json_text, render_table


def _span(years) -> str:
    return "" if not years else (str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}")


def datasets_report(datasets, fmt: str, places=None) -> str:
    """One line per dataset: where it is (``here``: ./datasets, or ``shipped``), size, years, licence and
    description."""
    places = places or ["shipped"] * len(datasets)
    rows = [
        {
            "name": d.name,
            "where": place,
            "entities": len(d.entities),
            "indicators": len(d.framework.indicators),
            "years": _span(d.years),
            "licence": d.licence,
            "description": d.description,
        }
        for d, place in zip(datasets, places, strict=True)
    ]
    if fmt == "json":
        return json_text(
            {"datasets": [dict(r, years=list(d.years), title=d.title) for r, d in zip(rows, datasets, strict=True)]}
        )
    columns = [
        Column("name", "Dataset", long="keep"),
        Column("where", "Where"),
        Column("entities", "Entities", "int"),
        Column("indicators", "Indicators", "int"),
        Column("years", "Years"),
        Column("licence", "Licence", long="note"),
        Column("description", "Description", long="shorten"),
    ]
    return render_table(fmt, columns, rows)


def _tree(framework):
    """(node id, depth) in depth-first order from the index."""

    def walk(node: str, depth: int):
        yield node, depth
        for child in framework.children(node):
            yield from walk(child, depth + 1)

    return list(walk(framework.index.id, 0))


def framework_report(dataset, fmt: str) -> str:
    """The framework tree with, per indicator, direction, unit, goalposts, source, year and formula."""
    framework = dataset.framework
    indicators = {i.id: i for i in framework.indicators}
    rows = []
    for node, depth in _tree(framework):
        row = {"id": node, "level": framework.level(node), "label": framework.label(node), "depth": depth}
        indicator = indicators.get(node)
        if indicator is not None:
            row.update(
                direction="higher" if indicator.direction > 0 else "lower",
                unit=indicator.unit,
                goalposts=list(indicator.goalposts) if indicator.goalposts else None,
                target=indicator.target,
                source=indicator.source,
                year=indicator.year,
                formula=indicator.formula,
            )
        elif not framework.indicators_under(node):
            row["source"] = "no indicators: left out of the index"
        rows.append(row)
    if fmt == "json":
        document = {
            "dataset": {
                "name": dataset.name,
                "title": dataset.title,
                "description": dataset.description,
                "licence": dataset.licence,
                "attribution": dataset.attribution,
                "notice": dataset.notice,
                "years": list(dataset.years),
                "digest": dataset.digest,
            },
            "nodes": rows,
            "columns": [
                {
                    "name": c.name,
                    "label": c.label,
                    "unit": c.unit,
                    "source": c.source,
                    "kind": c.kind,
                    "years": list(c.years) if c.years else None,
                    "absent": c.absent,
                    "absent_note": c.absent_note,
                    "standard_error_of": c.standard_error_of,
                }
                for c in dataset.columns
            ],
        }
        return json_text(document)
    for row in rows:
        if fmt != "csv":
            row["label"] = "  " * row["depth"] + row["label"]
        if row.get("goalposts"):
            row["goalposts"] = f"{row['goalposts'][0]:g}–{row['goalposts'][1]:g}"
    columns = [
        Column("label", "Node"),
        Column("id", "ID", long="keep"),
        Column("direction", "Better"),
        Column("unit", "Unit"),
        Column("goalposts", "Goalposts"),
        Column("year", "Year"),  # text: a node without a year shows nothing, not "n/a"
        Column("source", "Source", long="note"),
        Column("formula", "Formula", long="note"),
    ]
    if fmt == "csv":
        columns.insert(1, Column("level", "level"))
    header = [dataset.title or dataset.name, dataset.description, f"Licence: {dataset.licence}"]
    if dataset.years:
        header.append(f"Years: {_span(dataset.years)}")
    footer = [line for line in header[1:] if line] + (
        [f"Attribution: {dataset.attribution}"] if dataset.attribution else []
    )
    notes = [f"Note: {dataset.notice}"] if dataset.notice else []
    text = render_table(fmt, columns, rows, notes if fmt == "csv" else footer + notes)  # in CSV, the notes only
    if fmt == "csv" or not dataset.columns:
        return text
    published = [
        {
            "name": c.name,
            "label": c.label,
            "unit": c.unit,
            "years": f"{c.years[0]}–{c.years[1]}" if c.years else "",
            "absent": "" if c.absent is None else f"{c.absent:g}",
            "note": c.absent_note or (f"standard error of {c.standard_error_of}" if c.standard_error_of else ""),
        }
        for c in dataset.columns
    ]
    table = [Column("name", "Column"), Column("label", "Label"), Column("unit", "Unit"), Column("years", "Exists"),
             Column("absent", "When absent"), Column("note", "Note")]  # fmt: skip
    title = "Published columns (formula inputs and metadata):"
    return text + "\n" + ("## " if fmt == "markdown" else "") + title + "\n\n" + render_table(fmt, table, published)
