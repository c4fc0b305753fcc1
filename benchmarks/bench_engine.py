"""The engine against the numpy floor (issue 11): ratios of medians over interleaved rounds, in one run.

    python benchmarks/bench_engine.py                 # processes, in process, --help (a minute or two)
    python benchmarks/bench_engine.py --memory        # also peak memory of 10^6 and 4 × 10^6 runs
    python benchmarks/bench_engine.py --large         # also 10,000 entities × 300 indicators × 10,000 runs
    python benchmarks/bench_engine.py --rounds 11 --floor ../shared/bench/floor.py

The floor is ``floor.py`` (a bare numpy script of the ASEM uncertainty analysis of benchmarks/asem-spec.toml;
see its docstring). The machine is shared and noisy: each figure is the median of several rounds, and each
round runs trustindex and the floor back to back, so that both see the same load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "benchmarks" / "asem-spec.toml"
ASEM = ["--data", "asem", "--weights", "asem", "--spec", str(SPEC), "--seed", "1", "-q"]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""As an installed package runs: with compiled bytecode (pip compiles it on install). The first round, not
counted, writes it when it is missing."""


def run(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of a whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def side_by_side(label: str, ours: list[str], floor: list[str], rounds: int) -> None:
    run(ours), run(floor)  # warm: bytecode, the file cache
    a, b = [], []
    for _ in range(rounds):
        a.append(run(ours)[0])
        b.append(run(floor)[0])
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{label}: trustindex {ma:.3f} s, floor {mb:.3f} s (medians of {rounds}): {ma / mb:.2f}x")


def in_process(floor_path: Path, rounds: int) -> None:
    from dataclasses import replace

    sys.path.insert(0, str(floor_path.parent))
    import floor  # noqa: E402  (the yardstick, loaded from its folder)

    import trustindex as ti
    from trustindex.engine import Engine
    from trustindex.io.spec import load_spec
    from trustindex.uncertainty import uncertainty

    dataset, weights = ti.load_dataset(ROOT / "datasets" / "asem"), ti.load_weights(ROOT / "weights" / "asem.toml")
    spec = load_spec(SPEC)
    warm = Engine(dataset, weights)
    uncertainty(warm, spec, 1)
    for runs in (1000, 10000):
        chosen = replace(spec, runs=runs)
        times = {"floor": [], "warm": [], "cold": []}
        for _ in range(rounds):
            start = time.perf_counter()
            floor.ua(runs)
            times["floor"].append(time.perf_counter() - start)
            start = time.perf_counter()
            uncertainty(warm, chosen, 1)
            times["warm"].append(time.perf_counter() - start)
            start = time.perf_counter()
            uncertainty(Engine(dataset, weights), chosen, 1)  # normalisation and everything else from scratch
            times["cold"].append(time.perf_counter() - start)
        f, w, c = (statistics.median(times[k]) for k in ("floor", "warm", "cold"))
        print(f"in process, N = {runs:,}: floor.ua {f * 1e3:.1f} ms; uncertainty {w * 1e3:.1f} ms ({w / f:.2f}x), "
              f"with a new Engine {c * 1e3:.1f} ms ({c / f:.2f}x)")  # fmt: skip


LARGE = """
import resource, time
import numpy as np
from trustindex.engine import Engine
from trustindex.model import Dataset, Framework, Indicator, Node, Weights, Normalisation
from trustindex.uncertainty import Spec, uncertainty
rng = np.random.default_rng(1)
pillars = tuple(Node(f"p{k}", f"P{k}", "index") for k in range(10))
indicators = tuple(Indicator(f"i{j}", f"I{j}", f"p{j % 10}") for j in range(300))
framework = Framework(Node("index", "Index", None), pillars, indicators)
values = rng.normal(50, 15, (10_000, 300))
values[rng.random(values.shape) < 0.02] = np.nan
dataset = Dataset("synthetic", framework, tuple(f"e{i}" for i in range(10_000)), tuple(f"E{i}" for i in range(10_000)),
                  values)
engine = Engine(dataset, Weights("equal", normalisation=Normalisation("minmax", (1.0, 100.0))))
start = time.perf_counter()
result = uncertainty(engine, Spec(runs=10_000), seed=1)
print(f"{time.perf_counter() - start:.2f} s", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--floor", type=Path, default=ROOT.parent / "shared" / "bench" / "floor.py")
    parser.add_argument("--memory", action="store_true", help="peak memory of 10^6 against 4 x 10^6 runs")
    parser.add_argument("--large", action="store_true", help="10,000 x 300 x 10,000 runs (time and memory)")
    options = parser.parse_args()
    python, cli = sys.executable, [sys.executable, "-m", "trustindex"]

    side_by_side("uncertainty --runs 1000 (process)", [*cli, "uncertainty", *ASEM, "--runs", "1000"],
                 [python, str(options.floor), "1000"], options.rounds)  # fmt: skip
    side_by_side("sensitivity --samples 1024 (process)", [*cli, "sensitivity", *ASEM, "--samples", "1024"],
                 [python, str(options.floor), "5120"], options.rounds)  # fmt: skip
    helps = [run([*cli, "--help"])[0] for _ in range(options.rounds)]
    print(f"trustindex --help: {statistics.median(helps):.3f} s (median of {options.rounds})")
    in_process(options.floor, options.rounds)

    if options.memory:
        peaks = {}
        for runs in (1_000_000, 4_000_000):
            elapsed, peaks[runs] = run([*cli, "uncertainty", "--runs", str(runs), "--seed", "1", "-q"])
            print(f"uncertainty --runs {runs:,} (default index): {elapsed:.1f} s, peak {peaks[runs] / 1024:.0f} MiB")
        print(f"peak memory, 4 x 10^6 against 10^6 runs: {peaks[4_000_000] / peaks[1_000_000]:.2f}x")
    if options.large:
        env = {**ENV, "OPENBLAS_NUM_THREADS": "1"}  # as the CLI runs numpy's BLAS (see trustindex/cli/__init__.py)
        out = subprocess.run([python, "-c", LARGE], capture_output=True, text=True, check=True, env=env).stdout.split()
        print(f"10,000 entities x 300 indicators x 10,000 runs: {out[0]} s, peak {int(out[2]) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
