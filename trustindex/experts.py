"""Weights from several people: several experts' profiles for one framework combined into one profile (the mean
or the median of their weights) and an uncertainty specification whose weightings are the experts' own, so
that ``uncertainty`` and ``sensitivity`` show how much their disagreement matters.

Weights are relative within each group (the children of one node), so one expert's 2 : 1 and another's 20 : 10
say the same. Each expert's weights are therefore turned into shares of their group first; the combined share
of a node is the mean (or the median) of the experts' shares, and medians are renormalised to sum to 1 within
each group. Only weights are combined: the experts' method choices (normalisation, aggregation, ...) must agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .model import Dataset, Weights
from .prepare import check_fit

HOW = ("mean", "median")
METHOD_FIELDS = ("normalisation", "aggregation", "ties", "treatment", "imputation", "denomination", "screening",
                 "screening_basis", "audit")  # fmt: skip
"""The choices of a profile besides its weights, which the experts' profiles must share."""


@dataclass(frozen=True)
class Combined:
    """The combined shares of every weighted node, and each expert's own."""

    nodes: tuple[str, ...]
    """Every node below the index, in the framework's order."""
    shares: np.ndarray
    """The combined share of each node within its group."""
    experts: tuple[str, ...]
    own: np.ndarray
    """Each expert's shares (experts × nodes)."""
    how: str


def _shares(weights: Weights, dataset: Dataset, nodes: tuple[str, ...]) -> np.ndarray:
    """A profile's weights (for this dataset) as shares of each group."""
    resolved = weights.for_dataset(dataset.name, dataset.weights)
    framework = dataset.framework
    raw = np.array([resolved.weight(n) for n in nodes])
    out = np.zeros(len(nodes))
    for parent in {framework.parent(n) for n in nodes}:
        group = [k for k, n in enumerate(nodes) if framework.parent(n) == parent]
        total = raw[group].sum()
        out[group] = raw[group] / total if total > 0 else 0.0
    return out


def combine(profiles: list[Weights], names: list[str], dataset: Dataset, how: str = "mean") -> Combined:
    """The mean or median of ``profiles``' weights for ``dataset`` (see the module docstring); refuses profiles
    that do not fit the dataset or whose method choices differ."""
    if how not in HOW:
        raise ConfigError(f"unknown combination {how!r}", hint="mean or median")
    if len(profiles) < 2:
        raise ConfigError("give two or more experts' profiles", hint="one profile has no disagreement to show")
    for profile in profiles:
        check_fit(dataset, profile)
    first = profiles[0]
    for profile in profiles[1:]:
        for name in METHOD_FIELDS:
            if getattr(profile, name) != getattr(first, name):
                raise ConfigError(
                    f"the experts' profiles differ in {name}: {profile.name!r} and {first.name!r} (only weights are "
                    "combined; their method choices must agree)", path=profile.path,
                    hint=f"give every profile the {name} of {first.name!r}",
                )  # fmt: skip
    framework = dataset.framework
    nodes = tuple(n for n in framework.node_ids if n != framework.index.id)
    own = np.array([_shares(p, dataset, nodes) for p in profiles])
    shares = own.mean(axis=0) if how == "mean" else np.median(own, axis=0)
    if how == "median":
        for parent in {framework.parent(n) for n in nodes}:
            group = [k for k, n in enumerate(nodes) if framework.parent(n) == parent]
            total = shares[group].sum()
            shares[group] = shares[group] / total if total > 0 else 1.0 / len(group)
    return Combined(nodes, shares, tuple(names), own, how)


def _number(value: float) -> str:
    """A share as TOML: the shortest text that reads back as the same float."""
    return repr(float(value))


def profile_text(combined: Combined, base_text: str, name: str, sources: list[str], dataset: Dataset) -> str:
    """The combined profile: the first expert's file (its method choices and comments kept) with the combined
    weights (pillars under ``[weights]``, indicators under ``[datasets.NAME.weights]``), a new name and
    description, and comments saying how it was derived."""
    from .io.profiles import derived_profile

    comments = [
        f"{name}: the {combined.how} of {len(sources)} experts' weights for framework "
        f"{dataset.framework.name or dataset.name!r}, written by `trustindex experts`.",
        "",
        f"From: {', '.join(sources)} (dataset {dataset.name!r}{f', year {dataset.year}' if dataset.year else ''}).",
        "Each expert's weights were turned into shares of their group (relative weights: 2 : 1 is 20 : 10), and",
        f"each node's share here is the {combined.how} of theirs"
        + (", renormalised to sum to 1 within its group." if combined.how == "median" else "."),
        f"The method choices are {sources[0]}'s; every expert's agree. Beside each weight: the experts' range.",
    ]
    indicators = set(dataset.framework.indicator_ids)
    general, specific = {}, {}
    for k, node in enumerate(combined.nodes):
        low, high = combined.own[:, k].min(), combined.own[:, k].max()
        (specific if node in indicators else general)[node] = (combined.shares[k], f"experts: {low:.3g}–{high:.3g}")
    description = f"The {combined.how} of the weights of {', '.join(combined.experts)}."
    return derived_profile(base_text, comments, name, description, general, specific, dataset.name)


def spec_text(combined: Combined, runs: int, profile_name: str) -> str:
    """An uncertainty specification whose weightings are the experts' own shares."""
    lines = [
        f"# The experts' own weightings behind profile {profile_name!r}: each run takes one of them, so",
        "# `trustindex uncertainty --spec` and `sensitivity --spec` show how much their disagreement moves the ranks.",
        "# Each weighting is that expert's weights as shares of each group (written by `trustindex experts`).",
        "",
        "schema = 1",
        f"runs = {runs}",
        'sampler = "random"',
        "",
        "[weightings]",
        "alternatives = [",
    ]
    for e, expert in enumerate(combined.experts):
        pairs = ", ".join(f"{_key(n)} = {_number(v)}" for n, v in zip(combined.nodes, combined.own[e], strict=True))
        lines.append(f"  {{ name = {_string(expert)}, weights = {{ {pairs} }} }},")
    lines.append("]")
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    import tomlkit

    return tomlkit.key(name).as_string()


def _string(text: str) -> str:
    import tomlkit

    return tomlkit.string(text).as_string()
