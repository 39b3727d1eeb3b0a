"""Benchmark: the pure statistics of the reports, alone (no database, no Django).

    .venv/bin/python -m bench.stats_speed                       # the issue's sizes
    .venv/bin/python -m bench.stats_speed --rows 1000000 --serps 10000 --units 100000   # quick run
    .venv/bin/python -m bench.stats_speed --string-items        # also median over "serp:doc" string keys

Sizes and targets (issue #5): median consensus over 10,000,000 answers in a few seconds (read as
<= 5 s); nDCG/P/ERR@10 over 100,000 SERPs x 10 results well under 1 s; Krippendorff's alpha over
1,000,000 units x 3 raters in seconds (<= 5 s). Dawid–Skene is timed too, with no target.
Data are random (fixed seed) and built before timing; each figure is the best of --repeat runs,
wall time (judged against the target) and this process's CPU time (steadier on a shared machine).
It prints figures and exits 0 on a MISS: it measures, it does not test.
"""

import argparse
import os
import resource
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from reports.agreement import krippendorff_alpha
from reports.consensus import dawid_skene_consensus, median_consensus
from reports.relevance import serp_metrics


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and best CPU time of this process: on a shared machine the CPU time is the steadier one."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def answers(rows: int, per_item: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = rows // per_item
    truth = rng.integers(0, 5, items)
    value = np.repeat(truth, per_item)
    noisy = rng.random(len(value)) < 0.3
    value[noisy] = rng.integers(0, 5, int(noisy.sum()))
    return pd.DataFrame(
        {"item": np.repeat(np.arange(items), per_item), "rater": rng.integers(0, 500, len(value)), "value": value}
    )


def serps(count: int, depth: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grade = rng.integers(0, 5, count * depth).astype(float)
    grade[rng.random(len(grade)) < 0.1] = np.nan
    return pd.DataFrame(
        {"serp": np.repeat(np.arange(count), depth), "rank": np.tile(np.arange(1, depth + 1), count), "grade": grade}
    )


Figure = tuple[str, tuple[float, float], float | None]


def consensus_figures(args: argparse.Namespace) -> list[Figure]:
    frame = answers(args.rows, args.per_item, seed=1)
    figures: list[Figure] = [
        (
            f"median consensus, {args.rows:,} answers (int items)",
            best_of(args.repeat, lambda: median_consensus(frame)),
            5.0 * args.rows / 10_000_000,
        )
    ]
    if args.string_items:
        frame["item"] = "s" + (frame["item"] // 10).astype(str) + ":d" + (frame["item"] % 10).astype(str)
        figures.append(
            (
                f"median consensus, {args.rows:,} answers (string items)",
                best_of(args.repeat, lambda: median_consensus(frame)),
                None,
            )
        )
    small = answers(args.ds_rows, args.per_item, seed=2)
    figures.append(
        (
            f"Dawid–Skene, {args.ds_rows:,} answers (to convergence)",
            best_of(1, lambda: dawid_skene_consensus(small)),
            None,
        )
    )
    return figures


def relevance_figures(args: argparse.Namespace) -> list[Figure]:
    results = serps(args.serps, args.depth, seed=3)
    shuffled = results.sample(frac=1.0, random_state=4)
    target = 1.0 * args.serps / 100_000
    return [
        (
            f"nDCG/P/ERR@10, {args.serps:,} SERPs x {args.depth}",
            best_of(args.repeat, lambda: serp_metrics(results, k=10, relevant_threshold=2, max_grade=4)),
            target,
        ),
        (
            f"nDCG/P/ERR@10, {args.serps:,} SERPs x {args.depth}, rows shuffled",
            best_of(args.repeat, lambda: serp_metrics(shuffled, k=10, relevant_threshold=2, max_grade=4)),
            target,
        ),
    ]


def alpha_figures(args: argparse.Namespace) -> list[Figure]:
    units = answers(args.units * args.raters, args.raters, seed=5).rename(columns={"item": "unit"})
    units["rater"] = np.tile(np.arange(args.raters), args.units)
    return [
        (
            f"Krippendorff's alpha ({level}), {args.units:,} units x {args.raters}",
            best_of(args.repeat, lambda level=level: krippendorff_alpha(units, level=level)),
            5.0 * args.units / 1_000_000,
        )
        for level in ("nominal", "ordinal", "interval")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="answers for median consensus")
    parser.add_argument("--per-item", type=int, default=3, help="answers per item")
    parser.add_argument("--serps", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=10, help="results per SERP")
    parser.add_argument("--units", type=int, default=1_000_000, help="units for Krippendorff's alpha")
    parser.add_argument("--raters", type=int, default=3, help="raters per unit for alpha")
    parser.add_argument("--ds-rows", type=int, default=1_000_000, help="answers for Dawid–Skene")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--string-items", action="store_true", help='also time median over "serp:doc" strings')
    args = parser.parse_args()

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    # One function per section, so each data set is freed before the next is built.
    figures = consensus_figures(args) + relevance_figures(args) + alpha_figures(args)

    width = max(len(name) for name, _, _ in figures)
    print(f"load average before/after: {load_before} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'measure':<{width}}  {'wall s':>8}  {'CPU s':>8}  {'target':>8}")
    for name, (wall, cpu), target in figures:
        verdict = "" if target is None else ("PASS" if wall <= target else "MISS")
        target_text = "-" if target is None else f"<= {target:.2g}"
        print(f"{name:<{width}}  {wall:8.3f}  {cpu:8.3f}  {target_text:>8}  {verdict}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:,.0f} MB (includes the generated data)")


if __name__ == "__main__":
    main()
