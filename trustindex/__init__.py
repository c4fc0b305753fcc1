"""trustindex: construct, explain and stress-test composite indices.

Every analysis takes a dataset (a shipped or local name, a folder, a :class:`Dataset`, a pandas DataFrame, a
mapping of columns or a numpy array) or a :class:`Result` already scored, with keyword arguments named as the
command line's options::

    >>> import trustindex as ti
    >>> result = ti.score("coexistence-regimes", weights="balanced")
    >>> result.to_frame().columns.tolist()[:4]
    ['rank', 'entity', 'name', 'coexistence']

Analyses (each result has ``to_frame()``, ``to_dict()`` and a short repr):
    score, explain, what_it_takes, compare, importance, audit, uncertainty, sensitivity, stability, trends
Data in:
    Dataset (``Dataset.from_frame``), Weights (``Weights.from_dict``, ``Weights.equal``), Spec
    (``Spec.from_dict``), WeightSpec, load_dataset, load_weights, load_spec, resolve_dataset, resolve_weights
Results:
    Result, Explanation, Target, Comparison, Importance, Audit, Uncertainty, Sensitivity, Stability, Trends,
    Notice
The framework and methods:
    Framework, Node, Indicator, Normalisation, Aggregation
The engine (many runs at once) and its analyses:
    Engine, weight_stability, rank_bounds, acceptability
Errors:
    TrustIndexError, ConfigError (usage, exit 2), DataError (input data, exit 3), Cancelled

The names load on first use, so ``import trustindex`` stays cheap (no pandas, scipy or textual).
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

_API = {
    "score": "api",
    "explain": "api",
    "what_it_takes": "api",
    "compare": "api",
    "importance": "api",
    "audit": "api",
    "uncertainty": "api",
    "trends": "api",
    "sensitivity": "api",
    "stability": "api",
    "load_dataset": "api",
    "load_weights": "api",
    "load_spec": "api",
    "resolve_dataset": "io.registry",
    "resolve_weights": "io.registry",
    "Dataset": "model",
    "Weights": "model",
    "Spec": "model",
    "WeightSpec": "model",
    "Result": "model",
    "Explanation": "api",
    "Target": "api",
    "Comparison": "api",
    "Importance": "api",
    "Audit": "api",
    "Uncertainty": "api",
    "Trends": "api",
    "Sensitivity": "api",
    "Stability": "api",
    "Notice": "model",
    "Framework": "model",
    "Node": "model",
    "Indicator": "model",
    "Normalisation": "model",
    "Aggregation": "model",
    "Engine": "engine",
    "weight_stability": "stability",
    "rank_bounds": "stability",
    "acceptability": "stability",
    "TrustIndexError": "errors",
    "ConfigError": "errors",
    "DataError": "errors",
    "Cancelled": "batches",
}

__all__ = ["__version__", *_API]


def _keep_functions() -> None:
    """The analyses keep their names when the module of the same name loads (``trustindex.audit`` is the
    function; the module is ``sys.modules["trustindex.audit"]``)."""
    import sys
    import types

    class Package(types.ModuleType):
        def __setattr__(self, name: str, value) -> None:
            if not (isinstance(value, types.ModuleType) and _API.get(name) == "api"):
                super().__setattr__(name, value)

    sys.modules[__name__].__class__ = Package


_keep_functions()


def __getattr__(name: str):
    if name in _API:
        import importlib

        value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value  # loaded once
        return value
    raise AttributeError(f"module 'trustindex' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
