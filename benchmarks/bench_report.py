"""Benchmark ``trustindex report`` (issue 17: ASEM under 5 s), beside ``trustindex uncertainty`` of the same spec.

    python benchmarks/bench_report.py            # medians of 5 whole processes per case
    python benchmarks/bench_report.py --repeat 9

Each case runs the installed command as a user would (a fresh process: imports included, scipy.stats among
them) and reports the median wall time and the page's size. ASEM is 51 entities × 49 indicators; every report
has 1,000 uncertainty runs and a Sobol' analysis with N = 1,024 (N(d + 2) runs); the specs are the default
(weights ±25 %, arithmetic vs geometric index) and benchmarks/asem-spec.toml (also min-max vs z-scores, and
aggregation at every level).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = str(ROOT / "benchmarks" / "asem-spec.toml")
CASES = [
    ("asem, default spec", ["--data", "asem"]),
    ("asem, asem-spec.toml", ["--data", "asem", "--spec", SPEC]),
    ("jp-prefectures", ["--data", "jp-prefectures"]),
    ("coexistence-regimes", []),
]


def timed(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``repeat`` processes: on a busy machine the CPU
    time is what the command costs, the wall time what it costs there and then."""
    walls, cpus = [], []
    for _ in range(repeat):
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="processes per case (the median is reported)")
    options = parser.parse_args()
    command = [sys.executable, "-m", "trustindex"]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; medians of {options.repeat} processes")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        for label, args in CASES:
            wall, cpu = timed([*command, "report", *args, "--seed", "1", "-q", "-o", str(out)], options.repeat)
            size = out.stat().st_size
            alone, alone_cpu = timed([*command, "uncertainty", *args, "--seed", "1", "-q", "-o", str(out)],
                                     options.repeat)  # fmt: skip
            print(f"{label:22} report {wall:5.2f} s wall, {cpu:5.2f} s CPU, {size / 1e6:.2f} MB · uncertainty "
                  f"alone {alone:4.2f} s wall, {alone_cpu:4.2f} s CPU")  # fmt: skip


if __name__ == "__main__":
    main()
