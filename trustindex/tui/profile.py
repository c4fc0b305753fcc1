"""Write edited weights back into a profile's TOML, keeping the user's comments and layout (tomlkit).

Only the weights that differ from what the file already says are written, each where it already
lives: a dataset-specific weight under ``[datasets.NAME.weights]``, a general one under ``[weights]``.
A weight the file does not mention goes under ``[weights]`` for a pillar and under
``[datasets.NAME.weights]`` for an indicator (the shipped profiles' convention: indicators belong to
one dataset). The text is checked by loading it as a profile before it replaces anything, and it
replaces the target through the one atomic writer, :func:`trustindex.io.output.write_file`.

:func:`describe_edit` (separate from the writing, passed to :func:`save` as ``annotate``) says in the file
what was changed from which profile and when: a dated comment at the top and, for a copy of another
profile, a new ``description`` (the old one described the other profile's weights).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..model import Dataset, Weights


def _number(value: float):
    import tomlkit

    return tomlkit.item(int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value))


def _table(container, key: str):
    import tomlkit

    if key not in container:
        container[key] = tomlkit.table(is_super_table=key == "datasets")
    return container[key]


def render(text: str, dataset: Dataset, weights: Mapping[str, float], rename: str | None = None) -> str:
    """``text`` (a profile) with ``weights`` (node → weight) written in; ``rename`` sets ``name`` if present.

    Nodes whose weight in the file (after merging the dataset's own weights) already equals the given one
    are left alone, so an unchanged profile comes back byte for byte.
    """
    import tomlkit

    doc = tomlkit.parse(text)
    general = doc.get("weights", {})
    specific = doc.get("datasets", {}).get(dataset.name, {}).get("weights", {})
    indicators = set(dataset.framework.indicator_ids)
    for node, value in weights.items():
        current = specific.get(node, general.get(node, 1.0))
        if float(current) == float(value):
            continue
        if node in specific:
            specific[node] = _number(value)
        elif node in general or node not in indicators:
            _table(doc, "weights")[node] = _number(value)
            general = doc["weights"]
        else:
            datasets = _table(doc, "datasets")
            if dataset.name not in datasets:
                datasets[dataset.name] = tomlkit.table(is_super_table=True)
            holder = datasets[dataset.name]
            if "weights" not in holder:
                holder["weights"] = tomlkit.table()
            holder["weights"][node] = _number(value)
            specific = holder["weights"]
    if rename is not None and "name" in doc and doc["name"] != rename:
        doc["name"] = rename
    return tomlkit.dumps(doc)


def save(
    target: Path,
    source: Path | None,
    dataset: Dataset,
    weights: Mapping[str, float],
    protect: tuple[Path, ...] = (),
    annotate: Callable[[str], str] | None = None,
) -> Weights:
    """Write ``weights`` into the profile ``source`` (its text, comments and layout) at ``target``, atomically.

    The new text is loaded and checked against ``dataset`` before it replaces ``target``; files in
    ``protect`` (the dataset's own files) are never written; ``annotate`` (see :func:`describe_edit`), when
    given, takes the new text and returns it with its notes. Returns the profile as saved.
    """
    from ..io.output import write_file
    from ..io.weights import load_weights
    from ..prepare import check_fit

    target = Path(target)
    text = Path(source).read_text(encoding="utf-8-sig") if source is not None else "schema = 1\n\n[weights]\n"
    rename = target.stem if source is None or target.resolve() != Path(source).resolve() else None
    text = render(text, dataset, weights, rename)
    if annotate is not None:
        text = annotate(text)
    # a file we could not read back is never written
    write_file(target, text, protect=protect, verify=lambda temporary: check_fit(dataset, load_weights(temporary)),
               what="file")  # fmt: skip
    return load_weights(target)


def weight_text(value: float) -> str:
    """A weight as people write it: up to six significant digits, no trailing zeros (1, 1.5, 0.2683)."""
    return f"{value:.6g}"


def change_summary(changes: Sequence[tuple[str, float, float]], limit: int = 6) -> str:
    """``management 1 → 1.5, support 1 → 2`` (the first ``limit`` changes, then how many more)."""
    shown = [f"{node} {weight_text(old)} → {weight_text(new)}" for node, old, new in changes[:limit]]
    more = len(changes) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


EDITED = " Weights edited in trustindex tui on "
"""How a description saved in place goes on: this, the date and what changed (the last save's alone)."""


def describe_edit(
    text: str,
    origin: str,
    changes: Sequence[tuple[str, float, float]],
    copy: bool,
    today: datetime.date | None = None,
) -> str:
    """``text`` (a profile just written) with a note of what was changed from the profile ``origin``.

    ``changes`` are (node, weight before, weight now). A dated comment goes at the top of the file. For a
    ``copy`` (saved to another file than ``origin``'s), ``description`` is replaced by one that says it is
    an edit of ``origin``, and the comments ``origin`` came with are marked as its own: they describe its
    weights, not these. Saving in place keeps the user's description, followed by a sentence on the last
    edit (which replaces the one an earlier save wrote), and adds one dated line per save.
    """
    import tomlkit

    when = (today or datetime.date.today()).isoformat()
    what = change_summary(changes) if changes else "no weight changed"
    doc = tomlkit.parse(text)
    if not copy:
        if changes and "description" in doc:
            own = str(doc["description"]).split(EDITED)[0].rstrip()
            doc["description"] = f"{own}{EDITED}{when}: {what}."
            text = tomlkit.dumps(doc)
        return f"# {when}: weights edited in trustindex tui: {what}.\n" + text
    if "description" in doc or "name" in doc:
        doc["description"] = f"Edited from {origin} on {when}: {what}."
    text = tomlkit.dumps(doc)
    name = doc.get("name", "this profile")
    head = [
        f"# {name}: edited from {origin} in trustindex tui on {when}.",
        f"# Changed from {origin}: {what}.",
    ]
    if text.lstrip().startswith("#"):
        head.append(f"# The notes below came with {origin} and describe its weights, not these.")
    return "\n".join(head) + "\n#\n" + text
