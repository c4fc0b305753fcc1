"""Profiles that commands derive (``experts``, ``fit-weights``): a base profile's text with new weights, its
method choices and comments kept (tomlkit), and comments at the top saying how the weights were derived."""

from __future__ import annotations

from collections.abc import Mapping

HEADER_KEYS = ("schema", "name", "description", "framework")


def derived_profile(
    base_text: str,
    comments: list[str],
    name: str,
    description: str,
    general: Mapping[str, tuple[float, str]],
    specific: Mapping[str, tuple[float, str]] | None = None,
    dataset: str | None = None,
    keep: bool = False,
) -> str:
    """``base_text`` with ``general`` weights (node → value and a comment) under ``[weights]`` and ``specific``
    ones under ``[datasets.DATASET.weights]``; with ``keep`` the base's other weights stay, else only these."""
    import tomlkit

    base = tomlkit.parse(base_text)
    doc = tomlkit.document()
    for line in comments:
        doc.add(tomlkit.comment(line) if line else tomlkit.nl())
    doc.add(tomlkit.nl())
    doc["schema"] = 1
    doc["name"] = name
    doc["description"] = description
    if "framework" in base:
        doc["framework"] = base["framework"]
    weights = base.get("weights", tomlkit.table()) if keep else tomlkit.table()
    for node, (value, note) in general.items():
        weights[node] = tomlkit.item(float(value))
        if note:
            weights[node].comment(note)
    doc["weights"] = weights
    for key, value in base.body:
        if key is None or key.key in (*HEADER_KEYS, "weights") or (key.key == "datasets" and not keep):
            continue
        doc[key.key] = value
    if specific:
        datasets = doc.setdefault("datasets", tomlkit.table(is_super_table=True))
        table = datasets.setdefault(dataset, tomlkit.table()).setdefault("weights", tomlkit.table())
        for node, (value, note) in specific.items():
            table[node] = tomlkit.item(float(value))
            if note:
                table[node].comment(note)
    return tomlkit.dumps(doc)
