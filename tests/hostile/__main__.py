"""``python -m tests.hostile [--class NAME] [--verbose]``: run the corpus and print, per class, what failed."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from .corpus import CASES, cli_invoker, run_case


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile")
    parser.add_argument("--class", dest="klass", action="append", help="only this class (repeatable)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every failing command line")
    args = parser.parse_args()
    invoke = cli_invoker()
    cases = [c for c in CASES if not args.klass or c.klass in args.klass]
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="trustindex-hostile-") as tmp:
        for number, case in enumerate(cases):
            root = Path(tmp) / f"{number:03d}"
            root.mkdir()
            try:
                outcomes = run_case(case, root, invoke)
            except Exception as exc:  # a case that cannot be built is a bug of the corpus: say so
                print(f"BUILD {case.klass}/{case.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                counts[case.klass, "broken"] += 1
                continue
            failed = [o for o in outcomes if o.problems]
            counts[case.klass, "cases"] += 1
            counts[case.klass, "runs"] += len(outcomes)
            counts[case.klass, "failed runs"] += len(failed)
            counts[case.klass, "failed cases"] += bool(failed)
            if args.verbose:
                for o in failed:
                    print(f"FAIL {case.klass}/{case.name}: {' '.join(o.run.argv)}: {'; '.join(o.problems)}")
    classes = list(dict.fromkeys(c.klass for c in cases))
    print(f"{'class':<14}{'cases':>7}{'failed':>8}{'runs':>7}{'failed':>8}")
    for klass in classes:
        print(
            f"{klass:<14}{counts[klass, 'cases']:>7}{counts[klass, 'failed cases']:>8}{counts[klass, 'runs']:>7}"
            f"{counts[klass, 'failed runs']:>8}"
            + (f"  ({counts[klass, 'broken']} broken)" if counts[klass, "broken"] else "")
        )
    total = [sum(counts[k, f] for k in classes) for f in ("cases", "failed cases", "runs", "failed runs")]
    print(f"{'total':<14}{total[0]:>7}{total[1]:>8}{total[2]:>7}{total[3]:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
