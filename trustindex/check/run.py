"""One dataset through every step of ``check``: read, validate, score, audit, compare with the base."""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError, TrustIndexError
from .findings import Collector


def _name(folder: Path, meta=None) -> str:
    name = meta.doc.data.get("name") if meta is not None else None
    return name if isinstance(name, str) and name else folder.name


def _remap(exc: TrustIndexError, staged: Path, folder: Path) -> TrustIndexError:
    """An error raised on the staged copy, pointed at the original file."""
    if exc.path and staged != folder and Path(exc.path).is_relative_to(staged):
        exc.path = str(folder / Path(exc.path).relative_to(staged))
    return exc


def _base_table(base, meta, rules):
    """The base's metadata (its own, else the current one) and values table, or a note why not."""
    from ..io.dataset import read_metadata
    from ..io.files import kind
    from ..io.table import read_table
    from ..io.validate import keys

    note = ""
    try:
        base_meta = read_metadata(base.folder)
    except DataError as exc:
        base_meta, note = meta, f"the base's metadata does not read ({exc}): compared with the current metadata"
    scratch = Collector(rules)
    table = read_table(base.values, scratch) if base.values is not None and kind(base.values) == "file" else None
    if table is None:
        return base_meta, None, f"the base's values at {base.label} do not read as a table: cells not compared"
    needed = [base_meta.id_column] + ([base_meta.year_column] if base_meta.year_column else [])
    if any(name not in table.position for name in needed):
        return base_meta, None, "the base's values lack the id or year column: cells not compared"
    keys(base_meta, table, scratch)
    return base_meta, table, note


def check_dataset(folder: Path, rules, source, cache, workdir: Path):
    """The :class:`~trustindex.check.DatasetReport` of the dataset in ``folder``."""
    from ..io.dataset import load_dataset, read_metadata
    from ..io.table import read_table
    from ..io.validate import BLOCKING, derived, notes, validate
    from . import DatasetReport
    from .baseline import without_columns
    from .compare import compare
    from .validate import coverage

    try:
        meta = read_metadata(folder)
    except DataError as exc:
        col = Collector(rules.for_dataset(_name(folder)))
        col.run("readable")
        col.error(exc)
        return DatasetReport(_name(folder), folder, tuple(col.findings), tuple(col.ran), unreadable=True)
    name = _name(folder, meta)
    col = Collector(rules.for_dataset(name))
    rules = col.rules
    table = read_table(meta.values_path, col, meta.layout)
    if table is None:
        return DatasetReport(name, folder, tuple(col.findings), tuple(col.ran), unreadable=True)
    validated = validate(meta, table, col, every=True)
    years = validated.years if validated else ()
    notes_name = meta.doc.data.get("notes")
    if validated and isinstance(notes_name, str):
        notes(meta.doc.path.parent / notes_name, {r.entity for r in table.keyed()},
              set(meta.framework.indicator_ids), col, meta.layout.delimiter)  # fmt: skip
    if validated:
        if getattr(meta.doc, "indicator_table", None) is not None:
            col.run("review")
        for notice in meta.notices:
            rule = "review" if notice.kind == "review" else "beyond-goalposts"
            col.add(rule, notice.message, *notice.location, node=notice.node)
    said: list[str] = []
    info: dict = {"years": years}

    dataset = None
    if col.hit & BLOCKING:
        said.append("not scored, audited or compared by score: fix the errors in the values first")
    else:
        col.run("scoring")
        staged = without_columns(meta, table, workdir) if table.extra else folder
        try:
            dataset = load_dataset(staged)
        except TrustIndexError as exc:
            col.error(_remap(exc, staged, folder), "scoring")
    if dataset is not None:
        derived(dataset, meta, table, col)
        coverage(dataset, meta, table, col)
        info.update(title=dataset.title, digest=dataset.digest, year=dataset.year, entities=len(dataset.entities),
                    indicators=len(dataset.framework.indicators))  # fmt: skip

    base = source.dataset(folder, meta) if source is not None else None
    base_dataset = None
    if base is not None and base.folder is None:
        said.append(base.note)
    elif base is not None:
        if base.note:
            said.append(f"base: {base.note}")
        base_meta, base_table, note = _base_table(base, meta, rules)
        if note:
            said.append(note)
        if base_table is not None:
            info["changes"] = compare(meta, table, base_meta, base_table, col)
        try:
            base_dataset = load_dataset(base.folder)
            info.update(base_year=base_dataset.year, base_digest=base_dataset.digest)
        except TrustIndexError as exc:
            said.append(f"the base does not load ({exc}): scores not compared")
    if dataset is not None:
        _scores(dataset, base_dataset, folder, meta, table, col, source, cache, said, info)
    return DatasetReport(name, folder, tuple(col.findings), tuple(col.ran), base=base, notes=tuple(said), **info)


def _scores(dataset, base_dataset, folder, meta, table, col, source, cache, notes, info) -> None:
    """Profiles, the audit gates, score changes against the base, and the uncertainty gate."""
    from ..pipeline import score
    from .gates import audit_gates, uncertainty_gate
    from .scores import base_profile, chosen, compare_scores, fitting

    rules = col.rules
    profiles, note = fitting(dataset, folder, col, cache)
    info["profiles"] = tuple(w.name for w in profiles)
    if note:
        notes.append(note)
    if not profiles:
        return
    results, base_results, compared = {}, {}, []
    for weights in profiles:
        try:
            results[weights.name] = score(dataset, weights)
        except TrustIndexError as exc:
            col.error(exc, "profile")
            continue
        if base_dataset is None:
            continue
        try:
            profile, note = base_profile(weights, source, folder, base_dataset)
            base_results[weights.name] = score(base_dataset, profile)
        except TrustIndexError as exc:
            notes.append(f"{weights.name}: the base does not score ({exc}): not compared")
            continue
        compared.append(compare_scores(results[weights.name], base_results[weights.name], table, meta.id_column, col,
                                       note))  # fmt: skip
    info["scores"] = tuple(compared)
    audited = chosen([w for w in profiles if w.name in results], dataset, rules)
    if audited is None:
        return
    info["audit_profile"] = audited.name
    small = audit_gates(results[audited.name], base_results.get(audited.name), meta, table, col)
    if small:
        notes.insert(0, small[:1].upper() + small[1:])
    if rules.uncertainty:
        info["uncertainty"] = uncertainty_gate(dataset, audited, meta, table, col)
