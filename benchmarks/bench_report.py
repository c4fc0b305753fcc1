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


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="processes per case (the median is reported)")
    options = parser.parse_args()
    command = [sys.executable, "-m", "trustindex"]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; medians of {options.repeat} processes")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        for label, args in CASES:
            report = wall([*command, "report", *args, "--seed", "1", "-q", "-o", str(out)], options.repeat)
            size = out.stat().st_size
            reference = wall([*command, "uncertainty", *args, "--seed", "1", "-q", "-o", str(out)], options.repeat)
            print(f"{label:24} report {report:5.2f} s, {size / 1e6:.2f} MB · uncertainty alone {reference:5.2f} s")


if __name__ == "__main__":
    main()
