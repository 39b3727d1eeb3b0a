"""Benchmark: a full report (reports.services.report_build_run) over a million judgments.

    make bench-report                                          # 100,000 SERPs x 10 results, overlap 10
    .venv/bin/python -m bench.report_build --serps 5000        # quick run (env as `make bench` sets it)

Target (from the issue): 100,000 SERPs x 10 results at overlap 10, so 1,000,000 judgments and
10,000,000 per-result ratings in PostgreSQL: a full report in <= 90 s on this 2-core machine,
with the worker's peak RSS <= 3 GB.

What runs, in order:

1. A database of its own (`evalconsole_report_bench` on the server of DATABASE_URL; created if
   missing, migrated), PostgreSQL on loopback only (the checks of bench/pool_import.py).
2. Seeding in SQL (INSERT ... SELECT generate_series, foreign-key triggers off for that
   transaction), unless the data of an earlier run match (`--reseed` forces it): a published
   guideline with the starter schema, a graded project (overlap 10, 0.40 per judgment), `--serps`
   SERPs x 10 results (12 locales, 15 categories, Zipf traffic), a task per SERP stratified by
   locale, 50 raters, and for every task 10 submitted assignments, their judgments (page
   satisfaction, pain points, a few comments) and a relevance grade per result. Each SERP has a
   latent quality and each (SERP, doc) a true grade; raters add noise around them, so consensus,
   agreement and satisfaction look like real data. Timed on its own, not part of the figures.
3. `report_build_run` of a fresh report Job in a child process (`--run-only JOB_ID`), as a
   Celery worker runs it, so wall time and peak RSS are the worker's own. The child times the
   phases by wrapping the report functions in its own process (the app is not changed) and
   samples its RSS every 20 ms to give each phase its peak.
4. The snapshot is checked, and a PASS/MISS table printed. The data are kept for the next run.

A benchmark prints figures; it is not a test: it exits 0 when a target is missed, non-zero
only when it could not measure (bad setup, a failed report, wrong counts).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.pool_import import (
    CATEGORIES,
    LOCALES,
    _proc_cpu_seconds,
    bench_env,
    claim_bench_database,
    django_setup,
    ensure_database,
    fail,
    machine,
    print_table,
    verdict,
)
from bench.rating_load import machine_busy_ticks, truncate_all

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "evalconsole_report_bench"
RESULT_TAG = "BENCH-REPORT "
OWNER = "bench-report-owner"
RATER_PREFIX = "bench-report-rater-"
GUIDELINE_SLUG = "bench-report"
PROJECT_PREFIX = "Report bench"
# Targets from the issue.
TARGET_SERPS = 100_000
TARGET_REPORT_S = 90.0
TARGET_RSS_MB = 3072.0
# Stratified by locale: the sample's share of each locale's query population (en-US is the
# biggest population, so its queries are the least likely to be drawn).
INCLUSION = [0.004, 0.012, 0.015, 0.02, 0.02, 0.025, 0.025, 0.03, 0.04, 0.04, 0.05, 0.05]
PAINS = ["irrelevant_top", "outdated", "duplicates", "low_quality"]
COMMENTS = ["top result does not answer the query", "prices are from last year", "same site three times",
            "thumbnails are blurry", "good mix of sources", "had to scroll to find it"]  # fmt: skip
SAMPLE_EVERY_S = 0.02


# --- Seeding --------------------------------------------------------------------------------


def project_name(args) -> str:
    return (
        f"{PROJECT_PREFIX}: {args.serps} SERPs x {args.results} results, overlap {args.overlap}, {args.raters} raters"
    )


def expected_counts(args) -> dict[str, int]:
    judgments = args.serps * args.overlap
    return {"serps": args.serps, "results": args.serps * args.results, "tasks": args.serps,
            "assignments": judgments, "judgments": judgments, "ratings": judgments * args.results}  # fmt: skip


def counts_of(project_id: int) -> dict[str, int]:
    from django.db import connection

    queries = {
        "serps": "SELECT count(*) FROM projects_poolserp WHERE project_id = %s",
        "results": "SELECT count(*) FROM projects_poolresult r JOIN projects_poolserp s ON s.id = r.serp_id "
        "WHERE s.project_id = %s",
        "tasks": "SELECT count(*) FROM projects_task WHERE project_id = %s",
        "assignments": "SELECT count(*) FROM raters_assignment WHERE project_id = %s AND status = 'submitted'",
        "judgments": "SELECT count(*) FROM raters_judgment WHERE project_id = %s AND removed_at IS NULL",
        "ratings": "SELECT count(*) FROM raters_resultanswer a JOIN raters_judgment j ON j.id = a.judgment_id "
        "WHERE j.project_id = %s AND a.question = 'relevance'",
    }
    counts = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, [project_id])
            counts[name] = cursor.fetchone()[0]
    return counts


def find_seeded(args):
    """The project of an earlier seeding with the same parameters, if all its rows are there."""
    from projects.models import EvaluationProject

    projects = list(EvaluationProject.objects.all()[:2])
    if len(projects) != 1 or projects[0].name != project_name(args):
        return None
    if counts_of(projects[0].pk) != expected_counts(args):
        return None
    return projects[0]


def _secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the plain indexes of `tables`: not primary keys, not unique ones."""
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique
        """,
        [tables],
    )
    return cursor.fetchall()


def seed(args) -> tuple[object, dict]:
    """Owner, guideline, project, pool, tasks, raters, judgments and ratings; the project and phase times."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from guidelines.services import guideline_create, version_publish
    from projects.models import EvaluationProject, SamplingRun
    from projects.services import project_create, project_transition

    User = get_user_model()
    phases = {}

    def timed(name, started):
        phases[name] = time.perf_counter() - started
        print(f"  {name}: {phases[name]:.1f} s", flush=True)

    started = time.perf_counter()
    truncate_all()
    owner = User.objects.create_user(username=OWNER, email="bench-report@example.com")
    guideline = guideline_create(owner=owner, name="Bench report", slug=GUIDELINE_SLUG)
    version = version_publish(version=guideline.versions.get(number=1))
    tags = [tag for tag, _, _, _ in LOCALES]
    project = project_create(
        owner=owner, name=project_name(args), guideline_version=version, locales=tags, overlap=args.overlap,
        cost_per_judgment=Decimal("0.40"), deadline=timezone.now() + timedelta(days=7),
    )  # fmt: skip
    run = SamplingRun.objects.create(
        project=project, strategy="stratified", size=args.serps, strata=["locale"], allocation="proportional",
        seed=1, created_by=owner, tasks_made=args.serps,
    )  # fmt: skip
    raters = User.objects.bulk_create(
        [User(username=f"{RATER_PREFIX}{n:02d}", email=f"r{n:02d}@bench.example") for n in range(args.raters)]
    )
    rater_ids = [user.pk for user in raters]
    timed("truncate, guideline, project, raters", started)

    cumulative, total = [], 0.0
    for _, share, _, _ in LOCALES[:-1]:
        total += share
        cumulative.append(round(total, 6))

    # u(x, seed): a uniform draw in [0, 1) fixed by (x, seed), so a SERP's latent quality and a
    # (SERP, doc)'s true grade are the same in every statement that needs them.
    def quality(serp: str, locale: str) -> str:
        return (
            f"least(0.97, greatest(0.03, 0.2 + 0.6 * pg_temp.u({serp}, 1) + 0.04 * (({serp} %% 15) %% 5 - 2)"
            f" + 0.03 * (array_position(%(locales)s::text[], {locale}) %% 3 - 1)))"
        )

    params = {"project": project.pk, "run": run.pk, "version": version.pk, "locales": tags,
              "cumulative": cumulative, "categories": CATEGORIES, "ncat": len(CATEGORIES), "serps": args.serps,
              "results": args.results, "overlap": args.overlap, "raters": rater_ids, "nraters": len(rater_ids),
              "stride": len(rater_ids) // args.overlap, "inclusion": INCLUSION, "pains": PAINS,
              "comments": COMMENTS}  # fmt: skip
    heavy = ["raters_assignment", "raters_judgment", "raters_resultanswer"]
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are consistent by construction (their ids come from the SELECTs), so the
        # deferred foreign-key checks of millions of rows are skipped for this transaction.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(0.2025)")
        cursor.execute(
            "CREATE FUNCTION pg_temp.u(x bigint, seed bigint) RETURNS float8 IMMUTABLE LANGUAGE sql AS "
            "$$ SELECT (hashint8extended(x, seed) & 9007199254740991)::float8 / 9007199254740992 $$"
        )
        # Building the plain indexes once at the end is several times faster than keeping them up
        # to date row by row; they are made again below, in this transaction, with their own names.
        indexes = _secondary_indexes(cursor, heavy)
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')

        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO projects_poolserp (project_id, query_id, query, locale, category, traffic, variant)
            SELECT %(project)s, 'q' || lpad(n::text, 7, '0'),
                   'bench query ' || n || ' '
                       || (ARRAY['best', 'cheap', 'near me', 'how to', 'review', 'price'])[1 + n %% 6],
                   (%(locales)s::text[])[1 + width_bucket(random(), %(cumulative)s::float8[])],
                   (%(categories)s::text[])[1 + n %% %(ncat)s],
                   round((1e6 / (1 + floor(random() * %(serps)s)) ^ 1.07)::numeric, 3), ''
            FROM generate_series(1, %(serps)s) AS n
            """,
            params,
        )
        cursor.execute("SELECT min(id), max(id), count(*) FROM projects_poolserp WHERE project_id = %s", [project.pk])
        serp0, serp_last, serps = cursor.fetchone()
        if serp_last - serp0 + 1 != serps:
            fail(f"SERP ids are not contiguous ({serp0}..{serp_last} for {serps}); run with --reseed.")
        params["serp0"] = serp0
        cursor.execute(
            """
            INSERT INTO projects_poolresult (serp_id, rank, doc_id, title, url, snippet, media_type,
                                             thumbnail_url, sensitive)
            SELECT s.id, r, 'd' || s.id || '-' || r, 'Result ' || r || ' for ' || s.query,
                   'https://www.site' || (s.id * 7 + r) %% 400 || '.example/' || s.query_id || '/' || r,
                   'A snippet of about a hundred characters that says what the page is about, for ' || s.query,
                   'web', '', false
            FROM projects_poolserp s CROSS JOIN generate_series(1, %(results)s) AS r
            WHERE s.project_id = %(project)s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO projects_task (project_id, sampling_run_id, serp_id, serp_b_id, query_id, locale, category,
                                       stratum, inclusion_probability, priority, overlap, is_gold, gold_answers,
                                       has_sensitive, judgment_count, lease_count, shuffle)
            SELECT s.project_id, %(run)s, s.id, NULL, s.query_id, s.locale, s.category, s.locale,
                   (%(inclusion)s::float8[])[array_position(%(locales)s::text[], s.locale)], 0, %(overlap)s,
                   false, NULL, false, %(overlap)s, 0, floor(random() * 2147483647)::int
            FROM projects_poolserp s WHERE s.project_id = %(project)s ORDER BY s.id
            """,
            params,
        )
        cursor.execute("SELECT min(id), max(id) FROM projects_task WHERE project_id = %s", [project.pk])
        task0, task_last = cursor.fetchone()
        if task_last - task0 + 1 != serps:
            fail(f"task ids are not contiguous ({task0}..{task_last} for {serps}); run with --reseed.")
        params["task0"] = task0
        timed("pool SERPs, results, tasks", started)

        # Judgment a (0-based) is rater k = a %% overlap of task i = a / overlap; the raters of a
        # task are `stride` apart from an offset of its own, so no rater judges a task twice.
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO raters_assignment (id, status, is_gold, swapped, leased_at, expires_at, finished_at,
                                           skip_reason, project_id, rater_id, task_id)
            SELECT a + 1, 'submitted', false, false, at, at + interval '10 minutes',
                   at + interval '45 seconds', '', %(project)s,
                   (%(raters)s::int[])[1 + (floor(pg_temp.u(a / %(overlap)s, 2) * %(nraters)s)::int
                                            + (a %% %(overlap)s) * %(stride)s) %% %(nraters)s],
                   %(task0)s + a / %(overlap)s
            FROM generate_series(0, %(serps)s * %(overlap)s - 1) AS a,
                 LATERAL (SELECT now() - interval '14 days' * (1 - a::float8 / (%(serps)s * %(overlap)s))
                                 + interval '1 second' * floor(random() * 600) AS at) AS t
            """,
            params,
        )
        timed("assignments", started)
        started = time.perf_counter()
        cursor.execute(
            f"""
            INSERT INTO raters_judgment (id, submission_id, page, cannot_judge, active_ms, is_gold, created_at,
                                         removed_at, assignment_id, guideline_version_id, project_id, rater_id,
                                         task_id)
            SELECT x.id, gen_random_uuid(),
                   jsonb_build_object(
                       'satisfaction', least(5, greatest(1, round(1 + 4 * x.q + 1.6 * (random() - 0.5)
                                                                  + 0.3 * (x.rater_id %% 3 - 1))))::int,
                       'pain_points', to_jsonb(array_remove(ARRAY[
                           CASE WHEN random() < greatest(0.03, 0.8 - 1.6 * x.q) THEN 'irrelevant_top' END,
                           CASE WHEN random() < 0.08 + 0.12 * (x.serp %% 15 = 2)::int THEN 'outdated' END,
                           CASE WHEN random() < 0.05 THEN 'duplicates' END,
                           CASE WHEN random() < 0.03 + 0.05 * (x.serp %% 15 = 0)::int THEN 'low_quality' END
                       ], NULL)),
                       'comment', CASE WHEN random() < 0.08
                                       THEN (%(comments)s::text[])[1 + floor(random() * 6)::int] ELSE '' END),
                   '', 15000 + least(600000, floor(-ln(1 - random()) * 40000))::int, false, x.finished_at,
                   NULL, x.id, %(version)s, x.project_id, x.rater_id, x.task_id
            FROM (SELECT a.id, a.finished_at, a.project_id, a.rater_id, a.task_id,
                         %(serp0)s + (a.task_id - %(task0)s) AS serp,
                         {quality("(%(serp0)s + (a.task_id - %(task0)s))", "t.locale")} AS q
                  FROM raters_assignment a JOIN projects_task t ON t.id = a.task_id
                  WHERE a.project_id = %(project)s) AS x
            ORDER BY x.id
            """,
            params,
        )
        timed("judgments", started)

        # Rater grade = the (SERP, doc)'s true grade (from the SERP's quality, lower further down),
        # moved up and down with chance 0.15 each; in judgment order, as the console writes them.
        started = time.perf_counter()
        cursor.execute(
            f"""
            INSERT INTO raters_resultanswer (judgment_id, serp_id, doc_id, question, value, text)
            SELECT a + 1, s.serp, 'd' || s.serp || '-' || r, 'relevance',
                   least(4, greatest(0, least(4, greatest(0,
                       round(4 * s.q - 0.15 * (r - 1) + 1.4 * (pg_temp.u(s.serp * 128 + r, 3) - 0.5))))
                       + (random() < 0.15)::int - (random() < 0.15)::int)),
                   ''
            FROM generate_series(0, %(serps)s * %(overlap)s - 1) AS a
                 CROSS JOIN LATERAL (
                     SELECT %(serp0)s + a / %(overlap)s AS serp,
                            {quality("(%(serp0)s + a / %(overlap)s)", "t.locale")} AS q
                     FROM projects_task t WHERE t.id = %(task0)s + a / %(overlap)s) AS s
                 CROSS JOIN generate_series(1, %(results)s) AS r
            """,
            params,
        )
        timed("ratings", started)

        started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        for table in heavy:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT coalesce(max(id), 1) FROM " + table + "))",
                [table],
            )
        timed(f"{len(indexes)} indexes rebuilt", started)
    project = project_transition(project=project, action="activate")

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("projects_poolserp", "projects_poolresult", "projects_task", *heavy):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    timed("vacuum analyze", started)
    return EvaluationProject.objects.get(pk=project.pk), phases


def new_job(project) -> int:
    """A fresh report job for the project; earlier bench snapshots and jobs are removed first."""
    from evalconsole import jobs
    from evalconsole.models import Job
    from reports.models import ReportSnapshot

    ReportSnapshot.objects.filter(project=project).delete()
    Job.objects.filter(kind="report").delete()
    return jobs.job_create(kind="report", created_by=project.owner, params={"project": project.pk}).pk


# --- The child: the report as a worker runs it ------------------------------------------------


_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def _statm_rss_kib() -> int:
    """The current RSS, the cheap way (the sampler reads it 50 times a second)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE_KIB


def _rss_kib(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Phases:
    """Inclusive wall time, calls and peak RSS per wrapped function, in this process only.

    A sampler thread reads the RSS every 20 ms and credits it to every phase on the stack, so a
    phase's peak is the largest RSS seen while it ran (a spike shorter than 20 ms may be missed;
    the process's VmHWM catches it in the total).
    """

    def __init__(self):
        self.stack: list[str] = []
        self.order: list[str] = []
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.peak_kib: dict[str, int] = {}
        self.rows: dict[str, int] = {}
        self.depth: dict[str, int] = {}
        self.missing: list[str] = []
        self.kept: dict[str, object] = {}  # results looked at after the run (their sizes)
        self.halt = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.halt.wait(SAMPLE_EVERY_S):
            rss = _statm_rss_kib()
            for name in tuple(self.stack):
                if rss > self.peak_kib.get(name, 0):
                    self.peak_kib[name] = rss

    def within(self) -> str:
        """The innermost phase running, without its prefix: 'tasks' for 'COPY + read_csv: tasks'."""
        return self.stack[-1].rsplit(": ", 1)[-1] if self.stack else "-"

    def wrap(self, owner, attribute: str, name, rows=None, keep: str = "") -> None:
        original = getattr(owner, attribute, None)
        if original is None:
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{attribute}")
            return
        phases = self

        def timed(*args, **kwargs):
            label = name(*args, **kwargs) if callable(name) else name
            if label not in phases.seconds:
                phases.order.append(label)
                phases.seconds[label], phases.cpu[label], phases.calls[label] = 0.0, 0.0, 0
                phases.depth[label] = len(phases.stack)
            phases.stack.append(label)
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                result = original(*args, **kwargs)
            finally:
                phases.seconds[label] += time.perf_counter() - started
                phases.cpu[label] += time.thread_time() - cpu
                phases.calls[label] += 1
                phases.stack.pop()
                rss = _rss_kib()
                phases.peak_kib[label] = max(phases.peak_kib.get(label, 0), rss)
            if rows is not None:
                phases.rows[label] = phases.rows.get(label, 0) + rows(result, *args)
            if keep:
                phases.kept.setdefault(keep, result)
            return result

        setattr(owner, attribute, timed)


def _instrument(phases: Phases) -> None:
    """Wrap the report's functions (best effort: the code is young, a function that moved is listed)."""
    import pandas as pd
    from django.db.backends.utils import CursorWrapper
    from django.db.models.query import QuerySet

    from reports import agreement, build, consensus, estimators, relevance, selectors, services

    reads = {getattr(selectors, name, None): label for name, label in (
        ("TASKS_SQL", "tasks"), ("JUDGMENTS_SQL", "judgments"), ("RESULT_ANSWERS_SQL", "result answers"),
        ("SERP_RESULTS_SQL", "SERP results"))}  # fmt: skip
    phases.wrap(selectors, "project_frames", "read: selectors.project_frames", keep="frames")
    phases.wrap(
        selectors,
        "_read",
        lambda sql, *a, **k: f"COPY + read_csv: {reads.get(sql, 'other')}",
        rows=lambda f, *_: len(f),
    )
    if "copy_expert" not in vars(CursorWrapper):  # Django hands it to the driver's cursor via __getattr__
        CursorWrapper.copy_expert = lambda self, *args, **kwargs: self.cursor.copy_expert(*args, **kwargs)
    # The stream's size in MB, from the position of the file COPY wrote to.
    phases.wrap(
        CursorWrapper, "copy_expert", lambda *a, **k: f"COPY ... TO STDOUT ({phases.within()})",
        rows=lambda _, *a: a[2].tell() // 2**20,
    )  # fmt: skip
    phases.wrap(pd, "read_csv", lambda *a, **k: f"pandas.read_csv ({phases.within()})", rows=lambda f, *_: len(f))
    phases.wrap(selectors, "_page_answers", "page JSON to columns (_page_answers)", rows=lambda f, *_: len(f))
    phases.wrap(services, "build_report", "compute: build.build_report")
    phases.wrap(build, "_figures_for", "build._figures_for")
    phases.wrap(build, "_grade_answers", "build._grade_answers", keep="grades")
    for owner, attribute in (
        (build, "_judgments"), (build, "_relevance_by_task"),
        (consensus, "consensus"), (relevance, "serp_metrics"), (build, "_task_units"),
        (estimators, "estimate_columns"), (build, "_sections_by"), (estimators, "estimate_by_segment"),
        (build, "_section"), (build, "_agreement"), (agreement, "krippendorff_alpha"), (build, "_pain_section"),
        (build, "_raters"), (build, "_gold_correct"), (agreement, "rater_agreement"), (build, "_operations"),
        (build, "_per_query"),
    ):  # fmt: skip
        phases.wrap(owner, attribute, f"{owner.__name__.split('.')[-1]}.{attribute}")
    phases.wrap(QuerySet, "create", "store: ReportSnapshot INSERT")


def frame_sizes(kept: dict) -> dict[str, list]:
    """[rows, MB held by the frame's own arrays, MB with its Python objects] of the big frames.

    The second figure counts each object cell as a pointer: merged frames share the strings of
    the frames they came from. The third counts every string and list object (not done for the
    graded answers: ten million cells would take longer than the report).
    """
    sizes = {}
    frames = kept.get("frames")
    for name in ("tasks", "judgments", "result_answers", "serp_results"):
        frame = getattr(frames, name, None)
        if frame is not None:
            sizes[name] = [len(frame), frame.memory_usage(deep=False).sum() / 2**20,
                           frame.memory_usage(deep=True).sum() / 2**20]  # fmt: skip
    grades = kept.get("grades")
    if grades is not None:
        sizes["grades (build._grade_answers)"] = [len(grades), grades.memory_usage(deep=False).sum() / 2**20, None]
    return sizes


def run_only(job_id: int, cprofile_out: str | None) -> None:
    """Child: run the job as a Celery worker would, print figures as one JSON line."""
    import django

    django.setup()
    from django.db import connection

    from reports.models import ReportSnapshot
    from reports.services import report_build_run

    if "bench" not in connection.settings_dict["NAME"]:
        fail(f"--run-only runs on a bench database only, not {connection.settings_dict['NAME']!r}.")
    phases = Phases()
    _instrument(phases)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    rss_before = _rss_kib()
    backend_cpu = _proc_cpu_seconds(backend)
    profiler = None
    if cprofile_out:
        import cProfile

        profiler = cProfile.Profile()
    phases.sampler.start()
    cpu, started = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    snapshot = report_build_run(job_id=job_id)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    phases.halt.set()
    backend_after = _proc_cpu_seconds(backend)
    if profiler:
        profiler.dump_stats(cprofile_out)
    sizes = frame_sizes(phases.kept)
    stored = None
    if snapshot is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_column_size(data), pg_column_size(per_query), octet_length(data::text), "
                "octet_length(per_query::text) FROM reports_reportsnapshot WHERE id = %s",
                [snapshot.pk],
            )
            stored = cursor.fetchone()
        snapshot = ReportSnapshot.objects.get(pk=snapshot.pk)
    figures = {
        "job": job_id,
        "snapshot": snapshot.pk if snapshot else None,
        "judgments": snapshot.judgments if snapshot else None,
        "overall": snapshot.data.get("overall") if snapshot else None,
        "raters": len(snapshot.data.get("raters", [])) if snapshot else None,
        "stored_bytes": stored,
        "wall_s": wall,
        "python_cpu_s": cpu,
        "backend_cpu_s": None if backend_cpu is None or backend_after is None else backend_after - backend_cpu,
        "rss_before_kib": rss_before,
        "peak_rss_kib": max(_rss_kib("VmHWM"), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "phases": [
            {
                "name": name,
                "depth": phases.depth[name],
                "seconds": phases.seconds[name],
                "cpu": phases.cpu[name],
                "calls": phases.calls[name],
                "peak_kib": phases.peak_kib.get(name),
                "rows": phases.rows.get(name),
            }
            for name in phases.order
        ],  # fmt: skip
        "phases_missing": phases.missing,
        "frame_mb": sizes,
    }
    print(RESULT_TAG + json.dumps(figures, default=str), flush=True)


def run_child(env: dict, job_id: int, *, profile: str | None, workdir: Path, timeout: int) -> dict:
    command = [sys.executable, "-m", "bench.report_build", "--run-only", str(job_id)]
    if profile == "cprofile":
        command += ["--cprofile-out", str(workdir / "report.pstats")]
    elif profile == "py-spy":
        py_spy = os.environ.get("BENCH_PY_SPY") or shutil.which("py-spy") or "/tmp/bench-tools/bin/py-spy"
        if not Path(py_spy).exists():
            fail("--profile py-spy needs py-spy on PATH or BENCH_PY_SPY=/path/to/py-spy.")
        command = [py_spy, "record", "--rate", "100", "--format", "raw", "--output",
                   str(workdir / "report.folded"), "--nonblocking", "--", *command]  # fmt: skip
    print(f"building the report in a child process: {' '.join(command[-3:])}", flush=True)
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout, stdout=subprocess.PIPE, text=True)
    except subprocess.TimeoutExpired:
        fail(f"the report did not finish within {timeout} s; stopped it.", 3)
    figures = None
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            figures = json.loads(line[len(RESULT_TAG) :])
        elif line.strip():
            print(f"  [report] {line}")
    if done.returncode or figures is None:
        fail(f"the report process exited with {done.returncode} without figures.", 3)
    return figures


# --- Output ---------------------------------------------------------------------------------


def print_phases(figures: dict) -> None:
    print(
        "\nwhere the time and memory go (inclusive; nested phases indented; CPU of the worker's main thread; "
        "peak = largest RSS seen while the phase ran):"
    )
    rows = [("phase", "calls", "wall s", "share", "CPU s", "peak RSS", "rows / MB")]
    wall = figures["wall_s"]
    for phase in figures["phases"]:
        rows.append((
            "  " * phase["depth"] + phase["name"], f"{phase['calls']:,}", f"{phase['seconds']:.2f}",
            f"{100 * phase['seconds'] / wall:.0f}%", f"{phase.get('cpu', 0):.2f}",
            f"{(phase['peak_kib'] or 0) / 1024:,.0f} MB",
            ("" if phase["rows"] is None else f"{phase['rows']:,} MB" if phase["name"].startswith("COPY .")
             else f"{phase['rows']:,}"),
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print(
            "  "
            + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))
    if figures.get("frame_mb"):
        print("  frames kept through the build (rows; MB of arrays, object cells as pointers; MB with the objects):")
        for name, (count, shallow, deep) in figures["frame_mb"].items():
            print(f"    {name}: {count:,} rows; {shallow:,.0f} MB" + (f"; {deep:,.0f} MB" if deep is not None else ""))
    if figures["phases_missing"]:
        print(f"  (not found, not timed: {', '.join(figures['phases_missing'])})")


def print_cprofile(path: Path, limit: int = 30) -> None:
    import pstats

    print(f"\ncProfile of the report worker (times inflated by the profiler), top {limit}:")
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(r"reports|pandas/core/(groupby|reshape|frame)", limit)


def print_py_spy(path: Path, limit: int = 30) -> None:
    """py-spy's collapsed stacks: share of samples per frame, inclusive (app frames) and own (all)."""
    own, inclusive, total = {}, {}, 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        frames = [f"{f.split(' (')[0]} ({f.rsplit('(', 1)[-1].split(':')[0]})" for f in stack.split(";")]
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    if not total:
        print("py-spy recorded no samples")
        return
    print(f"\npy-spy, report worker: {total} samples (start-up included)")
    print("  inclusive, the app's own functions:")
    app = {frame: count for frame, count in inclusive.items() if "reports/" in frame or "bench/" in frame}
    for frame, count in sorted(app.items(), key=lambda item: -item[1])[:limit]:
        print(f"    {100 * count / total:5.1f}%  {frame}")
    print("  own time (leaf):")
    for frame, count in sorted(own.items(), key=lambda item: -item[1])[:limit]:
        print(f"    {100 * count / total:5.1f}%  {frame}")


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report_build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--serps", type=int, default=TARGET_SERPS, help="SERPs and tasks (default 100000)")
    parser.add_argument("--results", type=int, default=10, help="results per SERP (default 10)")
    parser.add_argument("--overlap", type=int, default=10, help="judgments per task (default 10)")
    parser.add_argument("--raters", type=int, default=50, help="rater accounts (default 50)")
    parser.add_argument("--reseed", action="store_true", help="seed again even if matching data are there")
    parser.add_argument("--profile", choices=["cprofile", "py-spy"], help="profile the report worker (slows it)")
    parser.add_argument("--db-name", default=BENCH_DB, help=f"bench database name (default {BENCH_DB})")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--timeout", type=int, default=1800, help="stop the report after this many seconds")
    parser.add_argument("--run-only", type=int, metavar="JOB_ID", help=argparse.SUPPRESS)
    parser.add_argument("--cprofile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_only is not None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalconsole.settings")
        run_only(args.run_only, args.cprofile_out)
        return
    if not 1 <= args.serps <= 1_000_000 or not 1 <= args.results <= 100 or not 1 <= args.overlap <= 50:
        fail("--serps must be 1..1000000, --results 1..100, --overlap 1..50")
    if not args.overlap <= args.raters <= 500:
        fail("--raters must be at least --overlap (a rater judges a task once) and at most 500")
    for name, value in (("SECRET_KEY", "insecure-bench-only-key"), ("HTTPS", "false"), ("CELERY_EAGER", "true"),
                        ("STATIC_MANIFEST", "false"), ("ALLOWED_HOSTS", "127.0.0.1,localhost")):  # fmt: skip
        os.environ.setdefault(name, value)
    env = bench_env(args.db_name)
    workdir = Path(tempfile.mkdtemp(prefix="evalconsole-report-bench-"))
    env["MEDIA_ROOT"] = str(workdir / "media")
    try:
        run(args, env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, env: dict, workdir: Path) -> None:
    ensure_database(env)
    django_setup(env)
    from django.db import connection

    claim_bench_database("report")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            fail("seeding turns foreign-key triggers off for its transaction, which needs a superuser role.")
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    seed_s, seed_phases = None, None
    project = None if args.reseed else find_seeded(args)
    if project is None:
        judgments = args.serps * args.overlap
        print(f"\nseeding {args.serps:,} SERPs x {args.results} results, {judgments:,} judgments, "
              f"{judgments * args.results:,} ratings ...", flush=True)  # fmt: skip
        started = time.perf_counter()
        project, seed_phases = seed(args)
        seed_s = time.perf_counter() - started
        print(f"  seeded in {seed_s:.1f} s", flush=True)
        counts = counts_of(project.pk)
        if counts != expected_counts(args):
            fail(f"seeded counts {counts} differ from {expected_counts(args)}.", 3)
    else:
        print(f"\nreusing the seeded project {project.pk} ({project.name}); --reseed to seed again", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]

    job_id = new_job(project)
    connection.close()  # the child has the database to itself
    load_before = os.getloadavg()
    busy0 = machine_busy_ticks()
    started = time.perf_counter()
    figures = run_child(env, job_id, profile=args.profile, workdir=workdir, timeout=args.timeout)
    process_s = time.perf_counter() - started
    busy1 = machine_busy_ticks()
    load_after = os.getloadavg()
    if figures["snapshot"] is None:
        fail("the job made no snapshot (claimed by someone else?).", 3)
    expected = args.serps * args.overlap
    if figures["judgments"] != expected:
        fail(f"the snapshot counts {figures['judgments']:,} judgments, {expected:,} expected.", 3)

    wall, peak_mb = figures["wall_s"], figures["peak_rss_kib"] / 1024
    busy = (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1)
    other_s = busy * (os.cpu_count() or 1) * process_s - figures["python_cpu_s"] - (figures["backend_cpu_s"] or 0)
    print_phases(figures)
    overall = figures["overall"] or {}
    sat, rel = overall.get("satisfaction") or {}, overall.get("relevance") or {}
    print(
        f"\nsnapshot {figures['snapshot']}: {figures['judgments']:,} judgments, {overall.get('serps', 0):,} SERPs, "
        f"{figures['raters']} raters; satisfaction {sat.get('mean')} {sat.get('ci95')}, "
        f"nDCG@10 {(rel.get('ndcg@10') or {}).get('mean')}, alpha "
        + ", ".join(f"{k} {v.get('krippendorff_alpha')}" for k, v in (overall.get("agreement") or {}).items())
    )
    if figures["stored_bytes"]:
        data, per_query, data_text, per_query_text = figures["stored_bytes"]
        print(f"stored: data {data_text / 1e6:.1f} MB of JSON ({data / 1e6:.1f} MB on disk), per_query "
              f"{per_query_text / 1e6:.1f} MB ({per_query / 1e6:.1f} MB on disk)")  # fmt: skip

    print(
        f"\nevalconsole report benchmark, {date.today().isoformat()}: {machine()}; PostgreSQL {pg_version}, "
        f"Python {sys.version.split()[0]}; database {db_size}"
    )
    print(
        f"data: {args.serps:,} SERPs x {args.results} results, overlap {args.overlap}, {args.raters} raters: "
        f"{expected:,} judgments, {expected * args.results:,} ratings; "
        + (f"seeded in {seed_s:.1f} s (not timed)" if seed_s is not None else "seeded data reused")
    )
    print(
        f"machine during the report: {100 * busy:.0f}% busy; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; other processes used ~{max(other_s, 0):.0f} CPU-s of the "
        f"{(os.cpu_count() or 1) * process_s:.0f} available"
    )
    if args.profile:
        print(f"NOTE: profiled run ({args.profile}): the times are inflated")
    scale = args.serps / TARGET_SERPS
    target_s = TARGET_REPORT_S * scale
    rows = [
        ("measure", "value", "target", ""),
        ("full report (report_build_run), wall", f"{wall:.1f} s", f"<= {target_s:.1f} s", verdict(wall <= target_s)),
        ("  worker CPU / its PostgreSQL backend CPU",
         f"{figures['python_cpu_s']:.1f} s / {figures['backend_cpu_s'] or 0:.1f} s", "-", ""),
        ("worker peak RSS", f"{peak_mb:,.0f} MB ({figures['rss_before_kib'] / 1024:.0f} MB after start-up)",
         f"<= {TARGET_RSS_MB:,.0f} MB", verdict(peak_mb <= TARGET_RSS_MB)),
    ]  # fmt: skip
    print()
    print_table(rows)
    if args.serps != TARGET_SERPS:
        print(f"(a pro-rata run: {args.serps:,} of the issue's {TARGET_SERPS:,} SERPs, time target scaled; "
              "the RSS target is not)")  # fmt: skip
    if args.profile == "cprofile":
        print_cprofile(workdir / "report.pstats")
    elif args.profile == "py-spy":
        print_py_spy(workdir / "report.folded")
    if args.json:
        report = {
            "date": date.today().isoformat(), "machine": machine(), "postgresql": pg_version,
            "python": sys.version.split()[0], "args": {k: v for k, v in vars(args).items() if k != "run_only"},
            "seed_s": seed_s, "seed_phases": seed_phases, "database_size": db_size, "machine_busy": busy,
            "load_before": load_before, "load_after": load_after, "report": figures,
        }  # fmt: skip
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
