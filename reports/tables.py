"""A report snapshot's figures as tables, one per dashboard chart (pure: dict in, tables out).

One source of truth: the dashboard's HTML tables, the plotly traces drawn from them and the CSV
downloads all read the same `Table`. Every figure may be None in a snapshot (too few data);
tables keep the None and the places that show it say "not enough data".
"""

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

NO_DATA = "not enough data"
DIMENSIONS = {
    "locale": "Locale",
    "category": "Category",
    "variant": "Variant",
    "guideline_version": "Guideline version",
}
# Relevance metrics in the order a reader expects them; any other metric the report adds follows.
METRIC_ORDER = ("ndcg", "p", "err")
METRIC_NAMES = {"ndcg": "nDCG", "p": "P", "err": "ERR"}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text | int | count | number | share | money | p | bool | ci | share_ci | date; a ci cell holds
    # [low, high]. A count (SERPs, judgments) says how much data a row has, not what it found.
    kind: str = "text"
    digits: int = 2
    empty: str = NO_DATA  # what a missing figure reads as


@dataclass
class Table:
    name: str  # the CSV's name, as in /dashboards/projects/<id>/<name>.csv
    title: str
    columns: list[Column]
    rows: list[list]
    caption: str = ""
    # How dashboard.js draws the table: a list of chart specs naming the columns they read.
    charts: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    overall_first: bool = False  # the first row is all SERPs, the others its segments
    empty: str = NO_DATA  # what a table without rows says

    def has_figures(self) -> bool:
        """Whether any row holds a figure at all (a table of labels and Nones has nothing to draw)."""
        numeric = [i for i, column in enumerate(self.columns) if column.kind not in ("text", "date", "count")]
        return any(_present(row[i]) for row in self.rows for i in numeric)

    def display_rows(self) -> list[list[dict]]:
        """Cells for the HTML table: {"text": str | None, "empty": str, "numeric": bool}; None text: no figure."""
        return [
            [{"text": format_cell(value, column), "empty": column.empty, "numeric": column.kind not in ("text", "date")}
             for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]  # fmt: skip

    @property
    def wide(self) -> bool:
        """Too many columns to share a row of the page: the card spans it, chart beside table."""
        return len(self.columns) > 6

    def as_json(self) -> dict:
        """What dashboard.js reads (through json_script): columns by key, raw rows, chart specs."""
        return {
            "name": self.name,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": self.rows,
            "charts": self.charts,
            "meta": self.meta,
            "overall_first": self.overall_first,
        }


def _present(value) -> bool:
    if isinstance(value, list | tuple):
        return any(_present(v) for v in value)
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def format_cell(value, column: Column) -> str | None:
    """The cell as a reader sees it; None when the snapshot has no figure there."""
    if column.kind in ("ci", "share_ci"):
        if not isinstance(value, list | tuple) or len(value) != 2 or not all(_present(v) for v in value):
            return None
        if column.kind == "share_ci":
            return f"{value[0] * 100:.{column.digits}f}–{value[1] * 100:.{column.digits}f}%"
        return f"{value[0]:.{column.digits}f}–{value[1]:.{column.digits}f}"
    if not _present(value):
        return None
    if column.kind in ("int", "count"):
        return f"{int(value):,}"
    if column.kind == "number":
        return f"{value:,.{column.digits}f}"
    if column.kind == "share":
        return f"{value * 100:.{column.digits}f}%"
    if column.kind == "money":
        return f"{value:,.2f}"
    if column.kind == "p":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if column.kind == "bool":
        return "yes" if value else "no"
    return str(value)


# --- CSV ----------------------------------------------------------------------------------------


def csv_header(table: Table) -> list[str]:
    header = []
    for column in table.columns:
        if column.kind in ("ci", "share_ci"):
            header += [f"{column.label} low", f"{column.label} high"]
        else:
            header.append(column.label)
    return header


def csv_rows(table: Table) -> list[list]:
    """Raw figures (shares as fractions), an interval in two columns, no data as an empty cell."""
    out = []
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            if column.kind in ("ci", "share_ci"):
                pair = value if isinstance(value, list | tuple) and len(value) == 2 else [None, None]
                cells += [_csv_value(v) for v in pair]
            else:
                cells.append(_csv_value(value))
        out.append(cells)
    return out


def _csv_value(value):
    if not _present(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value  # a negative number is a number, not a formula
    return safe_csv_text(str(value))


def safe_csv_text(text: str) -> str:
    """Text a spreadsheet shows as text: one that would start a formula gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_csv_text(label) for label in csv_header(table)])
    writer.writerows(csv_rows(table))
    return buffer.getvalue()


# --- Reading the snapshot -------------------------------------------------------------------------


def _get(mapping, *keys):
    """mapping[k1][k2]..., or None as soon as a level is missing or null."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _ci(value) -> list | None:
    return list(value) if isinstance(value, list | tuple) and len(value) == 2 else None


def _sections(data: dict, dimension: str) -> list[tuple[str, dict]]:
    """("All SERPs", overall) first, then the dimension's segments in name order."""
    segments = _get(data, "segments", dimension) or {}
    rows = [("All SERPs", data.get("overall") or {})]
    rows += [(str(name), section or {}) for name, section in sorted(segments.items(), key=lambda item: str(item[0]))]
    return rows


def segment_dimensions(data: dict) -> list[str]:
    """The dimensions the snapshot has more than one segment in (a lone segment repeats the overall)."""
    return [name for name in DIMENSIONS if len(_get(data, "segments", name) or {}) > 1]


def _methods(data: dict) -> dict:
    return data.get("methods") or {}


# --- Satisfaction ---------------------------------------------------------------------------------


def satisfaction(data: dict, dimension: str, *, satisfied_threshold=None) -> Table:
    label = DIMENSIONS[dimension]
    rows = []
    for name, section in _sections(data, dimension):
        figures = section.get("satisfaction") or {}
        rows.append([
            name, section.get("serps"), figures.get("mean"), _ci(figures.get("ci95")),
            figures.get("share_satisfied"), _ci(figures.get("share_satisfied_ci95")),
        ])  # fmt: skip
    weighting = _get(data, "overall", "satisfaction", "weighting") or _methods(data).get("weighting")
    threshold = f" (score ≥ {satisfied_threshold})" if satisfied_threshold is not None else ""
    caption = (
        f"Mean page score and share of SERPs rated satisfied{threshold}, "
        f"weighted by the sampling design ({weighting or 'weighting not stated'}); "
        f"bars are 95% intervals ({_methods(data).get('ci') or 'method not stated'})."
    )
    return Table(
        name=f"satisfaction-by-{dimension.replace('_', '-')}",
        title=f"Satisfaction by {label.lower()}",
        columns=[
            Column("segment", label),
            Column("serps", "SERPs", "count"),
            Column("mean", "Mean score", "number"),
            Column("mean_ci", "Mean 95% CI", "ci"),
            Column("share", "Share satisfied", "share", 1),
            Column("share_ci", "Share 95% CI", "share_ci", 1),
        ],  # fmt: skip
        rows=rows,
        overall_first=True,
        caption=caption,
        charts=[
            {
                "type": "dots",
                "label": "segment",
                "overall_first": True,
                "measures": [
                    {"value": "mean", "ci": "mean_ci", "title": "Mean satisfaction score"},
                    {
                        "value": "share",
                        "ci": "share_ci",
                        "title": "Share satisfied (%)",
                        "percent": True,
                        "range": [0, 1],
                    },
                ],
            }
        ],  # fmt: skip
    )


# --- Pain points ----------------------------------------------------------------------------------


def pain_points(data: dict, *, labels: dict | None = None) -> Table:
    """Pareto: pain points by share of SERPs, and the cumulative share of all pain-point tags."""
    labels = labels or {}
    figures = _get(data, "overall", "pain_points") or {}
    ordered = sorted(figures.items(), key=lambda item: _descending((item[1] or {}).get("share")))
    total = sum((figure or {}).get("share") or 0 for _, figure in ordered)
    rows, running = [], 0.0
    for key, figure in ordered:
        figure = figure or {}
        share = figure.get("share")
        cumulative = None
        if _present(share) and total > 0:
            running += share
            cumulative = running / total
        rows.append([labels.get(key, key), share, _ci(figure.get("ci95")), cumulative])
    return Table(
        name="pain-points",
        title="Pain points, Pareto order",
        columns=[
            Column("pain_point", "Pain point"),
            Column("share", "Share of SERPs", "share", 1),
            Column("share_ci", "95% CI", "share_ci", 1),
            Column("cumulative", "Cumulative share of tags", "share", 1),
        ],  # fmt: skip
        rows=rows,
        caption=(
            "Bars: share of SERPs tagged with each pain point, with 95% intervals "
            f"({_methods(data).get('ci') or 'method not stated'}). Line: cumulative share of all pain-point tags."
        ),
        charts=[
            {"type": "pareto", "label": "pain_point", "value": "share", "ci": "share_ci", "cumulative": "cumulative"}
        ],
    )


def pain_examples(data: dict, *, labels: dict | None = None) -> list[dict]:
    """Example queries and comments per pain point, in Pareto order, for the page (not a chart)."""
    labels = labels or {}
    figures = _get(data, "overall", "pain_points") or {}
    out = []
    for key, figure in figures.items():
        examples = [_example(e) for e in (figure or {}).get("examples") or [] if isinstance(e, dict)]
        if examples:
            out.append({"pain_point": labels.get(key, key), "share": (figure or {}).get("share"), "examples": examples})
    return sorted(out, key=lambda item: _descending(item["share"]))


def _example(example: dict) -> dict:
    """{"query", "comment"}: one comment, or a rater's several joined (pain-point examples carry either)."""
    comment = example.get("comment")
    if not comment and isinstance(example.get("comments"), list):
        comment = " · ".join(str(c) for c in example["comments"] if c)
    return {"query": example.get("query") or example.get("query_id") or "", "comment": comment or ""}


def _descending(value) -> float:
    """A sort key putting the largest figure first and missing figures last."""
    return -value if _present(value) else math.inf


# --- Relevance ------------------------------------------------------------------------------------


def _metric_keys(data: dict, dimension: str) -> list[str]:
    keys = []
    for _, section in _sections(data, dimension):
        for key in section.get("relevance") or {}:
            if "@" in key and key not in keys:
                keys.append(key)
    rank = {name: i for i, name in enumerate(METRIC_ORDER)}
    return sorted(keys, key=lambda key: (rank.get(key.split("@")[0], len(rank)), key))


def metric_label(key: str) -> str:
    name, _, cutoff = key.partition("@")
    return f"{METRIC_NAMES.get(name, name)}@{cutoff}"


def relevance(data: dict, dimension: str) -> Table:
    label = DIMENSIONS[dimension]
    metrics = _metric_keys(data, dimension) or ["ndcg@10", "p@10", "err@10"]
    rows = []
    for name, section in _sections(data, dimension):
        figures = section.get("relevance") or {}
        row = [name, section.get("serps")]
        for metric in metrics:
            row += [_get(figures, metric, "mean"), _ci(_get(figures, metric, "ci95"))]
        rows.append(row)
    columns = [Column("segment", label), Column("serps", "SERPs", "count")]
    for metric in metrics:
        columns += [Column(metric, metric_label(metric), "number", 3), Column(f"{metric}_ci", "95% CI", "ci", 3)]
    methods = _methods(data)
    consensus = _get(data, "overall", "relevance", "consensus") or methods.get("consensus")
    return Table(
        name=f"relevance-by-{dimension.replace('_', '-')}",
        title=f"Relevance by {label.lower()}",
        columns=columns,
        rows=rows,
        overall_first=True,
        caption=(
            f"Per SERP from consensus grades ({consensus or 'consensus not stated'}), averaged; "
            f"nDCG: {methods.get('ndcg') or 'variant not stated'}; "
            + "".join(f"{METRIC_NAMES[key]}: {methods[key]}; " for key in ("p", "err") if methods.get(key))
            + f"bars are 95% intervals ({methods.get('ci') or 'method not stated'})."
        ),
        charts=[
            {
                "type": "dots",
                "label": "segment",
                "overall_first": True,
                "measures": [{"value": m, "ci": f"{m}_ci", "title": metric_label(m)} for m in metrics],
            }
        ],  # fmt: skip
    )


# --- Side by side ---------------------------------------------------------------------------------


def side_by_side(data: dict, dimension: str, *, variants: list | None = None) -> Table:
    label = DIMENSIONS[dimension]
    rows = []
    for name, section in _sections(data, dimension):
        figures = section.get("side_by_side") or {}
        rows.append([
            name, section.get("serps"), figures.get("wins"), figures.get("ties"), figures.get("losses"),
            figures.get("mean_preference"), _ci(figures.get("ci95")), figures.get("p_value"), figures.get("test"),
        ])  # fmt: skip
    # The report undoes the sides: a win is a SERP pair whose raters preferred the second variant.
    favours, win, loss = "", "Wins", "Losses"
    if variants and len(variants) == 2:
        favours = f" (positive: {variants[1]} preferred over {variants[0]})"
        win, loss = f"Wins ({variants[1]} better)", f"Losses ({variants[0]} better)"
    return Table(
        name=f"side-by-side-by-{dimension.replace('_', '-')}",
        title=f"Side by side by {label.lower()}",
        columns=[
            Column("segment", label),
            Column("serps", "SERPs", "count"),
            Column("wins", win, "int"),
            Column("ties", "Ties", "int"),
            Column("losses", loss, "int"),
            Column("mean_preference", "Mean preference", "number"),
            Column("ci", "95% CI", "ci"),
            Column("p_value", "p", "p"),
            Column("test", "Test"),
        ],  # fmt: skip
        rows=rows,
        overall_first=True,
        caption=(
            f"Outcome per SERP with the sides undone; mean preference on the −3..+3 scale{favours}, "
            f"with 95% intervals ({_methods(data).get('ci') or 'method not stated'}); "
            "p from the test named in the table."
        ),
        charts=[
            {
                "type": "stacked",
                "label": "segment",
                "title": "Share of the SERPs compared (%)",
                "parts": [
                    {"value": "wins", "name": win},
                    {"value": "ties", "name": "Ties"},
                    {"value": "losses", "name": loss},
                ],
            },
            {
                "type": "dots",
                "label": "segment",
                "overall_first": True,
                "zero_line": True,
                "measures": [{"value": "mean_preference", "ci": "ci", "title": "Mean preference (−3..+3)"}],
            },
        ],  # fmt: skip
    )


# --- Agreement ------------------------------------------------------------------------------------


def agreement(data: dict, dimension: str = "locale", *, questions_named: dict | None = None) -> Table:
    """Krippendorff's alpha per question (columns) for all SERPs and each segment (rows)."""
    label = DIMENSIONS[dimension]
    sections = _sections(data, dimension)
    questions: dict[str, str] = {}
    for _, section in sections:
        for key, figure in (section.get("agreement") or {}).items():
            questions.setdefault(key, (figure or {}).get("level") or "")
    rows = [
        [name, section.get("judgments")] + [_get(section, "agreement", key, "krippendorff_alpha") for key in questions]
        for name, section in sections
    ]
    columns = [Column("segment", label), Column("judgments", "Judgments", "count")]
    named = questions_named or {}
    columns += [
        Column(
            f"alpha:{key}",
            f"{named.get(key, key)} (α, {level})" if level else f"{named.get(key, key)} (α)",
            "number",
            3,
        )
        for key, level in questions.items()
    ]
    return Table(
        name=f"agreement-by-{dimension.replace('_', '-')}",
        title=f"Rater agreement by question and {label.lower()}",
        columns=columns,
        rows=rows,
        overall_first=True,
        caption=(
            "Krippendorff's alpha at the level each question calls for (ordinal or nominal); "
            "dotted lines at 0.667 (tentative conclusions) and 0.8 (reliable), Krippendorff's guidance."
        ),
        charts=[
            {
                "type": "dots",
                "label": "segment",
                "overall_first": True,
                "guides": [0.667, 0.8],
                "measures": [{"value": f"alpha:{key}", "title": f"{named.get(key, key)} (α)"} for key in questions],
            }
        ]
        if questions
        else [],  # fmt: skip
    )


# --- Operations -----------------------------------------------------------------------------------


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def burn_down(data: dict) -> Table:
    """Cumulative judgments and cost by day against the plan: a straight line to the target at the deadline."""
    operations = data.get("operations") or {}
    daily = [day for day in operations.get("daily") or [] if isinstance(day, dict) and day.get("day")]
    target = operations.get("judgments_target")
    deadline = _parse_time(operations.get("deadline"))
    start = _parse_time(f"{daily[0]['day']}T00:00:00+00:00") if daily else None
    rows = []
    for day in daily:
        planned = None
        end_of_day = _parse_time(f"{day['day']}T00:00:00+00:00")
        if target and deadline and start and end_of_day and deadline > start:
            end_of_day += timedelta(days=1)
            planned = round(target * min(1.0, (end_of_day - start) / (deadline - start)))
        remaining = target - day["cumulative"] if target is not None and day.get("cumulative") is not None else None
        rows.append([day["day"], day.get("judgments"), day.get("cumulative"), planned, remaining, day.get("cost")])
    plan = None
    if target and deadline and start:
        plan = {"start": start.isoformat(), "deadline": deadline.isoformat(), "target": target}
    return Table(
        name="burn-down",
        title="Progress to the target: judgments and cost by day",
        columns=[
            Column("day", "Day (UTC)", "date"),
            Column("judgments", "Judgments that day", "int"),
            Column("cumulative", "Cumulative judgments", "int"),
            Column("planned", "Plan (straight to deadline)", "int"),
            Column("remaining", "Remaining to target", "int"),
            Column("cost", "Cumulative cost", "money"),
        ],  # fmt: skip
        rows=rows,
        caption=(
            "Judgments made so far against a straight line from the first day to the target at the deadline; "
            "the right axis reads the same line as cost (judgments × cost per judgment). "
            "The dotted forecast extends the recent rate to the target."
        ),
        charts=[
            {
                "type": "burn",
                "x": "day",
                "cumulative": "cumulative",
                "cost": "cost",
                "planned": "planned",
                "plan": plan,
                "forecast_done": operations.get("forecast_done"),
            }
        ],  # fmt: skip
        meta={
            "target": target,
            "deadline": operations.get("deadline"),
            "forecast_done": operations.get("forecast_done"),
        },
    )


def operations(data: dict) -> Table:
    """The operations figures as one row (the page shows it as a list of facts)."""
    ops = data.get("operations") or {}
    facts = [
        (Column("judgments", "Judgments", "int"), data.get("judgments")),
        (Column("progress", "Progress", "share", 1), ops.get("progress")),
        (Column("judgments_target", "Target judgments", "int"), ops.get("judgments_target")),
        (Column("judgments_per_hour", "Judgments per hour (whole run)", "number", 1), ops.get("judgments_per_hour")),
        (Column("judgments_per_hour_24h", "Judgments per hour (last 24 h)", "number", 1),
         ops.get("judgments_per_hour_24h")),
        (Column("median_active_s", "Median active time per task (s)", "number", 1), ops.get("median_active_s")),
        (Column("cost", "Cost", "money"), ops.get("cost")),
        (Column("cost_per_serp", "Cost per SERP", "money"), ops.get("cost_per_serp")),
        (Column("deadline", "Deadline (UTC)", "date", empty="no deadline set"), _time_text(ops.get("deadline"))),
        (Column("forecast_done", "Forecast done (UTC)", "date"), _time_text(ops.get("forecast_done"))),
        (Column("on_track", "On track", "bool"), ops.get("on_track")),
    ]  # fmt: skip
    return Table(
        name="operations",
        title="Operations",
        columns=[column for column, _ in facts],
        rows=[[value for _, value in facts]],
        caption="Throughput, active time and cost so far; the forecast extends the recent rate to the target.",
    )


def _time_text(value) -> str | None:
    moment = _parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


# --- Raters and the rest ----------------------------------------------------------------------------


def raters(data: dict) -> Table:
    rows = [
        [r.get("rater"), r.get("judgments"), r.get("gold_judgments"), r.get("gold_accuracy"),
         r.get("agreement_with_consensus"), r.get("median_active_s")]
        for r in data.get("raters") or [] if isinstance(r, dict)
    ]  # fmt: skip
    rows.sort(key=lambda row: -(row[1] or 0))
    return Table(
        name="raters",
        title="Raters",
        columns=[
            Column("rater", "Rater"),
            Column("judgments", "Judgments", "int"),
            Column("gold_judgments", "Gold judgments", "int"),
            Column("gold_accuracy", "Gold accuracy", "share", 1),
            Column("agreement", "Agreement with consensus", "share", 1),
            Column("median_active_s", "Median active time (s)", "number", 1),
        ],  # fmt: skip
        rows=rows,
        caption="Per rater, most judgments first; gold accuracy over gold items, agreement with the consensus label.",
    )


def cannot_judge(data: dict) -> Table:
    reasons = _get(data, "overall", "cannot_judge") or {}
    rows = sorted(([str(reason), count] for reason, count in reasons.items()), key=lambda row: -(row[1] or 0))
    return Table(
        name="cannot-judge",
        title="Cannot judge",
        columns=[Column("reason", "Reason"), Column("judgments", "Judgments", "int")],
        rows=rows,
        caption="Answers of “cannot judge”, by reason; counted, never scored.",
        empty="No “cannot judge” answers.",
    )


# --- The dashboard ----------------------------------------------------------------------------------


def schema_labels(schema: dict | None) -> dict:
    """Pain-point labels from the guideline schema ({value: label}), for names a PM can read."""
    labels = {}
    for question in (schema or {}).get("page_questions") or []:
        if question.get("type") == "multi":
            for option in question.get("options") or []:
                labels[str(option.get("value"))] = str(option.get("label") or option.get("value"))
    return labels


def question_labels(schema: dict | None) -> dict:
    """Every question's label by key ({"relevance": "Needs met", ...})."""
    schema = schema or {}
    questions = (schema.get("result_questions") or []) + (schema.get("page_questions") or [])
    return {str(q.get("key")): str(q.get("label") or q.get("key")) for q in questions if isinstance(q, dict)}


def dashboard_tables(data: dict, *, schema: dict | None = None, variants: list | None = None) -> dict[str, Table]:
    """Every table of the dashboard, by name, in page order; what the snapshot's kind has no use for is left out."""
    labels = schema_labels(schema)
    threshold = (schema or {}).get("satisfied_threshold")
    side = data.get("kind") == "side_by_side"
    candidates = []
    if side:
        candidates += [side_by_side(data, d, variants=variants) for d in ("locale", "category")]
    sat = [satisfaction(data, d, satisfied_threshold=threshold) for d in ("locale", "category")]
    rel = [relevance(data, d) for d in ("locale", "category")]
    # A side-by-side report may carry no graded figures at all; a graded one always shows its sections.
    candidates += [t for t in sat if not side or t.has_figures()]
    pains = pain_points(data, labels=labels)
    if pains.rows or not side:
        candidates.append(pains)
    candidates += [t for t in rel if not side or t.has_figures()]
    candidates += [
        agreement(data, "locale", questions_named=question_labels(schema)),
        burn_down(data),
        operations(data),
        raters(data),
        cannot_judge(data),
    ]
    return {table.name: table for table in candidates}
