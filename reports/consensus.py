"""Consensus labels from many raters' answers: median (default), majority, or Dawid–Skene.

Pure pandas/numpy, nothing from Django, so it can be tested and benchmarked alone.

Input is long: one row per answer, columns ``item`` (any hashable key, e.g. "serp_id:doc_id"),
``rater`` and ``value``. A missing value (NaN/None) is not a vote and is dropped. Each row counts
as one rater's answer; the caller passes one row per (item, rater).

Output is a DataFrame indexed by ``item`` (in order of first appearance) with ``label``,
``raters`` (answers counted) and ``agreement`` (share of those answers equal to the label);
Dawid–Skene adds ``posterior``. Labels keep the values' dtype (a float column gives float labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Method = Literal["median", "majority", "dawid_skene"]

COLUMNS = ("item", "rater", "value")


@dataclass(frozen=True)
class _Votes:
    """Answers as integer codes: the shared first step of every method."""

    item: np.ndarray  # int64 codes into items
    rater: np.ndarray  # int64 codes into raters
    value: np.ndarray  # int64 codes into values (sorted, so code order is value order)
    items: pd.Index
    raters: pd.Index
    values: pd.Index


def _votes(frame: pd.DataFrame, *, with_raters: bool = False) -> _Votes:
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"consensus needs columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}")
    value_codes, values = pd.factorize(frame["value"], sort=True)
    keep = value_codes >= 0
    everything = bool(keep.all())
    item_column = frame["item"] if everything else frame["item"][keep]
    # Items keep their order of first appearance: sorting 3 million string keys would cost
    # more than the whole median. Callers who want them sorted can sort the (smaller) result.
    item_codes, items = pd.factorize(item_column, sort=False)
    if (item_codes < 0).any():
        raise ValueError("consensus: an item key is missing (NaN/None)")
    rater_codes, raters = np.zeros(0, dtype=np.int64), pd.Index([])
    if with_raters:  # only Dawid–Skene needs them; factorizing 10M keys is not free
        rater_codes, raters = pd.factorize(frame["rater"] if everything else frame["rater"][keep], sort=True)
    return _Votes(
        item=item_codes.astype(np.int64, copy=False),
        rater=rater_codes.astype(np.int64, copy=False),
        value=(value_codes if everything else value_codes[keep]).astype(np.int64, copy=False),
        items=pd.Index(items, name="item"),
        raters=pd.Index(raters, name="rater"),
        values=pd.Index(values),
    )


@dataclass(frozen=True)
class _Runs:
    """Answers sorted by (item, value) and cut into runs of equal answers."""

    starts: np.ndarray  # first sorted position of each item
    counts: np.ndarray  # answers per item
    run_of: np.ndarray  # run index of every sorted position
    run_item: np.ndarray
    run_value: np.ndarray
    run_count: np.ndarray


def _runs(votes: _Votes) -> _Runs:
    width = max(len(votes.values), 1)
    # One int64 key per answer: sorting it sorts by item, then value, in a single numpy pass.
    key = np.sort(votes.item * width + votes.value)
    new_run = np.empty(len(key), dtype=bool)
    new_run[:1] = True
    np.not_equal(key[1:], key[:-1], out=new_run[1:])
    run_starts = np.flatnonzero(new_run)
    run_keys = key[run_starts]
    counts = np.bincount(votes.item, minlength=len(votes.items))
    return _Runs(
        starts=np.cumsum(counts) - counts,
        counts=counts,
        run_of=np.cumsum(new_run) - 1,
        run_item=run_keys // width,
        run_value=run_keys % width,
        run_count=np.diff(np.append(run_starts, len(key))),
    )


def _result(votes: _Votes, label_codes: np.ndarray, label_counts: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": votes.values.take(label_codes),
            "raters": counts.astype(np.int64),
            "agreement": label_counts / np.maximum(counts, 1),
        },
        index=votes.items,
    )


def median_consensus(frame: pd.DataFrame) -> pd.DataFrame:
    """The median answer per item; for an even count the LOWER median.

    The lower median (not the mean of the two middle answers) keeps the label an actual value
    of the scale, so it can be exported as a grade and compared with raters' answers. Values
    must be ordered (numbers on an ordinal scale).
    """
    votes = _votes(frame)
    runs = _runs(votes)
    middle = runs.starts + (runs.counts - 1) // 2
    run = runs.run_of[middle]
    return _result(votes, runs.run_value[run], runs.run_count[run], runs.counts)


def majority_consensus(frame: pd.DataFrame) -> pd.DataFrame:
    """The most frequent answer per item; a tie goes to the smallest tied value, for determinism.

    For categorical questions, where a median means nothing, and as Dawid–Skene's baseline.
    """
    votes = _votes(frame)
    runs = _runs(votes)
    first_run = np.flatnonzero(np.diff(runs.run_item, prepend=-1))
    most = np.maximum.reduceat(runs.run_count, first_run) if len(first_run) else runs.run_count[:0]
    winners = np.flatnonzero(runs.run_count == most[runs.run_item])
    # Runs are sorted by item then value, so the first winning run of an item has the smallest value.
    first_winner = winners[np.flatnonzero(np.diff(runs.run_item[winners], prepend=-1))]
    return _result(votes, runs.run_value[first_winner], runs.run_count[first_winner], runs.counts)


@dataclass(frozen=True)
class DawidSkeneFit:
    """What Dawid–Skene estimated: class priors, each rater's confusion matrix, item posteriors."""

    items: pd.Index
    raters: pd.Index
    classes: pd.Index
    priors: np.ndarray  # (classes,)
    confusion: np.ndarray  # (raters, true class, answered class): P(answer | true class)
    posterior: np.ndarray  # (items, classes)
    counts: np.ndarray  # answers per item
    agreeing: np.ndarray  # answers equal to the MAP class, per item
    iterations: int
    converged: bool
    log_likelihood: float


def fit_dawid_skene(
    frame: pd.DataFrame, *, max_iter: int = 100, tol: float = 1e-7, smoothing: float = 0.01
) -> DawidSkeneFit:
    """EM for Dawid & Skene (1979), classes = the distinct answers, initialised from vote shares.

    ``smoothing`` is a pseudo-count added to every confusion cell and prior, so a rater who
    never used a class does not get probability 0 (and log -inf) for it. EM stops when the
    log-likelihood improves by less than ``tol`` relatively, or after ``max_iter`` iterations.
    Each iteration is a few bincounts over the answers; there is no Python loop per item.
    """
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1")
    votes = _votes(frame, with_raters=True)
    n_items, n_raters, n_classes = len(votes.items), len(votes.raters), len(votes.values)
    if n_items == 0:
        return DawidSkeneFit(
            items=votes.items,
            raters=votes.raters,
            classes=votes.values,
            priors=np.zeros(0),
            confusion=np.zeros((0, 0, 0)),
            posterior=np.zeros((0, 0)),
            counts=np.zeros(0, dtype=np.int64),
            agreeing=np.zeros(0),
            iterations=0,
            converged=True,
            log_likelihood=0.0,
        )
    counts = np.bincount(votes.item, minlength=n_items).astype(float)
    cell = votes.item * n_classes + votes.value
    posterior = (
        np.bincount(cell, minlength=n_items * n_classes).reshape(n_items, n_classes) / np.maximum(counts, 1)[:, None]
    )
    rater_answer = votes.rater * n_classes + votes.value
    # Index into the flattened (rater, true, answer) array for true class 0; + k * n_classes for k.
    confusion_index = votes.rater * n_classes * n_classes + votes.value

    previous = -np.inf
    log_likelihood = -np.inf
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        priors = (posterior.sum(axis=0) + smoothing) / (n_items + smoothing * n_classes)
        confusion = np.empty((n_raters, n_classes, n_classes))
        for true in range(n_classes):
            confusion[:, true, :] = np.bincount(
                rater_answer, weights=posterior[votes.item, true], minlength=n_raters * n_classes
            ).reshape(n_raters, n_classes)
        confusion += smoothing
        confusion /= confusion.sum(axis=2, keepdims=True)

        log_confusion = np.log(confusion).ravel()
        log_joint = np.empty((n_items, n_classes))
        for true in range(n_classes):
            log_joint[:, true] = np.log(priors[true]) + np.bincount(
                votes.item, weights=log_confusion[confusion_index + true * n_classes], minlength=n_items
            )
        top = log_joint.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(log_joint - top).sum(axis=1))
        posterior = np.exp(log_joint - log_norm[:, None])
        log_likelihood = float(log_norm.sum())
        if np.isfinite(previous) and abs(log_likelihood - previous) <= tol * abs(previous):
            converged = True
            break
        previous = log_likelihood

    label = posterior.argmax(axis=1)
    agreeing = np.bincount(votes.item, weights=votes.value == label[votes.item], minlength=n_items)
    return DawidSkeneFit(
        items=votes.items,
        raters=votes.raters,
        classes=votes.values,
        priors=priors,
        confusion=confusion,
        posterior=posterior,
        counts=counts.astype(np.int64),
        agreeing=agreeing,
        iterations=iterations,
        converged=converged,
        log_likelihood=log_likelihood,
    )


def dawid_skene_consensus(
    frame: pd.DataFrame, *, max_iter: int = 100, tol: float = 1e-7, smoothing: float = 0.01
) -> pd.DataFrame:
    """The MAP class per item under Dawid–Skene, with its posterior probability.

    Weighs each rater by their estimated confusion matrix, so a consistently biased or careless
    rater counts for less than under a plain vote. Classes are categorical (order is ignored).
    """
    fit = fit_dawid_skene(frame, max_iter=max_iter, tol=tol, smoothing=smoothing)
    label = fit.posterior.argmax(axis=1) if len(fit.items) else np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "label": fit.classes.take(label),
            "raters": fit.counts,
            "agreement": fit.agreeing / np.maximum(fit.counts, 1),
            "posterior": fit.posterior.max(axis=1, initial=0.0),
        },
        index=fit.items,
    )


def consensus(
    frame: pd.DataFrame,
    *,
    method: Method = "median",
    max_iter: int = 100,
    tol: float = 1e-7,
    smoothing: float = 0.01,
) -> pd.DataFrame:
    """Consensus by name, as a report configures it: "median" (default), "majority", "dawid_skene".

    ``max_iter``, ``tol`` and ``smoothing`` apply to Dawid–Skene only.
    """
    if method == "median":
        return median_consensus(frame)
    if method == "majority":
        return majority_consensus(frame)
    if method == "dawid_skene":
        return dawid_skene_consensus(frame, max_iter=max_iter, tol=tol, smoothing=smoothing)
    raise ValueError(f'unknown consensus method "{method}"; use median, majority or dawid_skene')
