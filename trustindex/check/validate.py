"""The coverage rule of ``check``, on the loaded dataset (the other rules of the values are in
:mod:`trustindex.io.validate`, shared with the loader)."""

from __future__ import annotations

import numpy as np

from ..aggregate import below


def _in(year: int | None) -> str:
    return f" in {year}" if year is not None else ""


def coverage(dataset, meta, table, col) -> None:
    """Each indicator has a value for min_coverage of the entities, each entity for min_coverage of the
    indicators, in the year scored (the latest of a panel)."""
    col.run("coverage")
    rule = col.rules.min_coverage
    observed = ~np.isnan(dataset.values)
    rows, total = observed.shape
    for j, indicator in enumerate(dataset.framework.indicators):
        share = observed[:, j].mean()
        if below(share, rule):
            if indicator.id in table.position:
                where = table.header_where(indicator.id)
            else:
                where = meta.doc.locate(("indicators", indicator.id))
            col.add("coverage", f"{indicator.id}: {observed[:, j].sum()} of {rows} entities have a value"
                    f"{_in(dataset.year)} ({100 * share:.1f}%), below {100 * rule:.1f}%", *where,
                    node=indicator.id, coverage=float(share), min_coverage=rule)  # fmt: skip
    for i, entity in enumerate(dataset.entities):
        share = observed[i].mean()
        if below(share, rule):
            row = table.find(entity, dataset.year)
            where = table.where(row, meta.id_column) if row else (table.path,)
            col.add("coverage", f"{entity} ({dataset.names[i]}): {observed[i].sum()} of {total} indicators have a "
                    f"value{_in(dataset.year)} ({100 * share:.1f}%), below {100 * rule:.1f}%", *where, entity=entity,
                    coverage=float(share), min_coverage=rule)  # fmt: skip
