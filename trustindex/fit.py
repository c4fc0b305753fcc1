"""Whether an uncertainty specification fits the dataset and profile it varies, and its runs the memory."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import methods
from .budget import too_large
from .denominate import denominated
from .errors import ConfigError, did_you_mean
from .io.spec import SpecFile
from .normalise import Unnormalisable, lacking_anchors, normalise
from .prepare import prepare


def fit_runs(runs: int, dataset, fail) -> None:
    """Call ``fail(message)`` when ``runs`` runs over ``dataset`` cannot be summarised here."""
    problem = too_large(runs, len(dataset.entities))
    if problem:
        fail(problem)


def power_of_two(samples: int, name: str = "--samples") -> None:
    """Sobol' base samples must be a power of 2: a ConfigError naming ``name`` otherwise."""
    if samples < 2 or samples & (samples - 1):
        raise ConfigError(f"{name} must be a power of 2, not {samples}", hint="for example 512, 1024 or 4096")


def fit_samples(samples: int, engine, spec, fail) -> None:
    """Call ``fail(message)`` when a Sobol' analysis of ``samples`` base samples (N(d + 2) runs) cannot be
    summarised here."""
    from .uncertainty import Design

    fit_runs(samples * (Design(engine, spec).dimensions + 2), engine.dataset, fail)


def fit_spec(source: SpecFile, engine) -> None:
    """Raise ConfigError, at the setting at fault, when the specification does not fit the engine's dataset and
    profile: what the design itself refuses (a node or level the dataset lacks, an alternative alone, ...), a
    normalisation the indicators cannot take, or one that gives negative scores to a mean that needs positive
    ones."""
    from .uncertainty import Design, SpecError

    spec = source.spec
    try:
        Design(engine, spec)
    except SpecError as error:
        table, key = (error.setting[:-1], error.setting[-1]) if error.setting else ((), None)
        source.fail(error.message, table, key, error.hint)
    framework = engine.framework
    for k, normalisation in enumerate(spec.normalisation):
        lacking = lacking_anchors(framework.indicators, normalisation)
        if lacking:
            source.fail(f"normalisation alternative {normalisation.method!r} needs what {', '.join(lacking[:5])} "
                        "do not declare (goalposts or a target)", ("normalisation", "alternatives"), k,
                        "declare them in dataset.toml, or choose another method")  # fmt: skip
        if normalisation.method == "dist2ref" and normalisation.reference not in engine.entities:
            source.fail(f"the reference entity {normalisation.reference!r} is not among the entities scored",
                        ("normalisation", "alternatives"), k,
                        did_you_mean(str(normalisation.reference), engine.entities))  # fmt: skip
        try:  # what only the values can refuse (a reference without a value, a zero to divide by); kept for the runs
            engine.normalised(replace(engine.nominal_variant(), normalisation=normalisation))
        except Unnormalisable as error:
            source.fail(error.message, ("normalisation", "alternatives"), k, error.hint)
    for k, method in enumerate(spec.denomination):
        if method == "divide" and not denominated(framework.indicators):
            source.fail(f"denomination alternative 'divide' divides nothing: no indicator of dataset "
                        f"{engine.dataset.name!r} declares a denominator", ("denomination", "alternatives"), k,
                        'declare denominator = "COLUMN" on the indicators to divide')  # fmt: skip
        panel = [m for m in (spec.imputation or (engine.weights.imputation.method,)) if m in methods.PANEL]
        if method == "divide" and panel:
            source.fail(
                f"imputation {panel[0]!r} reads other years' published values, which are not denominated",
                ("denomination", "alternatives"),
                k,
                "use mean or median imputation with denomination",
            )
    _negative_scores(source, engine.source, engine.weights)


def _negative_scores(source: SpecFile, dataset, weights) -> None:
    """A normalisation alternative that gives negative scores, with an aggregation that cannot take them."""
    spec = source.spec
    framework = dataset.framework
    nominal = weights.normalisation
    normalisations = list(spec.normalisation) or [nominal]
    varied = set(spec.aggregation_levels) if spec.aggregation else set()
    needing = [(i, a.method) for i, a in enumerate(spec.aggregation) if a.method in methods.NEED_POSITIVE]
    fixed = {framework.level(n): weights.aggregation_for(framework.level(n)).method
             for n in framework.aggregates_bottom_up() if framework.level(n) not in varied}  # fmt: skip
    fixed_need = {level: m for level, m in fixed.items() if m in methods.NEED_POSITIVE}
    if not needing and not fixed_need:
        return
    values = None
    for k, norm in enumerate(normalisations):
        if norm.method not in methods.UNFLOORED and not (norm.method in methods.BOUNDED and norm.range[0] < 0):
            continue
        if values is None:
            values = prepare(dataset, weights).values
        with np.errstate(all="ignore"):
            lowest = np.nanmin(normalise(values, framework.indicators, norm, dataset.entities), initial=0.0)
        if lowest >= 0:
            continue
        if needing and source.path is not None:
            i, method = needing[0]
            source.fail(f"aggregation alternative {method!r} needs non-negative scores, but the {norm.method} "
                        "normalisation gives negative ones", ("aggregation", "alternatives"), i,
                        "normalise to a positive range, e.g. { method = 'minmax', range = [1, 100] }")  # fmt: skip
        if needing:
            line, column = weights.positions.at(("normalisation",), "method") if weights.positions else (None, None)
            raise ConfigError(f"the default analysis compares arithmetic and {needing[0][1]} aggregation of the index, "
                              f"but the {norm.method} normalisation gives negative scores", path=weights.path,
                              line=line, column=column,
                              hint="give --spec with other alternatives, or normalise to a positive range")  # fmt: skip
        if spec.normalisation:
            level, method = next(iter(fixed_need.items()))
            source.fail(f"normalisation alternative {norm.method!r} gives negative scores, which the profile's "
                        f"{method} aggregation of the {level} level cannot take", ("normalisation", "alternatives"), k,
                        "use a positive range, or aggregate that level arithmetically")  # fmt: skip
