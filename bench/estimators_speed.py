"""Benchmark: the report estimator on a large sample, alone (no database, no Django).

    .venv/bin/python -m bench.estimators_speed                 # 100,000 SERPs, 20 locales, B = 1,000
    .venv/bin/python -m bench.estimators_speed --serps 10000   # quicker

Times, on one generated sample stratified by locale with π varying by stratum:

1. ``hajek_mean`` of one column;
2. ``estimate_columns`` of the satisfaction pair (mean score, share satisfied): the Hájek
   means and the stratified Rao–Wu bootstrap with B replicates;
3. ``estimate_by_segment`` of the same pair over the 20 locales (40 domain columns, one
   bootstrap).

Each is run ``--repeat`` times; the table shows the best wall time, its CPU time (the box is
shared, so CPU time is the steadier figure) and the peak of memory numpy allocated
(tracemalloc). A benchmark prints figures; it is not a test.
"""

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from reports.estimators import REPLICATES, estimate_by_segment, estimate_columns, hajek_mean


def sample(serps: int, locales: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    locale = rng.integers(0, locales, serps)
    score = np.clip(np.round(rng.normal(3.2 + 0.05 * locale, 1.0)), 1, 5)
    return pd.DataFrame(
        {
            "locale": np.array([f"l{code:02d}" for code in range(locales)])[locale],
            "stratum": locale.astype(str),
            "inclusion_probability": (0.01 + 0.002 * locale)[locale],
            "score": score,
            "satisfied": (score >= 4).astype(float),
        }
    )


def measure(name: str, work, repeat: int) -> tuple[str, float, float, float]:
    best_wall, best_cpu = float("inf"), float("inf")
    tracemalloc.start()
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return name, best_wall, best_cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serps", type=int, default=100_000)
    parser.add_argument("--locales", type=int, default=20)
    parser.add_argument("--replicates", type=int, default=REPLICATES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    units = sample(args.serps, args.locales, seed=1)
    pair = ["score", "satisfied"]
    rows = [
        measure("hajek_mean", lambda: hajek_mean(units["score"], units["inclusion_probability"]), args.repeat),
        measure(
            f"estimate_columns (2 columns, B={args.replicates})",
            lambda: estimate_columns(units, pair, replicates=args.replicates),
            args.repeat,
        ),
        measure(
            f"estimate_by_segment ({args.locales} locales x 2, B={args.replicates})",
            lambda: estimate_by_segment(units, pair, "locale", replicates=args.replicates),
            args.repeat,
        ),
    ]
    print(f"{args.serps:,} SERPs, {args.locales} strata, best of {args.repeat}")
    print(f"{'what':<48} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
    for name, wall, cpu, peak in rows:
        print(f"{name:<48} {wall:>8.3f} {cpu:>8.3f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
