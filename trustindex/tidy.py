"""One vocabulary for every output: the provenance block of JSON documents, JSON-ready values, the rows of a
scoring, and those rows as a pandas DataFrame or an HTML table.

JSON, CSV and frames name things alike: an entity's id is ``entity`` and its display name ``name``, a node's id
``node`` (a list of nodes, as the indicator table, says ``id``), a rank ``rank``, a score ``score``. The CSV of a
command and the frame of its result have the same columns (:func:`frame` builds one from the CSV's rows).

io/ may import this module (a :class:`~trustindex.model.Result` converts itself), so it imports no analysis.
"""

from __future__ import annotations

import html
import math

import numpy as np

from .defaults import LEVEL, SCORE_LEVELS


def document(result, command: str, seed=None) -> dict:
    """The provenance block every JSON output starts with: the tool, the dataset, the profile and the methods
    in effect (defaults included); ``result`` is a scoring result or an engine."""
    from . import __version__
    from .model import methods

    dataset, weights = result.dataset, result.weights
    return {
        "tool": "trustindex",
        "version": __version__,
        "command": command,
        "dataset": {
            "name": dataset.name,
            "title": dataset.title,
            "digest": dataset.digest,
            "licence": dataset.licence,
            "illustrative": dataset.illustrative,
            "year": dataset.year,
        },
        "weights": {"name": weights.name, "digest": weights.digest, "methods": methods(weights)},
        "seed": seed,
    }


def plain(value):
    """A JSON-ready copy of dataclasses, tuples, arrays and floats (NaN and infinities become null)."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return (
            None if not math.isfinite(value) else (int(value) if value.is_integer() and abs(value) < 2**53 else value)
        )
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _shown(result, level: str) -> list[str]:
    if level not in SCORE_LEVELS:
        from .errors import ConfigError, did_you_mean

        raise ConfigError(f"level must be one of {', '.join(SCORE_LEVELS)}, not {level!r}",
                          hint=did_you_mean(str(level), SCORE_LEVELS))  # fmt: skip
    framework = result.framework
    shown = [n for n in result.nodes if level == "indicator" or framework.level(n) != "indicator"]
    return shown[:1] if level == "index" else shown


def _order(result, top: int | None) -> list[int]:
    order = result.order()
    rank = result.rank(result.nodes[0])
    return [int(i) for i in order if top is None or rank[i] <= top]


def score_rows(result, level: str = LEVEL, top: int | None = None) -> tuple[list[str], list[dict]]:
    """The ranking as rows, best first: ``rank``, ``entity``, ``name`` and the score of every node down to
    ``level`` (by node id); only the ``top`` ranks when given. The columns of ``score -f csv``."""
    shown = _shown(result, level)
    rank = result.rank(result.nodes[0])
    columns = {n: result.column(n) for n in shown}
    rows = []
    for i in _order(result, top):
        row = {"rank": rank[i], "entity": result.entities[i], "name": result.dataset.names[i]}
        row.update({n: result.scores[i, j] for n, j in columns.items()})
        rows.append(row)
    return ["rank", "entity", "name", *shown], rows


def score_document(result, level: str = LEVEL, top: int | None = None) -> dict:
    """The JSON document of ``score``: provenance, the nodes down to ``level``, every entity's ranks, scores and
    coverage, and the notices."""
    framework, shown = result.framework, _shown(result, level)
    rank = result.rank(result.nodes[0])
    columns = {n: result.column(n) for n in shown}
    ranks = {n: result.rank(n) for n in shown}
    doc = document(result, "score")
    doc["nodes"] = [
        {"id": n, "label": framework.label(n), "level": framework.level(n), "parent": framework.parent(n),
         "share": plain(result.shares[columns[n]])}
        for n in shown
    ]  # fmt: skip
    doc["entities"] = [
        {
            "entity": result.entities[i],
            "name": result.dataset.names[i],
            "rank": plain(rank[i]),
            "score": plain(result.scores[i, 0]),
            "scores": {n: plain(result.scores[i, j]) for n, j in columns.items()},
            "ranks": {n: plain(ranks[n][i]) for n in shown},
            "coverage": {n: plain(result.coverage[i, j]) for n, j in columns.items()},
        }
        for i in _order(result, top)
    ]
    doc["notices"] = [
        {"kind": n.kind, "message": n.message, "node": n.node, "entities": list(n.entities)} for n in result.notices
    ]
    return doc


def pandas():
    """The pandas module, or one clear error saying what to install."""
    try:
        import pandas
    except ImportError:
        from .errors import ConfigError

        raise ConfigError("to_frame() needs pandas, which is not installed",
                          hint='pip install "trustindex[pandas]"') from None  # fmt: skip
    return pandas


def _cell(value):
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


def frame(columns: list[str], rows: list[dict]):
    """A DataFrame of ``rows`` with ``columns`` in order: the rows of a CSV (``true``/``false`` as booleans,
    missing values as NaN or None)."""
    pd = pandas()
    return pd.DataFrame({c: [_cell(row.get(c)) for row in rows] for c in columns}, columns=columns)


def html_table(columns: list[str], rows: list[dict], caption: str, limit: int = 10) -> str:
    """A compact HTML table of the first ``limit`` rows (numbers to 4 significant digits) under ``caption``:
    what a notebook shows for a result."""

    def cell(value) -> str:
        value = _cell(value)
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.4g}"
        return html.escape("" if value is None else str(value))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows[:limit])
    more = f"<p>… {len(rows) - limit} more rows: <code>.to_frame()</code> has them all</p>" if len(rows) > limit else ""
    return (f"<div><p>{html.escape(caption)}</p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"{more}</div>")  # fmt: skip
