"""Benchmark: one R&D client streaming the CSV of a project with a million judgments from gunicorn.

    make bench-export                                          # 1,000,000 judgments x 10 results
    .venv/bin/python -m bench.export_csv --max-seconds 60      # read for a minute, figures pro rata

Target (from the issue): exporting 1,000,000 judgments as CSV streams at >= 50,000 rows/s with
the server's RSS growing by <= 100 MB. Label Studio 1.23 took 25.7 s and 562 MB to export
10,000 tasks as CSV on the same kind of machine.

"Rows" are CSV rows, the export's unit: one per (judgment, result shown), so a judgment of a
10-result page is 10 rows (docs/api.md). The data hold 1,000,000 judgments of 10 results each,
10,000,000 rows; judgments/s is reported beside rows/s.

What runs, in order:

1. A database of its own (`evalconsole_export_bench` on the server of DATABASE_URL; created if
   missing, migrated; loopback PostgreSQL only, the checks of bench/pool_import.py). The other
   benchmarks' databases are refused: they are theirs to seed and drop.
2. The data of bench/report_build.py, seeded by its `seed` (100,000 SERPs x 10 results, overlap 10:
   1,000,000 judgments with page answers, 10,000,000 relevance grades; ~2-6 min), unless an earlier
   run left the same counts (`--reseed` forces it). A DRF token for the project owner.
3. gunicorn with the deployment's settings (evalconsole/gunicorn.py: threaded workers, which keep
   answering the arbiter while a request streams for minutes) but `--workers 1`, so the request
   lands on the worker whose memory is sampled; DEBUG off. `--gunicorn-args "--timeout 30"` runs
   a plain sync worker instead, which the arbiter kills 30 s into the stream. A warm-up request,
   then the worker's RSS.
4. One client (http.client, in this process) sends GET /api/v1/projects/{id}/judgments/?format=csv
   and reads the body in 1 MB reads, counting bytes and newlines (the seeded cells hold no newline,
   so rows = newlines - 1, the header). A thread samples the worker's VmRSS every 20 ms; CPU of the
   worker and of the bench database's PostgreSQL backends comes from /proc.
5. A PASS/MISS table with the machine's load. gunicorn is always stopped; the data are kept.

A benchmark prints figures; it is not a test: it exits 0 when a target is missed, non-zero only
when it could not measure (bad setup, server not starting, a failed or short export).
"""

import argparse
import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from bench.pool_import import (
    bench_env,
    claim_bench_database,
    django_setup,
    ensure_database,
    fail,
    machine,
    print_table,
    verdict,
)
from bench.rating_load import CpuMonitor, Server, Stop, _on_sigterm, machine_busy_ticks, postmaster_pid

BENCH_DB = "evalconsole_export_bench"
OTHER_BENCHES = ("evalconsole_report_bench", "evalconsole_rating_bench", "evalconsole_bench")
# Targets from the issue.
TARGET_JUDGMENTS = 1_000_000
TARGET_ROWS_PER_S = 50_000.0
TARGET_RSS_GROWTH_MB = 100.0
# Label Studio 1.23 on the same kind of machine (from the issue): 10,000 tasks as CSV.
LS_TASKS, LS_SECONDS, LS_MB = 10_000, 25.7, 562
READ_SIZE = 1 << 20
# The deployment's settings (threaded workers); the command line's --workers 1 and --bind win over them.
GUNICORN_ARGS = "-c python:evalconsole.gunicorn"
SAMPLE_EVERY_S = 0.02


class RssSampler(threading.Thread):
    """VmRSS of one process every 20 ms: the largest seen, and VmHWM (the kernel's own peak) at the end."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.samples = pid, 0, 0
        self.halt = threading.Event()

    def status(self, field: str) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self):
        while not self.halt.wait(SAMPLE_EVERY_S):
            self.peak_kib = max(self.peak_kib, self.status("VmRSS"))
            self.samples += 1

    def stop(self) -> None:
        self.halt.set()
        self.join()
        self.peak_kib = max(self.peak_kib, self.status("VmRSS"))


def _request(port: int, path: str, token: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Authorization": f"Token {token}", "Accept": "*/*"})
    return conn.getresponse()


def warm_up(port: int, project_id: int, token: str) -> None:
    """Imports, the database connection and DRF's first request, so they are not counted as growth."""
    response = _request(port, f"/api/v1/projects/{project_id}/", token)
    body = response.read()
    if response.status != 200:
        fail(f"warm-up GET /api/v1/projects/{project_id}/ answered {response.status}: {body[:300]!r}", 3)


def stream_csv(port: int, project_id: int, token: str, max_seconds: float | None) -> dict:
    """Reads the whole export (or `max_seconds` of it): bytes, rows, time to headers and first byte."""
    started = time.perf_counter()
    response = _request(port, f"/api/v1/projects/{project_id}/judgments/?format=csv", token)
    headers_s = time.perf_counter() - started
    if response.status != 200:
        fail(f"the export answered {response.status}: {response.read(500)!r}", 3)
    first_byte_s, size, newlines, head, stopped = None, 0, 0, b"", False
    buffer = bytearray(READ_SIZE)
    view = memoryview(buffer)
    while True:
        try:
            count = response.readinto(view)
        except (http.client.HTTPException, OSError) as exc:
            fail(f"the export was cut after {time.perf_counter() - started:.1f} s and {size:,} bytes "
                 f"({max(newlines - 1, 0):,} rows): {exc.__class__.__name__}", 3)  # fmt: skip
        if not count:
            break
        if first_byte_s is None:
            first_byte_s = time.perf_counter() - started
        size += count
        newlines += buffer.count(b"\n", 0, count)
        if len(head) < 4096:
            head += bytes(view[: min(count, 4096)])
        if max_seconds is not None and time.perf_counter() - started >= max_seconds:
            stopped = True
            break
    wall = time.perf_counter() - started
    response.close()
    return {"wall_s": wall, "headers_s": headers_s, "first_byte_s": first_byte_s, "bytes": size,
            "rows": max(newlines - 1, 0), "head": head.decode(errors="replace").splitlines()[:2],
            "stopped_early": stopped}  # fmt: skip


def owner_token(project) -> str:
    """The project owner's token; report_build seeds the owner without the role the API checks."""
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from evalconsole.roles import Role

    group, _ = Group.objects.get_or_create(name=Role.OWNER.value)
    project.owner.groups.add(group)
    token, _ = Token.objects.get_or_create(user=project.owner)
    return token.key


def profile_worker(pid: int, workdir: Path) -> tuple[subprocess.Popen, Path]:
    py_spy = os.environ.get("BENCH_PY_SPY") or shutil.which("py-spy") or "/tmp/bench-tools/bin/py-spy"
    if not Path(py_spy).exists():
        fail("--profile needs py-spy on PATH or BENCH_PY_SPY=/path/to/py-spy (see bench/README.md).")
    output = workdir / "worker.folded"
    command = [py_spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "--nonblocking",
               "--output", str(output)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), output


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export_csv", description=__doc__.split("\n\n")[0])
    parser.add_argument("--serps", type=int, default=100_000, help="SERPs and tasks (default 100000)")
    parser.add_argument("--results", type=int, default=10, help="results per SERP (default 10)")
    parser.add_argument("--overlap", type=int, default=10, help="judgments per task (default 10)")
    parser.add_argument("--raters", type=int, default=50, help="rater accounts (default 50)")
    parser.add_argument("--reseed", action="store_true", help="seed again even if matching data are there")
    parser.add_argument("--max-seconds", type=float, help="stop reading after this long (figures pro rata)")
    parser.add_argument("--profile", action="store_true", help="py-spy on the gunicorn worker (slows it)")
    parser.add_argument(
        "--gunicorn-args", default=GUNICORN_ARGS, help=f"GUNICORN_CMD_ARGS for the server (default {GUNICORN_ARGS!r})"
    )
    parser.add_argument("--db-name", default=BENCH_DB, help=f"bench database name (default {BENCH_DB})")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.serps <= 1_000_000 or not 1 <= args.results <= 100 or not 1 <= args.overlap <= 50:
        fail("--serps must be 1..1000000, --results 1..100, --overlap 1..50")
    if not args.overlap <= args.raters <= 500:
        fail("--raters must be at least --overlap and at most 500")
    if args.db_name in OTHER_BENCHES:
        fail(f"{args.db_name} belongs to another benchmark (this one seeds and migrates its own); pick another name.")

    for name, value in (("SECRET_KEY", "insecure-bench-only-key"), ("HTTPS", "false"), ("CELERY_EAGER", "true"),
                        ("STATIC_MANIFEST", "false"), ("ALLOWED_HOSTS", "127.0.0.1,localhost")):  # fmt: skip
        os.environ.setdefault(name, value)
    env = bench_env(args.db_name)
    env["DEBUG"] = "false"
    env["GUNICORN_CMD_ARGS"] = args.gunicorn_args
    signal.signal(signal.SIGTERM, _on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="evalconsole-export-bench-"))
    env["MEDIA_ROOT"] = str(workdir / "media")
    server = Server(env, 1, workdir)
    try:
        run(args, env, server, workdir)
    except Stop:
        fail("stopped (SIGTERM).", 3)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, env: dict, server: Server, workdir: Path) -> None:
    ensure_database(env)
    django_setup(env)
    from django.db import connection

    from bench import report_build

    claim_bench_database("export")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    seed_s = None
    project = None if args.reseed else report_build.find_seeded(args)
    if project is None:
        judgments = args.serps * args.overlap
        print(f"\nseeding (bench/report_build.py's data) {args.serps:,} SERPs x {args.results} results, "
              f"{judgments:,} judgments ...", flush=True)  # fmt: skip
        started = time.perf_counter()
        project, _ = report_build.seed(args)
        seed_s = time.perf_counter() - started
        print(f"  seeded in {seed_s:.1f} s", flush=True)
    else:
        print(f"\nreusing the seeded project {project.pk} ({project.name}); --reseed to seed again", flush=True)
    expected = report_build.expected_counts(args)
    judgments, expected_rows = expected["judgments"], expected["ratings"]  # a grade per result: a row each
    token = owner_token(project)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cursor.fetchone()[0]
    postmaster = postmaster_pid()
    connection.close()

    server.start()
    workers = server.worker_pids()
    if len(workers) != 1:
        fail(f"expected one gunicorn worker, found {workers}", 3)
    worker = workers[0]
    warm_up(server.port, project.pk, token)
    sampler = RssSampler(worker)
    rss_before_kib, hwm_before_kib = sampler.status("VmRSS"), sampler.status("VmHWM")
    spy = profile_worker(worker, workdir) if args.profile else None

    print(f"\nGET /api/v1/projects/{project.pk}/judgments/?format=csv, one client ...", flush=True)
    load_before = os.getloadavg()
    busy0 = machine_busy_ticks()
    sampler.start()
    client0 = resource.getrusage(resource.RUSAGE_SELF)
    with CpuMonitor(server, postmaster, args.db_name) as monitor:
        try:
            figures = stream_csv(server.port, project.pk, token, args.max_seconds)
        except SystemExit:
            print(f"gunicorn log (tail):\n{server.log_tail(8)}", file=sys.stderr)
            raise
    client1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = client1.ru_utime + client1.ru_stime - client0.ru_utime - client0.ru_stime
    sampler.stop()
    busy1 = machine_busy_ticks()
    load_after = os.getloadavg()
    hwm_after_kib = sampler.status("VmHWM")
    if spy is not None:
        spy[0].send_signal(signal.SIGINT)
        spy[0].wait(timeout=60)

    wall, rows, size = figures["wall_s"], figures["rows"], figures["bytes"]
    if not figures["stopped_early"] and rows != expected_rows:
        fail(f"the export held {rows:,} rows, {expected_rows:,} expected:\n{server.log_tail(15)}", 3)
    done_judgments = rows / args.results  # every judgment has `results` rows, in judgment order
    busy = (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1)
    cores = os.cpu_count() or 1
    worker_cpu, backend_cpu = monitor.seconds("gunicorn"), monitor.seconds("postgres")
    other_s = busy * cores * wall - worker_cpu - backend_cpu - client_cpu
    rss_before, peak = rss_before_kib / 1024, sampler.peak_kib / 1024
    growth = max(peak, hwm_after_kib / 1024 if hwm_after_kib > hwm_before_kib else 0) - rss_before
    rows_per_s, judgments_per_s = rows / wall, done_judgments / wall

    print(f"  header: {figures['head'][0][:150]}" if figures["head"] else "  (no body)")
    if len(figures["head"]) > 1:
        print(f"  first row: {figures['head'][1][:150]}")
    print(
        f"\nevalconsole CSV export benchmark, {date.today().isoformat()}: {machine()}; PostgreSQL {pg_version}, "
        f"Python {sys.version.split()[0]}; database {db_size}"
    )
    print(
        f"data: {judgments:,} judgments x {args.results} results = {expected_rows:,} CSV rows; "
        + (f"seeded in {seed_s:.1f} s (not timed)" if seed_s is not None else "seeded data reused")
        + f"; gunicorn, 1 worker, GUNICORN_CMD_ARGS={args.gunicorn_args!r}, DEBUG off, one client"
    )
    print(
        f"machine during the export: {100 * busy:.0f}% busy of {cores} cores; load average {load_before[0]:.1f} "
        f"before, {load_after[0]:.1f} after; other processes used ~{max(other_s, 0):.0f} of the "
        f"{cores * wall:.0f} CPU-s available"
    )
    if figures["stopped_early"]:
        print(f"NOTE: stopped after {args.max_seconds:g} s (--max-seconds): {rows:,} of {expected_rows:,} rows read")
    if args.profile:
        print("NOTE: profiled run (py-spy sampling the worker): figures are slightly pessimistic")
    table = [
        ("measure", "value", "target", ""),
        ("CSV rows/s (a row per judgment x result)", f"{rows_per_s:,.0f}", f">= {TARGET_ROWS_PER_S:,.0f}",
         verdict(rows_per_s >= TARGET_ROWS_PER_S)),
        ("  judgments/s", f"{judgments_per_s:,.0f}", "-", ""),
        ("  rows, judgments, bytes", f"{rows:,}, {done_judgments:,.0f}, {size / 1e6:,.0f} MB", "-", ""),
        ("  wall; MB/s", f"{wall:.1f} s; {size / 1e6 / wall:.1f}", "-", ""),
        ("  time to headers / first byte", f"{1000 * figures['headers_s']:.0f} / "
         f"{1000 * (figures['first_byte_s'] or 0):.0f} ms", "-", ""),
        ("worker RSS growth (peak - before)", f"{growth:+,.0f} MB", f"<= {TARGET_RSS_GROWTH_MB:.0f} MB",
         verdict(growth <= TARGET_RSS_GROWTH_MB)),
        ("  worker RSS before / peak / VmHWM after", f"{rss_before:,.0f} / {peak:,.0f} / "
         f"{hwm_after_kib / 1024:,.0f} MB", "-", ""),
        ("  CPU: worker / its PostgreSQL backend / client", f"{worker_cpu:.1f} s / {backend_cpu:.1f} s / "
         f"{client_cpu:.1f} s", "-", ""),
    ]  # fmt: skip
    print()
    print_table(table)
    print(
        f"Label Studio 1.23 (issue): {LS_TASKS:,} tasks as CSV in {LS_SECONDS} s ({LS_TASKS / LS_SECONDS:,.0f} "
        f"tasks/s), {LS_MB} MB; evalconsole: {judgments_per_s:,.0f} judgments/s "
        f"(~{judgments_per_s / (LS_TASKS / LS_SECONDS):,.0f}x), {rows_per_s:,.0f} rows/s, RSS {growth:+,.0f} MB"
    )
    if spy is not None:
        report_build.print_py_spy(spy[1])
    if args.json:
        report = {
            "date": date.today().isoformat(), "machine": machine(), "postgresql": pg_version,
            "python": sys.version.split()[0], "args": vars(args), "seed_s": seed_s, "database_size": db_size,
            "judgments": judgments, "expected_rows": expected_rows, "machine_busy": busy,
            "load_before": load_before, "load_after": load_after, "rows_per_s": rows_per_s,
            "judgments_per_s": judgments_per_s, "rss_before_mb": rss_before, "rss_peak_mb": peak,
            "rss_growth_mb": growth, "worker_cpu_s": worker_cpu, "backend_cpu_s": backend_cpu,
            "client_cpu_s": client_cpu,
            **{k: v for k, v in figures.items() if k != "head"},
        }  # fmt: skip
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
