"""Method names come from one registry (trustindex.methods); the modules that implement the methods, and the
readers of profiles and specifications, take them from it."""

from __future__ import annotations

from trustindex import impute, methods


def test_the_readers_and_imputation_use_the_registry():
    import inspect

    from trustindex.io import spec, weights

    assert impute.METHODS is methods.IMPUTATION and impute.GROUPED is methods.GROUPED
    for module in (weights, spec):
        source = inspect.getsource(module)
        assert "methods." in source and "aggregate.METHODS" not in source and "normalise.METHODS" not in source


def test_the_kernels_take_their_names_from_the_registry():
    from trustindex import aggregate, normalise, ranking

    assert aggregate.METHODS is methods.AGGREGATION and aggregate.NEED_POSITIVE is methods.NEED_POSITIVE
    assert normalise.METHODS is methods.NORMALISATION and normalise.BOUNDED is methods.BOUNDED
    assert ranking.TIES is methods.TIES
