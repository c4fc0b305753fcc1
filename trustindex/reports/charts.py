"""The figures of the HTML report as Vega-Lite specifications, and their export to SVG and PNG.

A specification is plain data (a dict of JSON values): the report embeds it and the vendored Vega runtime
(``vega/``) draws it in the browser; ``--figures`` renders the same specification with vl-convert (the
``report`` extra). The palette is greyscale-safe: series differ in lightness and in mark shape, and the heat
map uses cividis, whose lightness rises monotonically from −1 to 1.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
"""Names the Vega-Lite version; nothing is fetched from it."""
DARK, MID, SUB, LIGHT = "#1b1b1b", "#6b6b6b", "#9a9a9a", "#c4c4c4"
FONT = (
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK JP', 'Hiragino Sans', 'IPAPGothic', "
    "'IPAGothic', sans-serif"
)
"""Latin and CJK labels in the reader's fonts (IPAPGothic, proportional, before IPAGothic, monospaced)."""
CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 180, "grid": True, "gridColor": "#e6e6e6"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "top"},
    "title": {"fontSize": 13, "anchor": "start"},
}
WIDE = 640
"""Width in pixels of the charts that cannot follow their container's width (facets, heat maps)."""


def number(value) -> float | None:
    """A JSON number, None for NaN or infinity."""
    value = float(value)
    return value if math.isfinite(value) else None


def _spec(description: str, data: list[dict], body: dict, responsive: bool = True) -> dict:
    spec = {"$schema": SCHEMA, "description": description, "data": {"values": data}, "config": CONFIG, **body}
    if responsive:
        spec.update(width="container", autosize={"type": "fit-x", "contains": "padding"})
    return spec


def wrap(label: str, chars: int) -> str:
    """``label`` in lines of at most ``chars`` characters (a word too long for one is hyphenated)."""
    words = []
    for word in label.split():
        while len(word) > chars:
            words.append(word[: chars - 1] + "-")
            word = word[chars - 1 :]
        words.append(word)
    return "\n".join(textwrap.wrap(" ".join(words), chars, break_long_words=False, break_on_hyphens=False))


def ranking(rows: list[dict], nodes: list[tuple[str, str, int]], scale: tuple[float, float]) -> dict:
    """Each entity's index and aggregate scores as bars, one panel per node, entities in rank order.

    ``rows``: {entity, name, rank, scores: {node: score}}; ``nodes``: (id, label, depth), the index (depth 0)
    first; the index's bars are darkest, the pillars' lighter, the sub-pillars' lighter still."""
    longest = max(len(word) for _, label, _ in nodes for word in label.split())
    width = min(160, max(70, (WIDE - 180) // len(nodes), 6 * min(longest, 20) + 6))  # a word on one line
    wrapped = {node: wrap(label, max(8, width // 6)) for node, label, _ in nodes}
    data = [
        {
            "entity": f"{r['rank']:g}. {r['name']}" if r["rank"] is not None else r["name"],
            "order": i,
            "node": wrapped[node],
            "panel": p,
            "depth": min(depth, 2),
            "score": number(r["scores"][node]),
        }
        for i, r in enumerate(rows)
        for p, (node, label, depth) in enumerate(nodes)
    ]
    body = {
        "facet": {
            "column": {
                "field": "node",
                "type": "nominal",
                "sort": {"field": "panel"},
                "title": None,
                "header": {
                    "labelFontSize": 10,
                    "labelLimit": width,
                    "labelAngle": 0,
                    "labelExpr": "split(datum.value, '\\n')",
                },
            }
        },
        "spacing": 6,
        "spec": {
            "width": width,
            "height": {"step": 18},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "entity", "type": "nominal", "sort": {"field": "order"}, "title": None},
                "x": {
                    "field": "score",
                    "type": "quantitative",
                    "title": None,
                    "scale": {"domain": list(scale)},
                    "axis": {"tickCount": 3},
                },
                "color": {
                    "field": "depth",
                    "type": "ordinal",
                    "legend": None,
                    "scale": {"domain": [0, 1, 2], "range": [DARK, MID, SUB]},
                },
                "tooltip": [
                    {"field": "entity", "title": "Entity"},
                    {"field": "node", "title": "Node"},
                    {"field": "score", "title": "Score", "format": ".1f"},
                ],
            },
        },
        "resolve": {"scale": {"x": "shared"}},
    }
    return _spec("Ranking: each entity's index and pillar scores", data, body, responsive=False)


def rank_intervals(rows: list[dict]) -> dict:
    """The 5–95 % rank interval (a line), the median rank (a filled circle) and the nominal rank (a cross)."""
    data = [
        {
            "entity": r["name"],
            "order": i,
            "low": number(r["low"]),
            "high": number(r["high"]),
            "median": number(r["median"]),
            "nominal": number(r["nominal"]),
        }
        for i, r in enumerate(rows)
    ]
    y = {"field": "entity", "type": "nominal", "sort": {"field": "order"}, "title": None}
    x = {
        "type": "quantitative",
        "title": "rank (1 = best)",
        "scale": {"zero": False, "nice": False},
        "axis": {"tickMinStep": 1, "format": "d"},
    }
    points = [
        {
            "transform": [
                {"fold": ["median", "nominal"], "as": ["kind", "rank"]},
                {"calculate": "datum.kind === 'median' ? 'median rank' : 'nominal rank'", "as": "kind"},
            ],
            "mark": {"type": "point", "size": 60, "opacity": 1, "tooltip": True},
            "encoding": {
                "y": y,
                "x": {**x, "field": "rank"},
                "shape": {
                    "field": "kind",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": ["median rank", "nominal rank"], "range": ["circle", "cross"]},
                },
                "fill": {
                    "field": "kind",
                    "type": "nominal",
                    "legend": None,
                    "scale": {"domain": ["median rank", "nominal rank"], "range": [DARK, "#ffffff"]},  # seen on a dot
                },
                "stroke": {"value": DARK},
                "tooltip": [
                    {"field": "entity", "title": "Entity"},
                    {"field": "kind", "title": "Kind"},
                    {"field": "rank", "title": "Rank"},
                    {"field": "low", "title": "5 %"},
                    {"field": "high", "title": "95 %"},
                ],
            },
        },
    ]
    body = {
        "height": 18 * len(rows) + 10,
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 3, "color": LIGHT},
                "encoding": {"y": y, "x": {**x, "field": "low"}, "x2": {"field": "high"}},
            },
            *points,
        ],
    }
    return _spec("Uncertainty: 5-95 % rank intervals, median and nominal ranks", data, body)


def sobol(inputs: list[str], first, total, first_ci, total_ci, output: str) -> dict:
    """First-order and total Sobol' indices of one output with their intervals, one group of bars per input."""
    data = []
    for j, name in enumerate(inputs):
        for kind, value, (low, high) in (
            ("first-order S1", first[j], first_ci[j]),
            ("total ST", total[j], total_ci[j]),
        ):
            data.append({"input": name, "kind": kind, "value": number(value), "low": number(low), "high": number(high)})
    kind = {
        "field": "kind",
        "type": "nominal",
        "title": None,
        "scale": {"domain": ["first-order S1", "total ST"], "range": [DARK, LIGHT]},
    }
    x = {"field": "input", "type": "nominal", "title": None, "axis": {"labelAngle": 0}, "sort": list(inputs)}
    body = {
        "title": f"Sobol' indices of the {output}",
        "height": 220,
        "encoding": {"x": x, "xOffset": {"field": "kind", "type": "nominal", "sort": ["first-order S1"]}},
        "layer": [
            {
                "mark": {"type": "bar", "stroke": DARK, "strokeWidth": 1, "tooltip": True},
                "encoding": {
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "title": "index",
                        "scale": {"domain": [0, 1], "clamp": True},
                    },
                    "fill": kind,
                    "tooltip": [
                        {"field": "input"},
                        {"field": "kind"},
                        {"field": "value", "format": ".3f"},
                        {"field": "low", "title": "95 % low", "format": ".3f"},
                        {"field": "high", "title": "95 % high", "format": ".3f"},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "color": "#000000", "strokeWidth": 1.5},
                "encoding": {"y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}},
            },
        ],
    }
    return _spec(f"Sensitivity: Sobol' first-order and total indices of the {output}", data, body)


def stability(rows: list[dict]) -> dict:
    """Per weight: the share interval over which the ranking holds (dark), the top set holds (light), and the
    nominal share (a tick)."""
    data = [
        {
            "weight": r["label"],
            "order": i,
            "kind": kind,
            "low": number(low),
            "high": number(high),
            "nominal": number(r["share"]),
        }
        for i, r in enumerate(rows)
        for kind, (low, high) in (("top set holds", r["top"]), ("ranking holds", r["ranking"]))
    ]
    y = {"field": "weight", "type": "nominal", "sort": {"field": "order"}, "title": None}
    x = {"type": "quantitative", "title": "share of its group", "scale": {"domain": [0, 1]}}
    kind = {
        "field": "kind",
        "type": "nominal",
        "title": None,
        "scale": {"domain": ["ranking holds", "top set holds"], "range": [DARK, LIGHT]},
    }
    body = {
        "height": 34 * len(rows) + 10,
        "layer": [
            {
                "mark": {"type": "bar", "height": 16, "tooltip": True, "stroke": DARK, "strokeWidth": 0.5},
                "encoding": {
                    "y": y,
                    "x": {**x, "field": "low"},
                    "x2": {"field": "high"},
                    "fill": kind,
                    "tooltip": [
                        {"field": "weight"},
                        {"field": "kind"},
                        {"field": "low", "format": ".3f"},
                        {"field": "high", "format": ".3f"},
                    ],
                },
            },
            {
                "mark": {"type": "tick", "color": "#000000", "thickness": 2, "size": 26},
                "encoding": {"y": y, "x": {**x, "field": "nominal"}},
            },
        ],
    }
    return _spec("Weight stability: the share intervals over which the ranking and the top set hold", data, body)


def heat_map(ids: list[str], labels: list[str], groups: list[str], r, n, title: str) -> dict:
    """Pearson r of every pair (cividis, −1 to 1), in tree order, with a box around each group (a pillar)."""
    k = len(ids)
    cells = [{"x": j, "y": i, "r": number(r[i][j]), "n": int(n[i][j])} for i in range(k) for j in range(k)]
    blocks, start = [], 0
    for i in range(1, k + 1):
        if i == k or groups[i] != groups[start]:
            blocks.append({"start": start, "end": i, "group": groups[start]})
            start = i
    size = max(8, min(36, WIDE // max(k, 1)))
    axis = {
        "values": [i + 0.5 for i in range(k)],
        "labelExpr": f"{_array(ids)}[floor(datum.value)]",
        "grid": False,
        "labelFontSize": 9 if k > 30 else 11,
        "labelOverlap": False,
        "title": None,
        "ticks": False,
    }
    scale = {"domain": [0, k], "nice": False, "zero": False}
    body = {
        "title": title,
        "width": size * k,
        "height": size * k,
        "layer": [
            {
                "data": {"values": cells},
                "mark": {"type": "rect", "tooltip": True},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": scale, "axis": {**axis, "labelAngle": -90}},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", "type": "quantitative", "scale": {**scale, "reverse": True}, "axis": axis},
                    "y2": {"field": "y2"},
                    "color": {
                        "field": "r",
                        "type": "quantitative",
                        "title": "Pearson r",
                        "scale": {"scheme": "cividis", "domain": [-1, 1]},
                    },
                    "tooltip": [
                        {"field": "first"},
                        {"field": "firstGroup", "title": "in"},
                        {"field": "second"},
                        {"field": "secondGroup", "title": "in"},
                        {"field": "r", "format": ".2f"},
                        {"field": "n"},
                    ],
                },
                "transform": [
                    {"calculate": "datum.x + 1", "as": "x2"},
                    {"calculate": "datum.y + 1", "as": "y2"},
                    {"calculate": f"{_array(labels)}[datum.y]", "as": "first"},
                    {"calculate": f"{_array(groups)}[datum.y]", "as": "firstGroup"},
                    {"calculate": f"{_array(labels)}[datum.x]", "as": "second"},
                    {"calculate": f"{_array(groups)}[datum.x]", "as": "secondGroup"},
                ],
            },
            *(
                {
                    "data": {"values": blocks},
                    "mark": {"type": "rect", "fill": None, "stroke": colour, "strokeWidth": width},
                    "encoding": {
                        "x": {
                            "field": "start",
                            "type": "quantitative",
                            "scale": scale,
                            "axis": {**axis, "labelAngle": -90},
                        },
                        "x2": {"field": "end"},
                        "y": {
                            "field": "start",
                            "type": "quantitative",
                            "scale": {**scale, "reverse": True},
                            "axis": axis,
                        },
                        "y2": {"field": "end"},
                    },
                }
                for colour, width in (("#000000", 3), ("#ffffff", 1))  # visible on dark and light cells
            ),
        ],
    }
    return _spec(title, [], body, responsive=False)


def _array(texts: list[str]) -> str:
    """A Vega expression array of string literals (one copy in the spec, indexed by each cell)."""
    return "[" + ",".join(json.dumps(t, ensure_ascii=False) for t in texts) + "]"


def exporter():
    """vl-convert, which renders the figures as SVG and PNG; a ConfigError naming the extra when it is missing."""
    try:
        import vl_convert
    except ImportError:
        from ..errors import ConfigError

        raise ConfigError(
            "--figures needs vl-convert-python, which renders the figures as SVG and PNG",
            hint="pip install 'trustindex[report]'",
        ) from None
    return vl_convert


def targets(folder: Path, names) -> list[Path]:
    """The files ``--figures`` writes: an SVG and a PNG per figure."""
    return [folder / f"{name}.{suffix}" for name in names for suffix in ("svg", "png")]


def render(specs: dict[str, dict]) -> dict[str, bytes]:
    """Each figure as SVG and PNG (twice the pixels of its size), by file name."""
    vl_convert = exporter()
    out = {}
    for name, spec in specs.items():
        fixed = dict(spec, width=WIDE) if spec.get("width") == "container" else spec
        out[f"{name}.svg"] = vl_convert.vegalite_to_svg(fixed).encode("utf-8")
        out[f"{name}.png"] = vl_convert.vegalite_to_png(fixed, scale=2)
    return out
