"""trustindex: construct, explain and stress-test composite indices.

The public API is loaded on first use so that ``import trustindex`` (and the CLI's start-up) stays
fast::

    import trustindex as ti
    result = ti.score(ti.load_dataset("datasets/coexistence-regimes"), ti.load_weights("weights/balanced.toml"))
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

_API = {
    "score": "pipeline",
    "load_dataset": "io.dataset",
    "load_weights": "io.weights",
    "resolve_dataset": "io.registry",
    "resolve_weights": "io.registry",
    "load_spec": "io.spec",
    "compare": "explain",
    "what_it_takes": "targets",
    "Engine": "engine",
    "Spec": "model",
    "weight_stability": "stability",
    "rank_bounds": "stability",
    "acceptability": "stability",
    "Dataset": "model",
    "Framework": "model",
    "Indicator": "model",
    "Node": "model",
    "Weights": "model",
    "Normalisation": "model",
    "Aggregation": "model",
    "Result": "model",
    "Notice": "model",
    "TrustIndexError": "errors",
    "ConfigError": "errors",
    "DataError": "errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'trustindex' has no attribute {name!r}")
