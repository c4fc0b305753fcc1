"""Benchmark the TUI's live re-scoring: key press to repainted screen, 1,000 entities × 100 indicators.

    python benchmarks/bench_tui.py                    # 1,000 × 100, 60 presses per weight kind
    python benchmarks/bench_tui.py --entities 5000 --indicators 200 --presses 30

The app runs headless (Textual's test driver) at 120 × 40. A key is sent through the driver exactly as a
terminal's would be; the clock stops when the first frame after the re-ranking has been composed *and*
encoded as the escape sequences a terminal would receive (the headless driver skips only the write).
So a figure is: message queue → WeightBar → state transition → Engine.scores (one batched call) → ranks →
table and bars updated → layout → compositor → terminal sequence, including Textual's frame pacing.
Prints the median, 95th percentile and maximum, and the share of the time spent re-scoring.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import numpy as np

from trustindex.model import Aggregation, Dataset, Framework, Indicator, Node, Normalisation, Weights, readonly

PILLARS = ("management", "connectivity", "support", "explainability")
TARGET_MS = 50.0


def synthetic(n_entities: int, n_indicators: int, seed: int = 0, missing: float = 0.02) -> Dataset:
    rng = np.random.default_rng(seed)
    indicators = tuple(
        Indicator(
            f"x{j}", f"Indicator {j}", PILLARS[j % 4], direction=1 if j % 3 else -1, source="synthetic", year=2024
        )  # fmt: skip
        for j in range(n_indicators)
    )
    framework = Framework(
        Node("index", "Index", None), tuple(Node(p, p.title(), "index") for p in PILLARS), indicators, "synthetic"
    )
    values = rng.random((n_entities, n_indicators))
    values[rng.random(values.shape) < missing] = np.nan
    ids = tuple(f"e{i:05d}" for i in range(n_entities))
    names = tuple(f"Entity {i}" for i in range(n_entities))
    return Dataset("synthetic", framework, ids, names, readonly(values))


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


async def measure(n: int, k: int, presses: int) -> dict[str, list[float]]:
    from trustindex.tui.app import TrustIndexApp
    from trustindex.tui.state import Session

    class Timed(TrustIndexApp):
        """The app, with clocks on the re-scoring and on every frame."""

        frame_at: float = 0.0
        frame_started: float = 0.0
        scored_at: float = 0.0
        handler: list[float] = []
        rescore: list[float] = []
        composing: list[float] = []

        def _display(self, screen, renderable) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                renderable.render_segments(self.console)  # what a terminal would receive
                self.frame_at = time.perf_counter()
                if self.scored_at and self.scored_at > self.frame_started - 1:
                    self.composing.append(self.frame_at - self.frame_started)

        def watch_state(self, old, new) -> None:
            start = time.perf_counter()
            rank = self.scorer.rank

            def timed(state):
                begin = time.perf_counter()
                out = rank(state)
                self.rescore.append(time.perf_counter() - begin)
                return out

            self.scorer.rank = timed
            try:
                super().watch_state(old, new)
            finally:
                del self.scorer.rank
            self.scored_at = time.perf_counter()
            self.handler.append(self.scored_at - start)

    from textual.screen import Screen

    refresh = Screen._compositor_refresh

    def timed_refresh(screen) -> None:
        screen.app.frame_started = time.perf_counter()
        refresh(screen)

    Screen._compositor_refresh = timed_refresh

    dataset = synthetic(n, k)
    profile = Weights("bench", normalisation=Normalisation("minmax"), aggregation={"default": Aggregation()})
    app = Timed(Session(dataset, profile), seed=0)
    out: dict[str, list[float]] = {"pillar": [], "indicator": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for kind in ("pillar", "indicator"):
            if kind == "indicator":
                await pilot.press("enter")  # into the first pillar: 25 indicator bars
                await pilot.pause()
            for i in range(presses):
                key = "right" if i % 2 == 0 else "left"
                app.scored_at = 0.0
                start = time.perf_counter()
                await pilot.press(key)
                deadline = time.perf_counter() + 10
                while not (app.scored_at and app.frame_at > app.scored_at):
                    if time.perf_counter() > deadline:
                        raise RuntimeError("no frame after the key: the benchmark's hooks no longer fit this Textual")
                    await asyncio.sleep(0.0005)
                out[kind].append(app.frame_at - start)
                await pilot.pause()
        out["rescore"], out["handler"], out["compose"] = app.rescore, app.handler, app.composing
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    times = asyncio.run(measure(args.entities, args.indicators, args.presses))
    print(f"TUI key → repaint, {args.entities:,} entities × {args.indicators} indicators, headless 120 × 40")
    worst = 0.0
    for kind in ("pillar", "indicator"):
        ms = [t * 1000 for t in times[kind]]
        worst = max(worst, percentile(ms, 95))
        print(f"  {kind:<9} weight: median {statistics.median(ms):6.1f} ms   p95 {percentile(ms, 95):6.1f} ms"
              f"   max {max(ms):6.1f} ms   ({len(ms)} presses)")  # fmt: skip
    for key, label in (("rescore", "re-scoring (Engine.scores + ranks)"),
                       ("handler", "the key's handler (re-score, table, bars)"),
                       ("compose", "composing a frame and encoding it")):  # fmt: skip
        ms = [t * 1000 for t in times[key]]
        print(f"  {label:<42} median {statistics.median(ms):5.1f} ms")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"  target {TARGET_MS:.0f} ms (issue 7): p95 {worst:.1f} ms {verdict} it")


if __name__ == "__main__":
    main()
