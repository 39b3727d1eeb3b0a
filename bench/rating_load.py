"""Benchmark: raters doing next + submit over HTTP against gunicorn, on a pool of a million tasks.

    make bench-rating                                             # 1,000,000 tasks, 8 then 50 raters, 4 x 60 s
    .venv/bin/python -m bench.rating_load --tasks 20000 --seconds 10   # quick run (env as `make bench` sets it)

Targets (from the issue): a pool of 1,000,000 tasks in PostgreSQL, the app under gunicorn
(2 workers), 8 and 50 concurrent simulated raters doing next + submit over HTTP for 60 s:
>= 200 judgments/s and p95 next-task <= 50 ms at both concurrencies, 0 invariant violations.
Label Studio 1.23 on the same kind of machine: 3-4 annotations/s with 8 raters, p95 next-task
3.7-4.1 s, and 14-17 tasks given to two raters at overlap 1.

What runs, in order:

1. A database of its own (`evalconsole_rating_bench` on the server of DATABASE_URL; created if
   missing, migrated), PostgreSQL on loopback only (the checks of bench/pool_import.py).
2. Seeding in SQL (INSERT ... SELECT generate_series), unless the data of an earlier run match
   (`--reseed` forces it): an owner, a published guideline (guidelines.services), an active project
   at overlap 3 whose pool holds `--tasks` SERPs with `--results` results each and a task per SERP
   (12 locales mixed, random shuffle keys), 50 raters (3 locales each, qualified, quota 10,000,
   DRF tokens). Timed on its own, not part of the figures. Once, earlier work in the rating tables
   (seed_history: a completed project judged by the same raters days ago), as a deployment has.
3. gunicorn with the deployment's settings (`-c python:evalconsole.gunicorn`: threaded workers
   that keep connections alive; `--gunicorn-args` for others) and `--workers 2`, DEBUG off, on a
   free loopback port and the bench database; /healthz.
4. A short warm-up, then two runs per concurrency (8, then 50), each after deleting the bench
   project's rating rows (the earlier work stays) and resetting its task counters:
   - flat out: every rater sends next, then submit, then next again at once (`--think-ms` adds a
     pause). This gives the throughput the server sustains: the judgments/s target.
   - paced: the raters together offer `--rate` judgments/s (200, the target) as a Poisson stream,
     each starting a next + submit at its own random times (a rater still busy when a start falls
     due begins at once and is counted late). This gives the next-task latency at the target's
     load: the p95 target. Flat out, 50 raters queue behind one another by construction: with
     every rater always waiting on a request, Little's law makes the mean time of a next + submit
     50 / (judgments/s), about 200 ms at 250/s, whatever the code does.
   The load generator runs in child processes (one per 10 raters, a thread and a keep-alive
   http.client connection per rater), so that raters waiting for one process's GIL do not add
   to the latency. A rater whose next answers 204 stops. CPU of the client, the gunicorn workers
   and the bench's PostgreSQL processes is sampled from /proc. Then the invariants are checked
   in SQL.
5. Queries per next and per submit (counted in-process on the same database), and the plan of
   the queue query; with `--profile`, py-spy on the gunicorn workers and the queries listed.
6. A PASS/MISS table and the Label Studio comparison. gunicorn is always stopped; the seeded
   pool is kept for the next run (the judgments of the last run too).

A benchmark prints figures; it is not a test: it exits 0 when a target is missed, non-zero
only when it could not measure (bad setup, server not starting, a run without a judgment).
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from datetime import date
from pathlib import Path

from bench.pool_import import (
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

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "evalconsole_rating_bench"
RESULT_TAG = "BENCH-RATING "
OWNER = "bench-rating-owner"
RATER_PREFIX = "bench-rater-"
GUIDELINE_SLUG = "bench-rating"
PROJECT_PREFIX = "Rating bench"
# Earlier work kept in the rating tables (another project, judged days ago): see seed_history.
HISTORY_NAME = f"{PROJECT_PREFIX}: earlier work"
HISTORY_MIN_TASKS = 20_000
# Targets from the issue.
TARGET_TASKS = 1_000_000
TARGET_JUDGMENTS_PER_S = 200.0
TARGET_NEXT_P95_MS = 50.0
# Label Studio 1.23 on the same kind of machine (from the issue).
LS_ANNOTATIONS_PER_S = "3-4"
LS_P95_NEXT = "3.7-4.1 s"
LS_DOUBLE_GIVEN = "14-17"
CATEGORIES = ["shopping", "local", "news", "health", "how-to", "travel", "recipes", "finance",
              "entertainment", "sports", "technology", "education", "autos", "jobs", "navigational"]  # fmt: skip
# The deployment's settings (threaded workers that keep connections alive); --workers and --bind
# on the command line override its own.
GUNICORN_ARGS = "-c python:evalconsole.gunicorn"
# Raters per load generator process: one process's threads share a GIL, and a response that waits
# for it is counted as server time (50 raters in one process doubled the p95 of a paced run).
RATERS_PER_CLIENT = 10
CLIENT_BUSY = 0.8  # share of one core above which the client itself may be the bottleneck


class Stop(Exception):
    """SIGTERM: unwind through the finally blocks (gunicorn and the client are stopped)."""


def _on_sigterm(signum, frame):
    raise Stop()


# --- Seeding --------------------------------------------------------------------------------


def project_name(tasks: int, results: int, overlap: int) -> str:
    return f"{PROJECT_PREFIX}: {tasks} tasks x {results} results, overlap {overlap}"


def find_seeded(args):
    """The project of an earlier seeding with the same parameters, if all its data are there."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from projects.models import EvaluationProject, PoolResult, PoolSerp, Task
    from raters.models import RaterProfile

    project = (
        EvaluationProject.objects.filter(name=project_name(args.tasks, args.results, args.overlap))
        .select_related("guideline_version__guideline")
        .first()
    )
    if project is None or project.status != EvaluationProject.Status.ACTIVE:
        return None
    if EvaluationProject.objects.exclude(name=HISTORY_NAME).count() != 1:
        return None
    if Task.objects.filter(project=project, overlap=args.overlap, is_gold=False).count() != args.tasks:
        return None
    if PoolSerp.objects.filter(project=project).count() != args.tasks:
        return None
    if PoolResult.objects.filter(serp__project=project).count() != args.tasks * args.results:
        return None
    raters = get_user_model().objects.filter(username__startswith=RATER_PREFIX)
    if raters.count() != args.raters or Token.objects.filter(user__in=raters).count() != args.raters:
        return None
    qualified = RaterProfile.objects.filter(user__in=raters, qualifications=project.guideline_version.guideline_id)
    if qualified.count() != args.raters:
        return None
    return project


def truncate_all() -> None:
    """Empty every table the app writes (the bench database only), keeping the migrations' rows."""
    from django.db import connection

    assert "bench" in connection.settings_dict["NAME"], connection.settings_dict["NAME"]
    keep = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(row[0] for row in cursor.fetchall() if row[0] not in keep)
        cursor.execute("SET lock_timeout = '30s'")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute("RESET lock_timeout")


def seed(args) -> tuple[object, dict]:
    """Owner, guideline, project, pool, tasks and raters; returns the project and phase times."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from guidelines.services import guideline_create, version_publish
    from projects.models import EvaluationProject, SamplingRun
    from projects.services import project_create, project_transition
    from raters.models import RaterProfile

    User = get_user_model()
    phases = {}
    started = time.perf_counter()
    truncate_all()
    phases["truncate"] = time.perf_counter() - started

    started = time.perf_counter()
    owner = User.objects.create_user(username=OWNER, email="bench-rating@example.com")
    guideline = guideline_create(owner=owner, name="Bench rating load", slug=GUIDELINE_SLUG)
    version = version_publish(version=guideline.versions.get(number=1))
    tags = [tag for tag, _, _, _ in LOCALES]
    project = project_create(
        owner=owner, name=project_name(args.tasks, args.results, args.overlap), guideline_version=version,
        locales=tags, overlap=args.overlap,
    )  # fmt: skip
    run = SamplingRun.objects.create(
        project=project, strategy="uniform", size=args.tasks, seed=1, created_by=owner, tasks_made=args.tasks
    )
    cumulative, total = [], 0.0
    for _, share, _, _ in LOCALES[:-1]:
        total += share
        cumulative.append(round(total, 6))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # The rows are consistent by construction (their ids come from the SELECTs), so the
            # deferred foreign-key checks of millions of rows are skipped for this transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(0.2024)")
        started_pool = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO projects_poolserp (project_id, query_id, query, locale, category, traffic, variant)
            SELECT %(project)s, 'q' || lpad(n::text, 7, '0'),
                   'bench query ' || n || ' '
                       || (ARRAY['best', 'cheap', 'near me', 'how to', 'review', 'price'])[1 + n %% 6],
                   (%(locales)s::text[])[1 + width_bucket(random(), %(cumulative)s::float8[])],
                   (%(categories)s::text[])[1 + n %% %(ncat)s],
                   round((1e6 / (1 + floor(random() * %(tasks)s)) ^ 1.07)::numeric, 3), ''
            FROM generate_series(1, %(tasks)s) AS n
            """,
            {"project": project.pk, "locales": tags, "cumulative": cumulative, "categories": CATEGORIES,
             "ncat": len(CATEGORIES), "tasks": args.tasks},
        )  # fmt: skip
        phases["pool SERPs"] = time.perf_counter() - started_pool
        started_pool = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO projects_poolresult (serp_id, rank, doc_id, title, url, snippet, media_type,
                                             thumbnail_url, sensitive)
            SELECT s.id, r, 'd' || s.id || '-' || r,
                   'Result ' || r || ' for ' || s.query,
                   'https://www.site' || (s.id * 7 + r) %% 400 || '.example/' || s.query_id || '/' || r,
                   'A snippet of about a hundred and twenty characters that says what the page is about, '
                       || 'for ' || s.query || '.',
                   'web', '', false
            FROM projects_poolserp s CROSS JOIN generate_series(1, %(results)s) AS r
            WHERE s.project_id = %(project)s
            """,
            {"project": project.pk, "results": args.results},
        )
        phases["pool results"] = time.perf_counter() - started_pool
        started_pool = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO projects_task (project_id, sampling_run_id, serp_id, serp_b_id, query_id, locale, category,
                                       stratum, inclusion_probability, priority, overlap, is_gold, gold_answers,
                                       has_sensitive, judgment_count, lease_count, shuffle)
            SELECT s.project_id, %(run)s, s.id, NULL, s.query_id, s.locale, s.category, '', %(probability)s, 0,
                   %(overlap)s, false, NULL, false, 0, 0, floor(random() * 2147483647)::int
            FROM projects_poolserp s WHERE s.project_id = %(project)s ORDER BY s.id
            """,
            {"project": project.pk, "run": run.pk, "overlap": args.overlap, "probability": 1.0},
        )
        phases["tasks"] = time.perf_counter() - started_pool
    project = project_transition(project=project, action="activate")
    phases["pool, tasks"] = time.perf_counter() - started

    started = time.perf_counter()
    group, _ = Group.objects.get_or_create(name="rater")
    raters = User.objects.bulk_create(
        [User(username=f"{RATER_PREFIX}{n:02d}", email=f"rater{n:02d}@bench.example") for n in range(args.raters)]
    )
    for user in raters:
        user.set_unusable_password()
    User.objects.bulk_update(raters, ["password"])
    User.groups.through.objects.bulk_create([User.groups.through(user=user, group=group) for user in raters])
    others = tags[1:]
    profiles = RaterProfile.objects.bulk_create(
        [
            RaterProfile(
                user=user,
                locales=[tags[0], others[n % len(others)], others[(n + 4) % len(others)]],
                daily_quota=10_000,
            )  # fmt: skip
            for n, user in enumerate(raters)
        ]
    )
    RaterProfile.qualifications.through.objects.bulk_create(
        [RaterProfile.qualifications.through(raterprofile=profile, guideline=guideline) for profile in profiles]
    )
    import secrets

    Token.objects.bulk_create([Token(key=secrets.token_hex(20), user=user) for user in raters])
    phases["raters"] = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("projects_poolserp", "projects_poolresult", "projects_task", "auth_user", "raters_raterprofile"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    phases["vacuum analyze"] = time.perf_counter() - started
    project = EvaluationProject.objects.select_related("guideline_version__guideline").get(pk=project.pk)
    return project, phases


def reset_work(project) -> None:
    """Delete the bench project's rating rows and reset its task counters: every run starts from the
    same queue. The earlier work (seed_history) stays, as a deployment's tables are never empty."""
    from django.db import connection

    assert "bench" in connection.settings_dict["NAME"], connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '30s'")
        judgments = "SELECT id FROM raters_judgment WHERE project_id = %(p)s"
        assignments = "SELECT id FROM raters_assignment WHERE project_id = %(p)s"
        cursor.execute(f"DELETE FROM raters_resultanswer WHERE judgment_id IN ({judgments})", {"p": project.pk})
        cursor.execute(f"DELETE FROM raters_sensitivereveal WHERE assignment_id IN ({assignments})", {"p": project.pk})
        cursor.execute("DELETE FROM raters_judgment WHERE project_id = %(p)s", {"p": project.pk})
        cursor.execute("DELETE FROM raters_assignment WHERE project_id = %(p)s", {"p": project.pk})
        cursor.execute("RESET lock_timeout")
        cursor.execute(
            "UPDATE projects_task SET judgment_count = 0, lease_count = 0 "
            "WHERE project_id = %s AND (judgment_count <> 0 OR lease_count <> 0)",
            [project.pk],
        )
        for table in ("projects_task", "raters_assignment", "raters_judgment", "raters_resultanswer"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def history_judgments(project) -> int:
    from raters.models import Judgment

    return Judgment.objects.exclude(project=project).count()


def seed_history(project, args) -> float | None:
    """Earlier work in the rating tables, once: a completed project judged by the same raters days ago.

    A run on empty rating tables measures a state no deployment is in for long: PostgreSQL plans
    the foreign-key checks and the prepared statements for empty tables (sequential scans) and
    keeps those plans while the tables grow under the run. Returns the seconds taken, or None when
    the history was there already. Sized at a twentieth of the pool (at least 20,000 tasks), each
    judged by 3 raters with 3 answers per judgment; dated two days back, so today's counts ignore it.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from projects.models import EvaluationProject, SamplingRun
    from projects.services import project_create

    if EvaluationProject.objects.filter(name=HISTORY_NAME).exists():
        return None
    started = time.perf_counter()
    size = max(HISTORY_MIN_TASKS, args.tasks // 20)
    raters = list(
        get_user_model().objects.filter(username__startswith=RATER_PREFIX).order_by("pk").values_list("pk", flat=True)
    )
    if len(raters) < 3:
        fail("the earlier work needs at least 3 raters (--raters)")
    with transaction.atomic():
        history = project_create(
            owner=project.owner, name=HISTORY_NAME, guideline_version=project.guideline_version,
            locales=project.locales, overlap=3,
        )  # fmt: skip
        run = SamplingRun.objects.create(
            project=history, strategy="uniform", size=size, seed=2, created_by=project.owner, tasks_made=size
        )
        params = {"h": history.pk, "run": run.pk, "size": size, "raters": raters, "n": len(raters),
                  "version": project.guideline_version_id}  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO projects_poolserp (project_id, query_id, query, locale, category, traffic, variant) "
                "SELECT %(h)s, 'h' || lpad(n::text, 7, '0'), 'earlier query ' || n, 'en-US', 'shopping', 1, '' "
                "FROM generate_series(1, %(size)s) AS n",
                params,
            )
            cursor.execute(
                "INSERT INTO projects_poolresult (serp_id, rank, doc_id, title, url, snippet, media_type, "
                "thumbnail_url, sensitive) "
                "SELECT s.id, r, 'h' || s.id || '-' || r, 'Earlier result ' || r, "
                "'https://earlier.example/' || s.id || '/' || r, 'An earlier snippet.', 'web', '', false "
                "FROM projects_poolserp s CROSS JOIN generate_series(1, 3) AS r WHERE s.project_id = %(h)s",
                params,
            )
            cursor.execute(
                "INSERT INTO projects_task (project_id, sampling_run_id, serp_id, serp_b_id, query_id, locale, "
                "category, stratum, inclusion_probability, priority, overlap, is_gold, gold_answers, has_sensitive, "
                "judgment_count, lease_count, shuffle) "
                "SELECT s.project_id, %(run)s, s.id, NULL, s.query_id, s.locale, s.category, '', 1.0, 0, 3, false, "
                "NULL, false, 3, 0, s.id FROM projects_poolserp s WHERE s.project_id = %(h)s ORDER BY s.id",
                params,
            )
            # Three raters per task (offsets 0, n/3, 2n/3 in the rater list: never the same one twice).
            cursor.execute(
                "INSERT INTO raters_assignment (task_id, project_id, rater_id, status, is_gold, has_sensitive, "
                "swapped, leased_at, expires_at, finished_at, skip_reason) "
                "SELECT t.id, t.project_id, (%(raters)s::bigint[])[1 + (t.id + k * (%(n)s / 3)) %% %(n)s], "
                "'submitted', false, false, false, at, at + interval '10 minutes', at + interval '1 minute', '' "
                "FROM projects_task t CROSS JOIN generate_series(0, 2) AS k "
                "CROSS JOIN LATERAL (SELECT now() - interval '2 days' - t.id * interval '1 second' AS at) w "
                "WHERE t.project_id = %(h)s ORDER BY t.id, k",
                params,
            )
            cursor.execute(
                "INSERT INTO raters_judgment (assignment_id, task_id, project_id, rater_id, guideline_version_id, "
                "submission_id, page, cannot_judge, active_ms, is_gold, created_at) "
                "SELECT a.id, a.task_id, a.project_id, a.rater_id, %(version)s, md5(a.id::text)::uuid, "
                "'{\"satisfaction\": 3}'::jsonb, '', 30000, false, a.finished_at "
                "FROM raters_assignment a WHERE a.project_id = %(h)s ORDER BY a.id",
                params,
            )
            cursor.execute(
                "INSERT INTO raters_resultanswer (judgment_id, serp_id, doc_id, question, value, text) "
                "SELECT j.id, r.serp_id, r.doc_id, 'relevance', 2, '' FROM raters_judgment j "
                "JOIN projects_task t ON t.id = j.task_id JOIN projects_poolresult r ON r.serp_id = t.serp_id "
                "WHERE j.project_id = %(h)s ORDER BY j.id, r.rank",
                params,
            )
        EvaluationProject.objects.filter(pk=history.pk).update(status=EvaluationProject.Status.COMPLETED)
    with connection.cursor() as cursor:
        for table in ("projects_poolserp", "projects_poolresult", "projects_task", "raters_assignment",
                      "raters_judgment", "raters_resultanswer"):  # fmt: skip
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started


def rater_tokens(count: int) -> list[str]:
    from rest_framework.authtoken.models import Token

    tokens = list(
        Token.objects.filter(user__username__startswith=RATER_PREFIX)
        .order_by("user__username")
        .values_list("key", flat=True)
    )
    if len(tokens) < count:
        fail(f"{len(tokens)} rater tokens seeded, {count} needed; run with --reseed.")
    return tokens


# --- Invariants -------------------------------------------------------------------------------


def check_invariants(project, submits_ok: int) -> dict[str, int]:
    """Violations by kind (0 everywhere is the target)."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM projects_task WHERE project_id = %s AND NOT is_gold "
            "AND judgment_count + lease_count > overlap",
            [project.pk],
        )
        counts["tasks over overlap (judgments + leases)"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM raters_assignment WHERE project_id = %s "
            "GROUP BY task_id, rater_id HAVING count(*) > 1) AS d",
            [project.pk],
        )
        counts["(task, rater) leased twice"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM raters_judgment WHERE project_id = %s "
            "GROUP BY task_id, rater_id HAVING count(*) > 1) AS d",
            [project.pk],
        )
        counts["(task, rater) judged twice"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM raters_judgment WHERE project_id = %s", [project.pk])
        judgments = cursor.fetchone()[0]
        counts["judgments - successful submits"] = abs(judgments - submits_ok)
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE t.judgment_count <> coalesce(j.n, 0)),
                   count(*) FILTER (WHERE NOT t.is_gold AND t.lease_count <> coalesce(a.n, 0))
            FROM projects_task t
            LEFT JOIN (SELECT task_id, count(*) AS n FROM raters_judgment WHERE project_id = %(p)s
                       GROUP BY task_id) j ON j.task_id = t.id
            LEFT JOIN (SELECT task_id, count(*) AS n FROM raters_assignment WHERE project_id = %(p)s
                       AND status = 'leased' GROUP BY task_id) a ON a.task_id = t.id
            WHERE t.project_id = %(p)s
            """,
            {"p": project.pk},
        )
        judged, leased = cursor.fetchone()
        counts["task.judgment_count != its judgments"] = judged
        counts["task.lease_count != its live leases"] = leased
        cursor.execute(
            "SELECT count(*) FROM raters_judgment j JOIN raters_assignment a ON a.id = j.assignment_id "
            "WHERE j.project_id = %s "
            "AND (a.task_id <> j.task_id OR a.rater_id <> j.rater_id OR a.status <> 'submitted')",
            [project.pk],
        )
        counts["judgment not matching its assignment"] = cursor.fetchone()[0]
    counts["_judgments"] = judgments
    return counts


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on loopback, in its own process group so it and its workers are always stopped."""

    def __init__(self, env: dict, workers: int, workdir: Path):
        self.env, self.workers = env, workers
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        self.process = None

    def start(self, timeout: float = 60.0) -> None:
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        if not gunicorn.exists():
            gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "evalconsole.wsgi", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}"]  # fmt: skip
        extra = self.env.get("GUNICORN_CMD_ARGS")
        print(
            f"starting {' '.join(command)}"
            + (f" with GUNICORN_CMD_ARGS={extra!r}" if extra else "")
            + f" (log: {self.log})",
            flush=True,
        )
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"gunicorn exited with {self.process.returncode} while starting:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                    body = json.loads(response.read())
                    if response.status == 200 and body.get("status") == "ok":
                        print(f"  gunicorn up on 127.0.0.1:{self.port}: {body}", flush=True)
                        return
            except OSError:
                pass
            time.sleep(0.25)
        fail(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.kill(self.process.pid, signal.SIGTERM)  # graceful: the master stops its workers
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own group: started with start_new_session
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        print("gunicorn stopped", flush=True)


# --- CPU accounting from /proc ------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children_of(parent: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and fields[1] == str(parent):
                pids.append(int(entry))
    return pids


def machine_busy_ticks() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


class CpuMonitor(threading.Thread):
    """Samples the CPU time of the gunicorn master and workers and of the PostgreSQL processes
    working on the bench database (backends come and go with CONN_MAX_AGE: sampled twice a second)."""

    def __init__(self, server: Server, postmaster: int | None, db_name: str):
        super().__init__(daemon=True)
        self.server, self.postmaster, self.db_name = server, postmaster, db_name
        self.first, self.last = {"gunicorn": {}, "postgres": {}}, {"gunicorn": {}, "postgres": {}}
        self.halt = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def sample(self, initial: bool = False) -> None:
        groups = {"gunicorn": [self.server.process.pid, *self.server.worker_pids()], "postgres": []}
        if self.postmaster:
            for pid in children_of(self.postmaster):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if f" {self.db_name} " in f"{cmdline} ":
                    groups["postgres"].append(pid)
        for group, pids in groups.items():
            for pid in pids:
                seconds = _proc_cpu_seconds(pid)
                if seconds is None:
                    continue
                # A process born during the run counts from zero.
                self.first[group].setdefault(pid, seconds if initial else 0.0)
                self.last[group][pid] = seconds

    def run(self):
        while not self.halt.wait(0.5):
            self.sample()

    def __enter__(self):
        self.sample(initial=True)
        self.busy0 = machine_busy_ticks()
        self.start()
        return self

    def __exit__(self, *exc):
        self.halt.set()
        self.join()
        self.sample()
        busy1 = machine_busy_ticks()
        self.busy_s = (busy1[0] - self.busy0[0]) / self.tick
        self.capacity_s = (busy1[1] - self.busy0[1]) / self.tick
        return False

    def seconds(self, group: str) -> float:
        return sum(self.last[group][pid] - self.first[group][pid] for pid in self.last[group])


SPEED_LOOP = 5_000_000


def box_speed_ms() -> float:
    """How long a fixed pure-Python loop takes on one core now (the median of three), with the server idle.

    This box is a shared virtual machine: the same code has measured a fifth or more slower from one
    hour to the next. Printed beside each run, it tells a slower box from slower code.
    """
    times = []
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for number in range(SPEED_LOOP):
            total += number
        times.append(time.perf_counter() - started)
    return 1000 * sorted(times)[1]


def postmaster_pid() -> int | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        fields = _stat_fields(cursor.fetchone()[0])
    return int(fields[1]) if fields else None


# --- The load generator (a child process) ---------------------------------------------------------


def load_child(config: dict) -> None:
    """Raters as threads, each with its own connection; prints the figures as one JSON line."""
    import http.client
    import resource
    import uuid

    port, project = config["port"], config["project"]
    sys.setswitchinterval(0.001)  # a thread whose response has come waits at most 1 ms for the GIL, not 5
    start_at, seconds, think = config["start_at"], config["seconds"], config["think_ms"] / 1000
    # Paced: each rater starts a next + submit at times spaced Exp(period) apart, so that together
    # they offer `rate` judgments/s as a Poisson stream; a rater still busy when its next start is
    # due begins at once (counted as late), so a slow server falls behind rather than being spared.
    period = len(config["tokens"]) / config["rate"] if config.get("rate") else 0.0
    next_path = f"/api/v1/projects/{project}/next/"
    outcomes = []

    def rater(token: str, out: dict) -> None:
        rng = random.Random(token)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
        post_json = {**auth, "Content-Type": "application/json"}
        delay = start_at - time.time()
        if delay > 0:
            time.sleep(delay)
        deadline = time.perf_counter() + max(0.0, seconds - max(0.0, time.time() - start_at))
        due = time.perf_counter() + (rng.expovariate(1 / period) if period else 0.0)

        def call(path, body, headers):
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                return None, f"{exc.__class__.__name__}: {exc}".encode()

        def error(what, status, body):
            out["errors"] += 1
            key = f"{what} {status}"
            out["error_kinds"][key] = out["error_kinds"].get(key, 0) + 1
            if len(out["error_samples"]) < 3:
                out["error_samples"].append(f"{key}: {body[:300].decode(errors='replace')}")
            time.sleep(0.05)  # a failing server is not hammered in a tight loop

        while time.perf_counter() < deadline:
            if period:
                now = time.perf_counter()
                if due >= deadline:
                    time.sleep(max(0.0, deadline - now))
                    break
                if due > now:
                    time.sleep(due - now)
                elif due < now - 0.001:
                    out["late"] += 1
                due += rng.expovariate(1 / period)
            started = time.perf_counter()
            status, body = call(next_path, b"", auth)
            elapsed = (time.perf_counter() - started) * 1000
            if status == 204:
                out["next_ms"].append(elapsed)
                out["empty"] = True
                break
            if status != 200:
                error("next", status, body)
                continue
            out["next_ms"].append(elapsed)
            lease = json.loads(body)
            docs = [result["doc_id"] for serp in lease["serps"] for result in serp["results"]]
            payload = {
                "submission_id": str(uuid.uuid4()),
                "page": {"satisfaction": rng.randint(1, 5)},
                "results": {doc: {"relevance": rng.randint(0, 4)} for doc in docs},
                "active_ms": rng.randint(5_000, 90_000),
            }
            started = time.perf_counter()
            status, body = call(f"/api/v1/assignments/{lease['id']}/submit/", json.dumps(payload).encode(), post_json)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 201:
                error("submit", status, body)
                continue
            out["submit_ms"].append(elapsed)
            out["judged"] += 1
            if think:
                time.sleep(rng.uniform(0.5, 1.5) * think)
        conn.close()

    threads = []
    for token in config["tokens"]:
        out = {"next_ms": [], "submit_ms": [], "judged": 0, "errors": 0, "error_kinds": {}, "error_samples": [],
               "empty": False, "late": 0}  # fmt: skip
        outcomes.append(out)
        threads.append(threading.Thread(target=rater, args=(token, out), daemon=True))
    for thread in threads:
        thread.start()
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0, wall0 = usage.ru_utime + usage.ru_stime, time.perf_counter()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures = {
        "wall_s": time.perf_counter() - wall0,
        "cpu_s": usage.ru_utime + usage.ru_stime - cpu0,
        "next_ms": [round(v, 3) for out in outcomes for v in out["next_ms"]],
        "submit_ms": [round(v, 3) for out in outcomes for v in out["submit_ms"]],
        "judged": sum(out["judged"] for out in outcomes),
        "errors": sum(out["errors"] for out in outcomes),
        "error_kinds": {},
        "error_samples": [sample for out in outcomes for sample in out["error_samples"]][:5],
        "raters_out_of_tasks": sum(out["empty"] for out in outcomes),
        "late": sum(out["late"] for out in outcomes),
    }
    for out in outcomes:
        for key, count in out["error_kinds"].items():
            figures["error_kinds"][key] = figures["error_kinds"].get(key, 0) + count
    print(RESULT_TAG + json.dumps(figures), flush=True)


def run_load(*, port: int, project_id: int, tokens: list[str], seconds: float, think_ms: float,
             processes: int, workdir: Path, rate: float = 0.0) -> dict:  # fmt: skip
    """Start the client process(es), wait for them, merge their figures."""
    start_at = time.time() + 1.0 + 0.2 * processes  # threads and connections ready before the clock starts
    children = []
    try:
        for index in range(processes):
            config = {"port": port, "project": project_id, "tokens": tokens[index::processes],
                      "start_at": start_at, "seconds": seconds, "think_ms": think_ms,
                      "rate": rate * len(tokens[index::processes]) / len(tokens)}  # fmt: skip
            path = workdir / f"client-{index}.json"
            path.write_text(json.dumps(config))
            path.chmod(0o600)
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.rating_load", "--load-child", str(path)],
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    text=True,
                )  # fmt: skip
            )
        merged = None
        for child in children:
            try:
                output, _ = child.communicate(timeout=seconds + 120)
            except subprocess.TimeoutExpired:
                fail("the load generator did not stop in time; stopped it.", 3)
            figures = None
            for line in output.splitlines():
                if line.startswith(RESULT_TAG):
                    figures = json.loads(line[len(RESULT_TAG) :])
                elif line.strip():
                    print(f"  [client] {line}")
            if child.returncode or figures is None:
                fail(f"the load generator exited with {child.returncode} without figures.", 3)
            if merged is None:
                merged = figures
                continue
            merged["wall_s"] = max(merged["wall_s"], figures["wall_s"])
            for key in ("cpu_s", "judged", "errors", "raters_out_of_tasks", "late"):
                merged[key] += figures[key]
            for key in ("next_ms", "submit_ms", "error_samples"):
                merged[key] += figures[key]
            for key, count in figures["error_kinds"].items():
                merged["error_kinds"][key] = merged["error_kinds"].get(key, 0) + count
        return merged
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))  # nearest rank
    return ordered[index]


# --- Where the time goes ---------------------------------------------------------------------------


class _Recorder:
    """connection.execute_wrapper: each query's SQL (parameters inlined by the driver) and time."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            cursor = context["cursor"].cursor
            text = cursor.query.decode(errors="replace") if getattr(cursor, "query", None) else str(sql)
            self.queries.append({"sql": text, "ms": 1000 * elapsed})


def count_queries(project, username: str, cycles: int = 5) -> dict:
    """Queries of next and submit as the API runs them (in this process, on the bench database)."""
    import uuid

    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.test import APIClient

    from projects.models import PoolResult
    from raters.models import Assignment

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic for the bench
    rater = get_user_model().objects.get(username=username)
    client = APIClient(SERVER_NAME="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {rater.auth_token.key}")
    found = {"next": [], "submit": []}
    for _ in range(cycles):
        nxt = _Recorder()
        started = time.perf_counter()
        with connection.execute_wrapper(nxt):
            response = client.post(f"/api/v1/projects/{project.pk}/next/")
        found.setdefault("next_request_ms", []).append(1000 * (time.perf_counter() - started))
        if response.status_code != 200:
            found["error"] = f"next answered {response.status_code}: {response.content[:200]!r}"
            break
        assignment = Assignment.objects.select_related("task").get(pk=response.json()["id"])
        docs = PoolResult.objects.filter(serp_id=assignment.task.serp_id).values_list("doc_id", flat=True)
        payload = {"submission_id": str(uuid.uuid4()), "page": {"satisfaction": 4},
                   "results": {doc: {"relevance": 2} for doc in docs}, "active_ms": 30_000}  # fmt: skip
        sub = _Recorder()
        started = time.perf_counter()
        with connection.execute_wrapper(sub):
            response = client.post(f"/api/v1/assignments/{assignment.pk}/submit/", payload, format="json")
        found.setdefault("submit_request_ms", []).append(1000 * (time.perf_counter() - started))
        if response.status_code != 201:
            found["error"] = f"submit answered {response.status_code}: {response.content[:200]!r}"
            break
        found["next"].append(nxt.queries)
        found["submit"].append(sub.queries)
    return found


def plan_times(sql: str) -> tuple[float | None, float | None]:
    """PostgreSQL's planning and execution time of one captured query (run, then rolled back)."""
    from django.db import connection, transaction

    word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if word not in ("SELECT", "UPDATE", "INSERT", "DELETE"):
        return None, None
    analyze = "ANALYZE, " if word == "SELECT" else ""  # writes: planning only (a rerun could collide)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ({analyze}SUMMARY) {sql.replace('%', '%%')}")
                lines = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
    except Exception:  # noqa: BLE001 - a figure less, not a failed benchmark
        return None, None

    def value(label):
        found = [line for line in lines if line.strip().startswith(label)]
        return float(found[0].split(":")[1].split()[0]) if found else None

    return value("Planning Time"), value("Execution Time")


def explain_queue(project, username: str) -> tuple[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the queue query of raters/engine.py for one rater (rolled back)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from raters import engine
    from raters.models import RaterProfile

    rater = get_user_model().objects.get(username=username)
    profile = RaterProfile.objects.get(user=rater)
    locales = list(profile.locales)
    sql = engine._queue_sql(locales=locales, gold=False, allow_sensitive=True)
    params = [project.pk, False, *locales, rater.pk]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            shown = cursor.mogrify(sql, params).decode()
        transaction.set_rollback(True)
    return shown, plan


def _shape(sql: str) -> str:
    """A query's first word and its main table, for a short listing."""
    import re

    head = sql.strip().split()[0].upper() if sql.strip() else "?"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_]+)"?', sql, re.I)
    return f"{head} {table.group(1) if table else ''}".strip()


def print_queries(found: dict, verbose: bool) -> dict:
    summary = {}
    if found.get("error"):
        print(f"  (query count incomplete: {found['error']})")
    for kind in ("next", "submit"):
        runs = found.get(kind) or []
        if not runs:
            continue
        counts = [len(run) for run in runs]
        wall = [sum(q["ms"] for q in run) for run in runs]
        request = sorted(found.get(f"{kind}_request_ms") or [0.0])
        summary[kind] = {"queries": counts, "db_ms": wall, "request_ms": request}
        print(
            f"  {kind}: {min(counts)}-{max(counts)} queries per request, {min(wall):.1f}-{max(wall):.1f} ms of "
            f"{request[0]:.1f}-{request[-1]:.1f} ms in the driver (one request at a time, in-process, idle server)"
        )
        if verbose:
            print("      driver   plan   exec  (ms; plan/exec from EXPLAIN on the same state)")
            planned = 0.0
            for query in runs[-1]:
                plan, execute = plan_times(query["sql"])
                planned += plan or 0.0
                cells = [f"{v:6.2f}" if v is not None else "     -" for v in (plan, execute)]
                print(f"    {query['ms']:6.2f} {cells[0]} {cells[1]}  {_shape(query['sql']):32} {query['sql'][:110]}")
            print(f"    planning, all queries of one {kind}: {planned:.2f} ms")
    return summary


def profile_server(server: Server, workdir: Path, seconds: float, label: str):
    """py-spy on the gunicorn master and its workers for the run: CPU samples (waits are not sampled)."""
    import shutil

    py_spy = os.environ.get("BENCH_PY_SPY") or shutil.which("py-spy") or "/tmp/bench-tools/bin/py-spy"
    if not Path(py_spy).exists():
        fail("--profile needs py-spy on PATH or BENCH_PY_SPY=/path/to/py-spy (see bench/README.md).")
    output = workdir / f"server-{label}.folded"
    command = [py_spy, "record", "--pid", str(server.process.pid), "--subprocesses", "--rate", "100",
               "--format", "raw", "--nonblocking", "--duration", str(int(seconds) + 1),
               "--output", str(output)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return process, output


# Frames whose inclusive share says where a request's CPU goes (name, file suffix).
FRAMES_OF_INTEREST = [
    ("NextApi.post", "raters/api.py"),
    ("lease_next", "raters/engine.py"),
    ("_standing", "raters/engine.py"),
    ("_lease_one_statement", "raters/engine.py"),
    ("expire_leases", "raters/engine.py"),
    ("TokenWithRolesAuthentication.authenticate_credentials", "evalconsole/authentication.py"),
    ("get_assignment_for_user", "evalconsole/access.py"),
    ("get_project_for_rater", "evalconsole/access.py"),
    ("Serializer.data", "rest_framework/serializers.py"),
    ("SubmitApi.post", "raters/api.py"),
    ("judgment_submit", "raters/services.py"),
    ("validate_answers", "guidelines/answers.py"),
    ("TokenAuthentication.authenticate", "rest_framework/authentication.py"),
    ("JSONRenderer.render", "rest_framework/renderers.py"),
    ("SQLCompiler.as_sql", "sql/compiler.py"),
    ("SQLCompiler.execute_sql", "sql/compiler.py"),
    ("CursorWrapper._execute", "backends/utils.py"),
    ("Model.from_db", "models/base.py"),
    ("QuerySet._clone", "models/query.py"),
    ("Atomic.__exit__", "db/transaction.py"),
]


def summarize_py_spy(path: Path, limit: int = 20) -> None:
    """Share of the workers' CPU samples by function, within request handling."""
    if not path.exists():
        print("  py-spy wrote no profile")
        return
    inclusive, own, total, outside = {}, {}, 0, 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        if "handle_request" not in stack:
            outside += int(count)  # accepting connections, the master
            continue
        count = int(count)
        total += count
        frames = []
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            file = where.split(":")[0].rsplit("/", 2)
            frames.append(f"{name} ({'/'.join(file[-2:])})")
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    if not total:
        print("  py-spy recorded no samples inside requests")
        return
    print(f"  {total} CPU samples of the workers inside requests ({outside} outside: accept, master)")
    print("  inclusive share of some functions:")
    for name, suffix in FRAMES_OF_INTEREST:
        count = sum(c for frame, c in inclusive.items() if frame.startswith(f"{name} (") and suffix in frame)
        if count:
            print(f"    {100 * count / total:5.1f}%  {name} ({suffix})")
    print("  top by own time (leaf):")
    for frame, count in sorted(own.items(), key=lambda item: -item[1])[:limit]:
        print(f"    {100 * count / total:5.1f}%  {frame}")


# --- Main ------------------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rating_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=TARGET_TASKS, help="tasks in the project (default 1000000)")
    parser.add_argument("--results", type=int, default=3, help="results per SERP to rate (default 3)")
    parser.add_argument("--overlap", type=int, default=3, help="judgments wanted per task (default 3)")
    parser.add_argument("--raters", type=int, default=50, help="rater accounts seeded (default 50)")
    parser.add_argument("--concurrency", default="8,50", help="concurrent raters per run (default 8,50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=0,
        help=f"load generator processes (default 0: one per {RATERS_PER_CLIENT} raters)",
    )
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="mean pause after a submit in the runs without pacing (default 0)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=TARGET_JUDGMENTS_PER_S,
        help="judgments/s the raters offer together in the paced runs; 0: no paced runs "
        f"(default {TARGET_JUDGMENTS_PER_S:.0f})",
    )
    parser.add_argument(
        "--gunicorn-args",
        default=GUNICORN_ARGS,
        help=f"GUNICORN_CMD_ARGS for the server (default {GUNICORN_ARGS!r}, the deployment's)",
    )
    parser.add_argument("--reseed", action="store_true", help="seed again even if matching data are there")
    parser.add_argument("--profile", action="store_true", help="py-spy the gunicorn workers, list the queries")
    parser.add_argument("--db-name", default=BENCH_DB, help=f"bench database name (default {BENCH_DB})")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--load-child", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.load_child:
        load_child(json.loads(Path(args.load_child).read_text()))
        return
    try:
        args.concurrency = [int(value) for value in args.concurrency.split(",") if value.strip()]
    except ValueError:
        fail("--concurrency is a comma-separated list of numbers, e.g. 8,50")
    if not 1 <= args.tasks <= 5_000_000 or not 1 <= args.results <= 20 or not 1 <= args.overlap <= 50:
        fail("--tasks must be 1..5000000, --results 1..20, --overlap 1..50")
    if not 1 <= args.raters <= 500 or not args.concurrency or not all(1 <= c <= args.raters for c in args.concurrency):
        fail(f"--raters must be 1..500 and each --concurrency 1..--raters ({args.raters})")
    if not 1 <= args.seconds <= 600 or not 1 <= args.workers <= 16 or not 0 <= args.client_processes <= 8:
        fail("--seconds must be 1..600, --workers 1..16, --client-processes 0..8")
    if not 0 <= args.rate <= 10_000 or args.think_ms < 0:
        fail("--rate must be 0..10000 judgments/s and --think-ms 0 or more")

    # The make target's environment; set here too so a direct run measures the same configuration.
    for name, value in (("SECRET_KEY", "insecure-bench-only-key"), ("HTTPS", "false"), ("CELERY_EAGER", "true"),
                        ("STATIC_MANIFEST", "false"), ("ALLOWED_HOSTS", "127.0.0.1,localhost")):  # fmt: skip
        os.environ.setdefault(name, value)
    env = bench_env(args.db_name)
    env["DEBUG"] = "false"
    env["GUNICORN_CMD_ARGS"] = args.gunicorn_args
    signal.signal(signal.SIGTERM, _on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="evalconsole-rating-bench-"))
    env["MEDIA_ROOT"] = str(workdir / "media")
    server = Server(env, args.workers, workdir)
    try:
        run(args, env, server, workdir)
    except Stop:
        fail("stopped (SIGTERM).", 3)
    finally:
        server.stop()
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def run(args, env: dict, server: Server, workdir: Path) -> None:
    ensure_database(env)
    django_setup(env)
    from django.db import connection

    claim_bench_database("rating")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    # --- Seed (or reuse)
    seed_phases = None
    project = None if args.reseed else find_seeded(args)
    if project is None:
        print(f"\nseeding {args.tasks:,} tasks x {args.results} results, {args.raters} raters ...", flush=True)
        started = time.perf_counter()
        project, seed_phases = seed(args)
        seed_s = time.perf_counter() - started
        print(
            f"  seeded in {seed_s:.1f} s: " + "; ".join(f"{name} {value:.1f} s" for name, value in seed_phases.items()),
            flush=True,
        )
    else:
        seed_s = None
        print(f"\nreusing the seeded project {project.pk} ({project.name}); --reseed to seed again", flush=True)
    history_s = seed_history(project, args)
    if history_s is not None:
        print(f"  earlier work for the rating tables seeded in {history_s:.1f} s", flush=True)
    tokens = rater_tokens(args.raters)
    postmaster = postmaster_pid()

    # --- Server, warm-up
    server.start()
    reset_work(project)
    warm = run_load(
        port=server.port, project_id=project.pk, tokens=tokens[:2], seconds=2, think_ms=0, processes=1, workdir=workdir
    )
    if not warm["judged"]:
        fail(
            f"the warm-up made no judgment: {warm['error_kinds']} {warm['error_samples']}\n{server.log_tail()}",
            3,
        )
    print(f"  warm-up: {warm['judged']} judgments by 2 raters in 2 s", flush=True)

    # Each concurrency runs twice: flat out (no pause unless --think-ms), which gives the throughput the
    # server can sustain, then paced at --rate, which gives the next-task latency at that load.
    plan_of_runs = [(c, 0.0) for c in args.concurrency]
    if args.rate:
        plan_of_runs = [(c, rate) for c in args.concurrency for rate in (0.0, args.rate)]
    runs = []
    for concurrency, rate in plan_of_runs:
        reset_work(project)
        how = (
            f"paced at {rate:g} judgments/s in all"
            if rate
            else (f"think time {args.think_ms:g} ms" if args.think_ms else "flat out")
        )
        print(f"\n{concurrency} raters, next + submit for {args.seconds:g} s, {how} ...", flush=True)
        label = f"{concurrency}-{'paced' if rate else 'flat'}"
        speed_ms = box_speed_ms()
        spy = profile_server(server, workdir, args.seconds, label) if args.profile else None
        processes = args.client_processes or min(8, -(-concurrency // RATERS_PER_CLIENT))
        with CpuMonitor(server, postmaster, args.db_name) as monitor:
            figures = run_load(
                port=server.port, project_id=project.pk, tokens=tokens[:concurrency], seconds=args.seconds,
                think_ms=0.0 if rate else args.think_ms, processes=processes, workdir=workdir, rate=rate,
            )  # fmt: skip
        if spy is not None:
            spy[0].wait(timeout=60)
        started = time.perf_counter()
        violations = check_invariants(project, figures["judged"])
        figures.update(
            concurrency=concurrency,
            rate=rate,
            client_processes=processes,
            label=f"{concurrency} raters" + (f" at {rate:g}/s" if rate else ""),
            violations=violations,
            invariants_s=time.perf_counter() - started,
            gunicorn_cpu_s=monitor.seconds("gunicorn"),
            postgres_cpu_s=monitor.seconds("postgres"),
            machine_busy_s=monitor.busy_s,
            machine_capacity_s=monitor.capacity_s,
            profile=str(spy[1]) if spy else None,
            box_loop_ms=speed_ms,
        )
        runs.append(figures)
        jps = figures["judged"] / figures["wall_s"]
        print(
            f"  {figures['judged']:,} judgments in {figures['wall_s']:.1f} s = {jps:.1f}/s; "
            f"next p95 {percentile(figures['next_ms'], 95):.1f} ms; errors {figures['errors']}; "
            f"invariant violations {sum(v for k, v in violations.items() if not k.startswith('_'))} "
            f"(checked in {figures['invariants_s']:.1f} s)",
            flush=True,
        )
        if figures["errors"]:
            print(f"  errors: {figures['error_kinds']}")
            for sample in figures["error_samples"]:
                print(f"    {sample}")
            print(f"  gunicorn log (tail):\n{server.log_tail(15)}")

    # --- Where the time goes: queries per request and the queue's plan, on the last run's state.
    print(
        "\nqueries per request (counted in-process on the bench database, after the runs; under gunicorn a "
        "request on a connection idle for over DB_HEALTH_CHECK_AFTER_MS also sends the health check's SELECT 1):"
    )
    found = count_queries(project, f"{RATER_PREFIX}{args.raters - 1:02d}")
    queries = print_queries(found, verbose=args.profile)
    plan = None
    try:
        queue_sql, plan = explain_queue(project, f"{RATER_PREFIX}{args.raters - 1:02d}")
    except Exception as exc:  # noqa: BLE001 - engine internals may move; the figures stand without it
        print(f"  (queue plan not available: {exc.__class__.__name__}: {exc})")
    if plan:
        execution = [line for line in plan.splitlines() if "Execution Time" in line or "Planning Time" in line]
        print("queue query of raters/engine.py, EXPLAIN ANALYZE on the last run's state: " + "; ".join(
            line.strip() for line in execution
        ))  # fmt: skip
        if args.profile:
            print(f"  {queue_sql}\n" + "\n".join(f"  {line}" for line in plan.splitlines()))

    # --- Report
    print(
        f"\nevalconsole rating load benchmark, {date.today().isoformat()}: {machine()}; "
        f"PostgreSQL {pg_version}, Python {sys.version.split()[0]}"
    )
    print(
        f"pool: {args.tasks:,} tasks x {args.results} results at overlap {args.overlap}, {args.raters} raters; "
        + (f"seeded in {seed_s:.1f} s (not timed)" if seed_s is not None else "seeded data reused")
        + f"; earlier work kept in the rating tables: {history_judgments(project):,} judgments of another project"
        + f"; gunicorn {args.workers} workers (GUNICORN_CMD_ARGS={args.gunicorn_args!r}), DEBUG off; "
        + f"{args.seconds:g} s per run"
        + (f", think time {args.think_ms:g} ms" if args.think_ms else ", no think time")
        + (f"; paced runs: the raters offer {args.rate:g} judgments/s together (Poisson)" if args.rate else "")
    )
    if args.profile:
        print("NOTE: profiled run (py-spy sampling the workers): figures are slightly pessimistic")
    scale = "" if args.tasks == TARGET_TASKS else f" (the issue's pool is {TARGET_TASKS:,} tasks)"
    rows = [("measure", "value", "target", "")]
    for figures in runs:
        c, rate = figures["concurrency"], figures["rate"]
        jps = figures["judged"] / figures["wall_s"]
        nxt, sub = figures["next_ms"], figures["submit_ms"]
        p95 = percentile(nxt, 95)
        total_violations = sum(v for k, v in figures["violations"].items() if not k.startswith("_"))
        # The throughput target is read from the flat-out run, the latency target from the paced run
        # (or from the flat-out run when there is none).
        latency_target = bool(rate) or not args.rate
        if rate:
            first = (
                f"{c} raters at {rate:g}/s: judgments/s",
                f"{jps:,.1f} ({figures['late']:,} starts late)",
                f"offered {rate:g}",
                "",
            )
        else:
            first = (
                f"{c} raters, {'think time' if args.think_ms else 'flat out'}: judgments/s",
                f"{jps:,.1f}",
                f">= {TARGET_JUDGMENTS_PER_S:.0f}",
                verdict(jps >= TARGET_JUDGMENTS_PER_S),
            )
        rows += [
            first,
            ("  next p50 / p95 / p99", f"{percentile(nxt, 50):.1f} / {p95:.1f} / {percentile(nxt, 99):.1f} ms",
             f"p95 <= {TARGET_NEXT_P95_MS:.0f} ms" if latency_target else "-",
             verdict(p95 <= TARGET_NEXT_P95_MS) if latency_target else ""),
            ("  submit p50 / p95", f"{percentile(sub, 50):.1f} / {percentile(sub, 95):.1f} ms", "-", ""),
            ("  errors (non-2xx, network)", f"{figures['errors']}", "0", verdict(figures["errors"] == 0)),
            ("  invariant violations", f"{total_violations}", "0", verdict(total_violations == 0)),
        ]  # fmt: skip
    print()
    print_table(rows)
    if scale:
        print(f"(a pool of {args.tasks:,} tasks{scale})")
    for figures in runs:
        c, wall = figures["concurrency"], figures["wall_s"]
        pause = " + pauses" if figures["rate"] else (" + think time" if args.think_ms else "")
        judged = max(1, figures["judged"])
        web_ms = 1000 * figures["gunicorn_cpu_s"] / judged
        db_ms = 1000 * figures["postgres_cpu_s"] / judged
        cores = os.cpu_count() or 1
        print(
            f"{figures['label']}: {figures['judged']:,} judgments, {len(figures['next_ms']):,} next; "
            f"CPU over {wall:.1f} s: "
            f"gunicorn {figures['gunicorn_cpu_s']:.1f} s, PostgreSQL (bench db) {figures['postgres_cpu_s']:.1f} s, "
            f"client ({figures['client_processes']} processes) {figures['cpu_s']:.1f} s "
            f"({100 * figures['cpu_s'] / wall:.0f}% of a core); machine "
            f"{100 * figures['machine_busy_s'] / max(figures['machine_capacity_s'], 1e-9):.0f}% busy of {cores} cores; "
            f"box speed before the run: a fixed loop took {figures['box_loop_ms']:.0f} ms"
        )
        print(
            f"  server CPU per judgment (next + submit): gunicorn {web_ms:.1f} ms + PostgreSQL {db_ms:.1f} ms "
            f"= {web_ms + db_ms:.1f} ms, a ceiling of ~{1000 * cores / max(web_ms + db_ms, 1e-9):,.0f} judgments/s "
            f"on {cores} cores; closed loop (Little's law): {c} raters / {figures['judged'] / wall:,.1f} per s "
            f"= {1000 * c * wall / judged:,.0f} ms per next + submit" + pause
        )
        if figures["cpu_s"] / wall > CLIENT_BUSY * figures["client_processes"]:
            print(f"  NOTE: the client used {100 * figures['cpu_s'] / wall:.0f}% of a core: it may limit the figures")
        if figures["raters_out_of_tasks"]:
            print(f"  {figures['raters_out_of_tasks']} raters ran out of tasks (204)")
        details = {k: v for k, v in figures["violations"].items() if not k.startswith("_") and v}
        if details:
            print(f"  invariant violations: {details}")
        other = figures["machine_busy_s"] - figures["gunicorn_cpu_s"] - figures["postgres_cpu_s"] - figures["cpu_s"]
        if other > 0.1 * figures["machine_capacity_s"]:
            print(
                f"  NOTE: other processes used {other:.1f} s of CPU during the run "
                f"({100 * other / figures['machine_capacity_s']:.0f}% of the machine): the figures are pessimistic"
            )
    eight = next((f for f in runs if f["concurrency"] == 8 and not f["rate"]), runs[0])
    jps8 = eight["judged"] / eight["wall_s"]
    over = eight["violations"]["tasks over overlap (judgments + leases)"]
    twice = eight["violations"]["(task, rater) judged twice"]
    print(
        f"Label Studio 1.23 (issue): {LS_ANNOTATIONS_PER_S} annotations/s with 8 raters, p95 next-task {LS_P95_NEXT}, "
        f"{LS_DOUBLE_GIVEN} tasks given to two raters at overlap 1; evalconsole with {eight['concurrency']} raters: "
        f"{jps8:,.1f} judgments/s (~{jps8 / 3.5:,.0f}x), p95 next {percentile(eight['next_ms'], 95):.1f} ms, "
        f"{over} tasks over their overlap, {twice} tasks judged twice by one rater"
    )
    if args.profile:
        for figures in runs:
            if figures.get("profile"):
                print(f"\npy-spy, gunicorn workers, {figures['label']}:")
                summarize_py_spy(Path(figures["profile"]))
    if args.json:
        report = {
            "date": date.today().isoformat(),
            "machine": machine(),
            "postgresql": pg_version,
            "python": sys.version.split()[0],
            "args": {k: v for k, v in vars(args).items() if k != "load_child"},
            "seed_s": seed_s,
            "seed_phases": seed_phases,
            "queries": queries,
            "queue_plan": plan,
            "runs": [
                {
                    **{k: v for k, v in f.items() if k not in ("next_ms", "submit_ms")},
                    "judgments_per_s": f["judged"] / f["wall_s"],
                    "next_ms": {p: percentile(f["next_ms"], p) for p in (50, 95, 99)},
                    "submit_ms": {p: percentile(f["submit_ms"], p) for p in (50, 95, 99)},
                }
                for f in runs
            ],
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
