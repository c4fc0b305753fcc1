"""Benchmark the uncertainty and sensitivity engines (issue 6 targets).

    python benchmarks/bench_robustness.py           # all figures
    python benchmarks/bench_robustness.py --quick   # skip the 10^6-run case

1. ASEM (51 entities, 49 indicators, 8 pillars, 2 sub-indices), benchmarks/asem-spec.toml: normalisation
   {min-max 1-100, z-score mean 10 sd 2} x weights +-25 % at pillar and sub-index level x aggregation
   {arithmetic, geometric}: 1,000 uncertainty runs (COINr 1.1.14: 43 s of CPU) and a Sobol' analysis with
   N = 1,024 base samples, 5,120 runs (COINr, N = 1,000, 5,000 runs: 389 s).
2. 10^6 uncertainty runs of the default four-pillar index (weights +-25 %, arithmetic vs geometric).

Times are process CPU time and wall time of the analysis call, best of several, after the one-time imports
(scipy.stats, whose import is timed separately). Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(function, repeat: int) -> tuple[float, float, object]:
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-run case")
    options = parser.parse_args()

    start = time.perf_counter()
    import scipy.stats  # noqa: F401  (the samplers and estimators live there)

    print(f"import scipy.stats: {time.perf_counter() - start:.2f} s (once per process)")

    import trustindex as ti
    from trustindex.engine import Engine
    from trustindex.io.spec import DEFAULT, load_spec
    from trustindex.sensitivity import sensitivity
    from trustindex.uncertainty import uncertainty

    asem = Engine(ti.load_dataset(ROOT / "datasets" / "asem"), ti.load_weights(ROOT / "weights" / "asem.toml"))
    spec = load_spec(ROOT / "benchmarks" / "asem-spec.toml")
    wall, cpu, result = timed(lambda: uncertainty(asem, spec, seed=1), repeat=5)
    print(
        f"ASEM uncertainty, {spec.runs:,} runs: {wall:.3f} s wall, {cpu:.3f} s CPU "
        f"(COINr 43 s CPU: {43 / cpu:.0f}x); mean rank shift {result.mean_shift:.2f}"
    )
    wall, cpu, result = timed(lambda: sensitivity(asem, spec, 1024, seed=1), repeat=3)
    print(
        f"ASEM Sobol', N = 1,024 ({result.runs:,} runs): {wall:.3f} s wall, {cpu:.3f} s CPU "
        f"(COINr 389 s CPU: {389 / cpu:.0f}x)"
    )

    if not options.quick:
        default = Engine(ti.load_dataset(ROOT / "datasets" / "coexistence-regimes"),
                         ti.load_weights(ROOT / "weights" / "balanced.toml"))  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        big = DEFAULT.__class__(**{**DEFAULT.__dict__, "runs": 1_000_000, "sampler": "random"})
        wall, cpu, result = timed(lambda: uncertainty(default, big, seed=1), repeat=1)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"default index, 10^6 uncertainty runs: {wall:.2f} s wall, {cpu:.2f} s CPU; "
            f"peak resident memory {peak / 1024:.0f} MiB (before: {before / 1024:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
