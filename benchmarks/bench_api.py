"""Benchmark the Python API: ``ti.score`` of a 1,000 × 100 DataFrame (conversion included) against scoring the
same data read from CSV files (a values file and its indicator table), side by side in one run.

    python benchmarks/bench_api.py              # 15 alternating rounds
    python benchmarks/bench_api.py --rounds 31

Prints the median of each path, and the median of the per-round ratio DataFrame / CSV (the target: <= 2).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import trustindex as ti

PILLARS = ("management", "connectivity", "support", "explainability")


def tables(n_entities: int, n_indicators: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic values (2 % missing) and their indicator table, four pillars."""
    rng = np.random.default_rng(seed)
    values = rng.random((n_entities, n_indicators)) * 100
    values[rng.random(values.shape) < 0.02] = np.nan
    ids = [f"e{i}" for i in range(n_entities)]
    frame = pd.DataFrame(values, columns=[f"x{j}" for j in range(n_indicators)])
    frame.insert(0, "id", ids)
    frame.insert(1, "name", [f"Entity {i}" for i in range(n_entities)])
    meta = pd.DataFrame(
        {
            "id": ["index", *PILLARS, *frame.columns[2:]],
            "parent": ["", *["index"] * 4, *[PILLARS[j % 4] for j in range(n_indicators)]],
            "direction": ["", *[""] * 4, *["higher" if j % 3 else "lower" for j in range(n_indicators)]],
        }
    )
    return frame, meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=100)
    args = parser.parse_args()
    frame, meta = tables(args.entities, args.indicators)
    with tempfile.TemporaryDirectory() as folder:
        values_csv, meta_csv = Path(folder) / "values.csv", Path(folder) / "indicators.csv"
        frame.to_csv(values_csv, index=False)
        meta.to_csv(meta_csv, index=False)
        from_csv = ti.score(values_csv, meta=meta_csv)
        from_frame = ti.score(frame, meta=meta)
        assert np.array_equal(from_csv.scores, from_frame.scores, equal_nan=True), "the two paths must agree"
        times: dict[str, list[float]] = {"frame": [], "csv": []}
        for _ in range(args.rounds):  # alternate, so both see the same machine
            for name, run in (("frame", lambda: ti.score(frame, meta=meta)),
                              ("csv", lambda: ti.score(values_csv, meta=meta_csv))):  # fmt: skip
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    ratios = [f / c for f, c in zip(times["frame"], times["csv"], strict=True)]
    print(f"ti.score, {args.entities:,} entities × {args.indicators} indicators, {args.rounds} rounds")
    print(f"  DataFrame (conversion included)  median {statistics.median(times['frame']) * 1e3:8.1f} ms")
    print(f"  CSV files (read and parsed)      median {statistics.median(times['csv']) * 1e3:8.1f} ms")
    print(f"  ratio DataFrame / CSV            median {statistics.median(ratios):8.2f}  (target <= 2)")


if __name__ == "__main__":
    main()
