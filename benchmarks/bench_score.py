"""Benchmark scoring on synthetic data and the CLI start-up.

    python benchmarks/bench_score.py            # all figures
    python benchmarks/bench_score.py --quick    # skip the 100,000 × 200 case

Prints wall time (best of several runs) and peak memory traced by tracemalloc for the pipeline,
the time to read a dataset from disk and score it through the CLI, and `trustindex --help` start-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from trustindex.model import Aggregation, Dataset, Framework, Indicator, Node, Normalisation, Weights, readonly
from trustindex.pipeline import score

PILLARS = ("management", "connectivity", "support", "explainability")


def synthetic(n_entities: int, n_indicators: int, seed: int = 0, missing: float = 0.02) -> Dataset:
    rng = np.random.default_rng(seed)
    indicators = tuple(
        Indicator(f"x{j}", f"x{j}", PILLARS[j % 4], direction=1 if j % 3 else -1, goalposts=(0.0, 1.0))
        for j in range(n_indicators)
    )
    framework = Framework(
        Node("index", "Index", None), tuple(Node(p, p, "index") for p in PILLARS), indicators, "synthetic"
    )
    values = rng.random((n_entities, n_indicators))
    values[rng.random(values.shape) < missing] = np.nan
    ids = tuple(f"e{i}" for i in range(n_entities))
    return Dataset("synthetic", framework, ids, ids, readonly(values))


def best_of(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_pipeline(n: int, k: int, repeat: int) -> None:
    dataset = synthetic(n, k)
    for method in ("minmax", "goalposts"):
        weights = Weights("bench", normalisation=Normalisation(method), aggregation={"default": Aggregation()})
        seconds = best_of(lambda w=weights: score(dataset, w).order(), repeat)  # order() ranks the index
        tracemalloc.start()
        score(dataset, weights)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"score {n:>7,} × {k:<3} {method:<9}  {seconds * 1000:8.1f} ms   peak {peak / 2**20:7.1f} MiB"
            f"   (data {dataset.values.nbytes / 2**20:.1f} MiB)"
        )


def write_dataset(folder: Path, n: int, k: int) -> None:
    dataset = synthetic(n, k)
    lines = ["schema = 1", 'name = "synthetic"', "[index]", 'id = "index"']
    lines += [f'[pillars.{p}]\nlabel = "{p}"' for p in PILLARS]
    for ind in dataset.framework.indicators:
        direction = "higher" if ind.direction > 0 else "lower"
        lines.append(f'[indicators.{ind.id}]\nparent = "{ind.parent}"\ndirection = "{direction}"\ngoalposts = [0, 1]')
    (folder / "dataset.toml").write_text("\n".join(lines) + "\n")
    rows = ["id,name," + ",".join(dataset.framework.indicator_ids)]
    for i, entity in enumerate(dataset.entities):
        cells = ["" if np.isnan(v) else f"{v:.6f}" for v in dataset.values[i]]
        rows.append(f"{entity},{entity}," + ",".join(cells))
    (folder / "values.csv").write_text("\n".join(rows) + "\n")
    (folder / "weights.toml").write_text('schema = 1\n[normalisation]\nmethod = "minmax"\n')


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "trustindex", *args]


def bench_cli(n: int, k: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_dataset(folder, n, k)
        args = command(
            "score",
            "--data",
            str(folder),
            "--weights",
            str(folder / "weights.toml"),
            "-o",
            str(folder / "out.csv"),
            "-f",
            "csv",
        )
        seconds = best_of(lambda: subprocess.run(args, check=True), repeat)
        print(f"CLI score from CSV {n:,} × {k}: {seconds * 1000:.0f} ms (process start to exit)")


def bench_help(repeat: int) -> None:
    exe = Path(sys.executable).with_name("trustindex")
    args = [str(exe), "--help"] if exe.exists() else command("--help")
    seconds = best_of(lambda: subprocess.run(args, check=True, capture_output=True), repeat)
    print(f"trustindex --help: {seconds * 1000:.0f} ms ({' '.join(Path(args[0]).name for _ in [0])})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 100,000 × 200 case")
    options = parser.parse_args()
    bench_help(repeat=7)
    bench_pipeline(1_000, 100, repeat=20)
    bench_cli(1_000, 100, repeat=5)
    if not options.quick:
        bench_pipeline(100_000, 200, repeat=3)


if __name__ == "__main__":
    main()
