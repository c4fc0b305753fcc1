"""Every case of the hostile corpus, through the command line: refused with a located one-line error and
nothing written, reported by check, or accepted with a notice (see corpus.py).

By default each case runs one of its command lines, chosen by the case's name, so every case and, across the
corpus, every command runs within a small budget; ``TRUSTINDEX_HOSTILE=all`` runs every command line of every
case (``python -m tests.hostile`` does too, and prints the counts per class).
"""

from __future__ import annotations

import os
import zlib

import pytest

from .corpus import CASES, CLASSES, cli_invoker, run_case

EVERY = os.environ.get("TRUSTINDEX_HOSTILE") == "all"


def _pick(name: str):
    def pick(runs):
        return runs if EVERY else [runs[zlib.crc32(name.encode()) % len(runs)]]

    return pick


@pytest.fixture(scope="module")
def invoke():
    return cli_invoker()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.klass}/{c.name}" for c in CASES])
def test_hostile_case(case, tmp_path, invoke):
    outcomes = run_case(case, tmp_path, invoke, _pick(case.name))
    failed = [f"{' '.join(o.run.argv)}: {'; '.join(o.problems)}" for o in outcomes if o.problems]
    assert not failed, "\n".join(failed)


def test_every_class_has_cases():
    counts = {k: sum(c.klass == k for c in CASES) for k in CLASSES}
    assert all(n >= 3 for n in counts.values()), counts
    assert len({(c.klass, c.name) for c in CASES}) == len(CASES), "case names repeat"
