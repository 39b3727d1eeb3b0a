"""Benchmark: import a large generated SERP pool into PostgreSQL, then sample tasks from it.

    make bench                                   # 100,000 SERPs x 10 results (the issue's figures)
    .venv/bin/python -m bench.pool_import --serps 5000      # quick run (env as `make bench` sets it)

Targets (from the issue): importing 100,000 SERPs x 10 results (1,000,000 result rows) of
JSONL takes <= 60 s with the worker's peak RSS <= 500 MB; stratified sampling of 10,000 tasks
from that pool takes <= 5 s. Label Studio 1.23 imports ~1,900 SERP tasks/s on this kind of box.

What runs, in order:

1. A database of its own (`evalconsole_bench` on the server of DATABASE_URL; created if
   missing, migrated), so dev and test data are never touched. PostgreSQL on loopback only.
2. A JSONL pool file generated into a temp dir (12 locales, 15 categories, Zipf traffic,
   realistic titles/snippets/urls, thumbnails, a few sensitive results). Not timed as import.
3. An owner, a published guideline version and a project, then `pool_upload` as the web
   request does it (the Celery message is captured instead of sent), and `pool_import_run`
   as a worker does it, in a child process (`--import-only JOB_ID`) so its wall time and peak
   RSS are the importer's own. The counts are verified.
4. `tasks_sample` stratified by locale (end to end), `draw_sample` alone on the same frame,
   and `tasks_sample` traffic_weighted, each of 10,000 tasks.
5. A table with PASS/MISS per target; then the bench data are truncated and the temp dir
   removed (`--keep` keeps both).

A benchmark prints figures; it is not a test: it exits 0 when a target is missed, non-zero
only when it could not measure (bad setup, failed import, wrong counts).
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from bisect import bisect_left
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "evalconsole_bench"
BENCH_REDIS_DB = 15  # the cache keys of bench jobs never mix with dev jobs of the same id
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RESULT_TAG = "BENCH-IMPORT "
OWNER = "bench-owner"
# Targets from the issue, for 100,000 SERPs x 10 results and samples of 10,000.
TARGET_SERPS = 100_000
TARGET_IMPORT_S = 60.0
TARGET_RSS_MB = 500.0
TARGET_SAMPLE_S = 5.0
LABEL_STUDIO_TASKS_PER_S = 1_900


def fail(message: str, code: int = 2):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(code)


# --- Environment and database -----------------------------------------------------------


def bench_env(db_name: str) -> dict:
    """The environment for this process and the child: DATABASE_URL pointing at the bench db."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        fail('DATABASE_URL is not set. Run `make bench`, or `source "$(bash scripts/services.sh up)"` first.')
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        fail(
            f"the benchmark measures the PostgreSQL import (COPY) and refuses to run on {parts.scheme or 'SQLite'}; "
            "run `make bench` (it starts PostgreSQL on loopback)."
        )
    if parts.hostname not in LOOPBACK:
        fail(f"the database host is {parts.hostname!r}; the benchmark only runs against a loopback server.")
    original = parts.path.lstrip("/")
    if db_name == original or "bench" not in db_name:
        fail(f"refusing database {db_name!r}: the bench database must be its own (its name contains 'bench').")
    env = dict(os.environ)
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db_name}"))
    env.setdefault("DJANGO_SETTINGS_MODULE", "evalconsole.settings")
    redis = os.environ.get("REDIS_URL")
    if redis:
        rparts = urlsplit(redis)
        if rparts.hostname not in LOOPBACK:
            fail(f"the Redis host is {rparts.hostname!r}; the benchmark only runs against a loopback server.")
        env["REDIS_URL"] = urlunsplit(rparts._replace(path=f"/{BENCH_REDIS_DB}"))
    return env


def ensure_database(env: dict) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(env["DATABASE_URL"])
    name = parts.path.lstrip("/")
    try:
        conn = psycopg2.connect(
            dbname="postgres",
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        fail(f"cannot reach PostgreSQL at {parts.hostname}:{parts.port}: {exc}".strip())
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"creating database {name}")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        timeout=600,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        fail(f"migrate failed on {name}:\n{done.stdout}{done.stderr}")
    print(f"database {name} migrated in {time.perf_counter() - started:.1f} s")


def claim_bench_database(kind: str) -> None:
    """Refuse SQLite and a second run of the `kind` benchmark on this database (an advisory lock
    held for the process's life). Call after django_setup."""
    from django.db import connection

    if connection.vendor != "postgresql":
        fail("the benchmark needs PostgreSQL.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"evalconsole-{kind}-bench"])
        if not cursor.fetchone()[0]:
            fail(f"another {kind} benchmark is running on this database.")


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def truncate_bench_data() -> None:
    """Empty the tables the benchmark fills (its own database only)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    assert "bench" in connection.settings_dict["NAME"], connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
            "(tablename LIKE 'projects\\_%%' OR tablename LIKE 'guidelines\\_%%' OR tablename = 'evalconsole_job')"
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute("SET lock_timeout = '30s'")
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            cursor.execute("RESET lock_timeout")
    get_user_model().objects.filter(username=OWNER).delete()


# --- Pool file --------------------------------------------------------------------------

# (tag, share of SERPs, language, top-level domain)
LOCALES = [
    ("en-US", 0.28, "en", "com"),
    ("de-DE", 0.10, "de", "de"),
    ("en-GB", 0.08, "en", "co.uk"),
    ("fr-FR", 0.08, "fr", "fr"),
    ("ja-JP", 0.08, "ja", "jp"),
    ("es-ES", 0.07, "es", "es"),
    ("pt-BR", 0.07, "pt", "com.br"),
    ("es-419", 0.06, "es", "com.mx"),
    ("it-IT", 0.05, "it", "it"),
    ("ko-KR", 0.05, "ko", "co.kr"),
    ("nl-NL", 0.04, "nl", "nl"),
    ("zh-Hant-TW", 0.04, "zh", "com.tw"),
]
CATEGORIES = [
    "shopping",
    "local",
    "news",
    "health",
    "how-to",
    "travel",
    "recipes",
    "finance",
    "entertainment",
    "sports",
    "technology",
    "education",
    "autos",
    "jobs",
    "navigational",
]
WORDS = {
    "en": "best cheap near me how to fix review price open today weather forecast recipe easy chicken "
    "pasta flight hotel deals reviews symptoms treatment mortgage rates calculator laptop phone battery "
    "life guide beginners news update live score tickets schedule map directions insurance quote "
    "used cars sale jobs remote salary university courses online free download",
    "de": "günstig beste in der nähe wie man reparieren test preis heute geöffnet wetter vorhersage rezept "
    "einfach hähnchen nudeln flug hotel angebote bewertungen symptome behandlung zinsen rechner "
    "laptop handy akku ratgeber anfänger nachrichten aktuell ergebnis tickets fahrplan karte route "
    "versicherung gebrauchtwagen kaufen stellenangebote gehalt universität kurse kostenlos straße",
    "fr": "meilleur pas cher près de moi comment réparer avis prix ouvert aujourd'hui météo prévisions "
    "recette facile poulet pâtes vol hôtel offres symptômes traitement taux crédit calculatrice "
    "ordinateur portable téléphone batterie guide débutants actualités résultat billets horaires "
    "carte itinéraire assurance voiture occasion emploi salaire université cours gratuit",
    "es": "mejor barato cerca de mí cómo arreglar opiniones precio abierto hoy clima pronóstico receta "
    "fácil pollo pasta vuelo hotel ofertas síntomas tratamiento hipoteca calculadora portátil "
    "teléfono batería guía principiantes noticias resultado entradas horario mapa cómo llegar "
    "seguro coches usados venta empleo sueldo universidad cursos gratis descargar",
    "it": "migliore economico vicino a me come riparare recensioni prezzo aperto oggi meteo previsioni "
    "ricetta facile pollo pasta volo hotel offerte sintomi cura mutuo tassi calcolatore portatile "
    "telefono batteria guida principianti notizie risultato biglietti orari mappa indicazioni "
    "assicurazione auto usate vendita lavoro stipendio università corsi gratis città",
    "pt": "melhor barato perto de mim como consertar avaliações preço aberto hoje previsão do tempo "
    "receita fácil frango macarrão voo hotel promoções sintomas tratamento financiamento juros "
    "calculadora notebook celular bateria guia iniciantes notícias resultado ingressos horários "
    "mapa rota seguro carros usados venda vagas salário universidade cursos grátis",
    "nl": "beste goedkoop in de buurt hoe repareren review prijs vandaag open weer verwachting recept "
    "makkelijk kip pasta vlucht hotel aanbiedingen symptomen behandeling hypotheek rente rekenhulp "
    "laptop telefoon accu gids beginners nieuws uitslag kaartjes dienstregeling kaart route "
    "verzekering tweedehands auto kopen vacatures salaris universiteit cursussen gratis",
    "ja": "おすすめ 安い 近く 修理 方法 口コミ 価格 営業中 今日 天気 予報 レシピ 簡単 鶏肉 パスタ 航空券 ホテル "
    "セール 症状 治療 住宅ローン 金利 計算 ノートパソコン スマホ バッテリー 初心者 ガイド ニュース 速報 "
    "結果 チケット 時刻表 地図 ルート 保険 見積もり 中古車 求人 年収 大学 講座 無料",
    "ko": "추천 저렴한 근처 수리 방법 후기 가격 영업중 오늘 날씨 예보 레시피 간단한 닭고기 파스타 항공권 "
    "호텔 할인 증상 치료 주택담보대출 금리 계산기 노트북 휴대폰 배터리 초보자 가이드 뉴스 속보 결과 "
    "티켓 시간표 지도 길찾기 보험 견적 중고차 채용 연봉 대학교 강의 무료",
    "zh": "推薦 便宜 附近 維修 方法 評價 價格 營業中 今天 天氣 預報 食譜 簡單 雞肉 義大利麵 機票 飯店 "
    "優惠 症狀 治療 房貸 利率 計算機 筆電 手機 電池 新手 指南 新聞 快訊 結果 門票 時刻表 地圖 路線 "
    "保險 報價 二手車 徵才 薪水 大學 課程 免費",
}
CJK = {"ja", "ko", "zh"}
NO_SPACES = {"ja", "zh"}  # Korean separates words with spaces
SLUG_WORDS = WORDS["en"].split()


def _ascii(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum()) or "x"


class PoolGenerator:
    """Deterministic, streaming JSONL generator: one SERP per line, ~400 bytes per result."""

    def __init__(self, serps: int, results: int, seed: int = 20240601):
        self.serps, self.results = serps, results
        self.rng = random.Random(seed)
        rng = self.rng
        self.vocab = {lang: text.split() for lang, text in WORDS.items()}
        self.slugs = {
            lang: [_ascii(w) for w in words] if lang not in CJK else SLUG_WORDS for lang, words in self.vocab.items()
        }
        # Per locale a few hundred sites, visited with Zipf-like popularity.
        self.sites = {}
        for tag, _, lang, tld in LOCALES:
            slugs = self.slugs[lang]
            names = [f"{rng.choice(slugs)}{rng.choice(slugs)}{rng.randrange(100) if i % 3 else ''}" for i in range(400)]
            self.sites[tag] = [f"www.{name}.{tld}" for name in names]
        self.site_weights = [1 / (i + 1) ** 0.9 for i in range(400)]
        self.site_cum = list(_accumulate(self.site_weights))
        self.locale_cum = list(_accumulate(share for _, share, _, _ in LOCALES))
        self.category_cum = list(_accumulate(1 / (i + 1) ** 0.8 for i in range(len(CATEGORIES))))
        # Zipf traffic: the SERP at popularity rank r gets 1e6 / r^1.07 (ranks shuffled over lines).
        self.traffic_ranks = list(range(1, serps + 1))
        rng.shuffle(self.traffic_ranks)

    def _text(self, lang: str, low: int, high: int) -> str:
        words = self.vocab[lang]
        sep = "" if lang in NO_SPACES else " "
        count = high // (3 if lang in CJK else 5) + 4
        text = sep.join(self.rng.choices(words, k=count))
        cut = self.rng.randint(low, high)
        return text[:cut].rstrip() + "…" if len(text) > cut else text

    def serp(self, n: int) -> dict:
        rng = self.rng
        tag, _, lang, _ = LOCALES[_pick(self.locale_cum, rng.random())]
        category = CATEGORIES[_pick(self.category_cum, rng.random())]
        sep = "" if lang in NO_SPACES else " "
        query = sep.join(rng.choices(self.vocab[lang], k=rng.randint(2, 5)))
        sites, slugs = self.sites[tag], self.slugs[lang]
        results, docs = [], set()
        for rank in range(1, self.results + 1):
            site = sites[_pick(self.site_cum, rng.random())]
            doc = f"{site}:{rng.randrange(1 << 40):010x}"
            while doc in docs:
                doc = f"{site}:{rng.randrange(1 << 40):010x}"
            docs.add(doc)
            roll = rng.random()
            media = "video" if roll < 0.08 else "image" if roll < 0.15 else "news" if roll < 0.20 else "web"
            path = "-".join(rng.choices(slugs, k=rng.randint(2, 6)))
            result = {
                "rank": rank,
                "doc_id": doc,
                "title": self._text(lang, 25, 90).capitalize() + " | " + site.split(".")[1].capitalize(),
                "url": f"https://{site}/{rng.choice(slugs)}/{path}-{rng.randrange(10**7)}",
                "snippet": self._text(lang, 100, 200),
                "media_type": media,
                "sensitive": rng.random() < (0.06 if category == "health" else 0.01),
            }
            if media != "web" or rng.random() < 0.10:
                image = f"{rng.randrange(1 << 48):012x}"
                result["thumbnail_url"] = f"https://img{rng.randrange(8)}.cdn-static.net/t/{image}.jpg"
            results.append(result)
        return {
            "query_id": f"q{n:07d}",
            "query": query,
            "locale": tag,
            "category": category,
            "traffic": round(1e6 / self.traffic_ranks[n] ** 1.07, 3),
            "results": results,
        }

    def write(self, path: Path) -> int:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with open(path, "wb", buffering=1 << 20) as out:
            for n in range(self.serps):
                out.write((dumps(self.serp(n)) + "\n").encode("utf-8"))
        return path.stat().st_size


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _pick(cumulative: list[float], u: float) -> int:
    return min(bisect_left(cumulative, u * cumulative[-1]), len(cumulative) - 1)


# --- The import, in a process of its own ------------------------------------------------


def _proc_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (the PostgreSQL backend serving the importer)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _wrap(owner, name: str, phases: dict, phase: str, missing: list, undo: list | None = None) -> None:
    """Add the time spent in owner.name to phases[phase] (in this process only; the app is not
    changed). Best effort: a function that moved is listed in `missing` and left out."""
    original = getattr(owner, name, None)
    if original is None:
        missing.append(f"{getattr(owner, '__name__', owner)}.{name}")
        return

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)
    if undo is not None:
        undo.append(lambda: setattr(owner, name, original))


def _instrument(phases: dict) -> list[str]:
    """Time the import's phases: reading, building the COPY data, COPY, COMMIT, progress."""
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper

    from evalconsole import jobs
    from projects import pool_format, services

    missing = []

    def wrap(owner, name, phase):
        _wrap(owner, name, phases, phase, missing)

    def timed_iter(original):
        def iterate(self):
            iterator = original(self)
            while True:
                started = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    phases["read"] = phases.get("read", 0.0) + time.perf_counter() - started
                yield item

        return iterate

    pool_format.PoolReader.__iter__ = timed_iter(pool_format.PoolReader.__iter__)
    writer = getattr(services, "_CopyWriter", None)
    if writer is not None:
        wrap(writer, "write", "write")
    else:
        missing.append("services._CopyWriter")
    if "copy_expert" not in vars(CursorWrapper):  # Django hands it to the driver's cursor via __getattr__
        CursorWrapper.copy_expert = lambda self, *args, **kwargs: self.cursor.copy_expert(*args, **kwargs)
    wrap(CursorWrapper, "copy_expert", "copy")
    wrap(BaseDatabaseWrapper, "commit", "commit")
    wrap(jobs, "job_progress", "progress")
    return missing


def import_only(job_id: int, cprofile_out: str | None) -> None:
    """Child: run the job as a Celery worker would, print figures as one JSON line."""
    import django

    django.setup()
    from django.db import connection

    from projects.services import pool_import_run

    if "bench" not in connection.settings_dict["NAME"]:
        fail(f"--import-only runs on a bench database only, not {connection.settings_dict['NAME']!r}.")
    phases: dict[str, float] = {}
    missing = _instrument(phases)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    backend_cpu = _proc_cpu_seconds(backend)
    profiler = None
    if cprofile_out:
        import cProfile

        profiler = cProfile.Profile()
    cpu, started = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    job = pool_import_run(job_id=job_id)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    backend_after = _proc_cpu_seconds(backend)
    if profiler:
        profiler.dump_stats(cprofile_out)
    figures = {
        "job": job_id,
        "status": job.status if job else None,
        "result": job.result if job else None,
        "errors": (job.errors or [])[:10] if job else None,
        "wall_s": wall,
        "python_cpu_s": cpu,
        "backend_cpu_s": None if backend_cpu is None or backend_after is None else backend_after - backend_cpu,
        "rss_before_kib": rss_before,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        # Should the importer ever fork helpers: the largest of them (0 while it does not).
        "children_peak_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "phases": phases,
        "phases_missing": missing,
    }
    print(RESULT_TAG + json.dumps(figures), flush=True)


def run_import_child(env: dict, job_id: int, *, profile: str | None, workdir: Path, timeout: int) -> dict:
    command = [sys.executable, "-m", "bench.pool_import", "--import-only", str(job_id)]
    if profile == "cprofile":
        command += ["--cprofile-out", str(workdir / "import.pstats")]
    elif profile == "py-spy":
        py_spy = os.environ.get("BENCH_PY_SPY") or shutil.which("py-spy")
        if not py_spy:
            fail("--profile py-spy needs py-spy on PATH or BENCH_PY_SPY=/path/to/py-spy (pip install py-spy).")
        command = [
            py_spy,
            "record",
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(workdir / "import.folded"),
            "--nonblocking",
            "--",
            *command,
        ]
    print(f"importing in a child process: {' '.join(command[-4:])}", flush=True)
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout, stdout=subprocess.PIPE, text=True)
    except subprocess.TimeoutExpired:
        fail(f"the import did not finish within {timeout} s; stopped it.", 3)
    figures = None
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            figures = json.loads(line[len(RESULT_TAG) :])
        elif line.strip():
            print(f"  [import] {line}")
    if done.returncode or figures is None:
        fail(f"the import process exited with {done.returncode} without figures.", 3)
    return figures


# --- Profiles -----------------------------------------------------------------------------


def print_cprofile(path: Path, limit: int = 25) -> None:
    import pstats

    print(f"\ncProfile of the import (times inflated by the profiler), top {limit} by own time:")
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(15)


def print_py_spy(path: Path, limit: int = 25) -> None:
    """Summarize py-spy's collapsed stacks: share of samples per function, own and inclusive."""
    own, inclusive, total = {}, {}, 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        count = int(count)
        total += count
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")" for f in stack.split(";")
        ]
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    if not total:
        print("py-spy recorded no samples")
        return
    print(f"\npy-spy profile of the import process: {total} CPU samples (waits not sampled; start-up included)")
    for title, table in (("own time", own), ("inclusive", inclusive)):
        print(f"  top by {title}:")
        for frame, count in sorted(table.items(), key=lambda item: -item[1])[:limit]:
            print(f"    {100 * count / total:5.1f}%  {frame}")


# --- Report -------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        mem = 0
    return f"{os.cpu_count()} cores {model}, {mem:.0f} GB RAM".strip()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for index, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pool_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--serps", type=int, default=TARGET_SERPS, help="SERPs in the pool (default 100000)")
    parser.add_argument("--results", type=int, default=10, help="results per SERP (default 10)")
    parser.add_argument("--sample-size", type=int, default=10_000, help="tasks per sample (default 10000)")
    parser.add_argument("--db-name", default=BENCH_DB, help=f"bench database name (default {BENCH_DB})")
    parser.add_argument("--keep", action="store_true", help="keep the bench data and the generated file")
    parser.add_argument("--profile", choices=["cprofile", "py-spy"], help="profile the import (slows it)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--timeout", type=int, default=1800, help="stop the import after this many seconds")
    parser.add_argument("--import-only", type=int, metavar="JOB_ID", help=argparse.SUPPRESS)
    parser.add_argument("--cprofile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.import_only is not None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evalconsole.settings")
        import_only(args.import_only, args.cprofile_out)
        return
    if not 1 <= args.serps <= 1_000_000 or not 1 <= args.results <= 100:
        fail("--serps must be 1..1000000 and --results 1..100")

    env = bench_env(args.db_name)
    workdir = Path(tempfile.mkdtemp(prefix="evalconsole-bench-"))
    env["MEDIA_ROOT"] = str(workdir / "media")  # pool_upload's stored copy lands here too
    try:
        run(args, env, workdir)
    finally:
        if args.keep:
            print(f"kept: {workdir} and the data in database {args.db_name}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, env: dict, workdir: Path) -> None:
    ensure_database(env)
    django_setup(env)
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        fail("the benchmark needs PostgreSQL.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('evalconsole-bench'))")
        if not cursor.fetchone()[0]:
            fail("another benchmark is running on this database.")
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    truncate_bench_data()  # leftovers of a --keep or interrupted run

    n, per = args.serps, args.results
    size = min(args.sample_size, n // 2) or 1
    print(f"\ngenerating {n:,} SERPs x {per} results ...", flush=True)
    pool = workdir / "pool.jsonl"
    started = time.perf_counter()
    file_bytes = PoolGenerator(n, per).write(pool)
    generation_s = time.perf_counter() - started
    print(f"  {pool}: {file_bytes / 1e6:.1f} MB in {generation_s:.1f} s", flush=True)
    if file_bytes > settings.POOL_MAX_UPLOAD_BYTES:
        fail(f"the file is larger than POOL_MAX_UPLOAD_BYTES ({settings.POOL_MAX_UPLOAD_BYTES} bytes).")

    try:
        figures, sampling = measure(args, env, workdir, pool, n, per, size)
    finally:
        if not args.keep:
            connection.close()  # a fresh connection: the measuring one may be mid-failure
            truncate_bench_data()
            print("bench data truncated")

    # --- Report
    imp = figures["wall_s"]
    scale = n / TARGET_SERPS
    import_target = TARGET_IMPORT_S * scale
    rss_mb = (figures["peak_rss_kib"] + figures.get("children_peak_rss_kib", 0)) / 1024
    passed = imp <= import_target
    rows = [
        ("measure", "value", "target", ""),
        (
            f"import {n:,} SERPs / {n * per:,} rows (wall)",
            f"{imp:.1f} s",
            f"<= {import_target:.0f} s" + (" (pro rata)" if scale != 1 else ""),
            verdict(passed),
        ),
        ("  SERPs/s", f"{n / imp:,.0f}", f">= {TARGET_SERPS / TARGET_IMPORT_S:,.0f}", verdict(passed)),
        ("  result rows/s", f"{n * per / imp:,.0f}", f">= {TARGET_SERPS * 10 / TARGET_IMPORT_S:,.0f}", verdict(passed)),
        (
            "  peak RSS of the importer",
            f"{rss_mb:.0f} MB",
            f"<= {TARGET_RSS_MB:.0f} MB",
            verdict(rss_mb <= TARGET_RSS_MB),
        ),
    ]
    for name, key in (
        (f"stratified {size:,} by locale, end to end", "stratified_e2e"),
        (f"  pure draw_sample (stratified {size:,})", "stratified_draw"),
        (f"traffic_weighted {size:,}, end to end", "weighted_e2e"),
        (f"  pure draw_sample (traffic_weighted {size:,})", "weighted_draw"),
    ):
        seconds = sampling[key]
        rows.append((name, f"{seconds:.2f} s", f"<= {TARGET_SAMPLE_S:.0f} s", verdict(seconds <= TARGET_SAMPLE_S)))
    print(
        f"\nevalconsole pool import benchmark, {date.today().isoformat()}: {machine()}; "
        f"PostgreSQL {pg_version}, Python {sys.version.split()[0]}"
    )
    print(
        f"file: {file_bytes / 1e6:.1f} MB JSONL, {n:,} SERPs x {per} results "
        f"(generated in {generation_s:.1f} s, not timed)"
    )
    if args.profile:
        print("NOTE: profiled run: times are inflated by the profiler")
    print()
    print_table(rows)
    backend = figures.get("backend_cpu_s")
    print(
        f"\nimporter: Python CPU {figures['python_cpu_s']:.1f} s"
        + (f", its PostgreSQL backend CPU {backend:.1f} s" if backend is not None else "")
        + f" of {imp:.1f} s wall; RSS {figures['rss_before_kib'] / 1024:.0f} MB after start-up, "
        f"peak {figures['peak_rss_kib'] / 1024:.0f} MB"
        + (
            f" + {figures['children_peak_rss_kib'] / 1024:.0f} MB in a child"
            if figures.get("children_peak_rss_kib")
            else ""
        )
    )
    phases = figures.get("phases") or {}
    if phases:
        read, write, copy = phases.get("read", 0.0), phases.get("write", 0.0), phases.get("copy", 0.0)
        commit, progress = phases.get("commit", 0.0), phases.get("progress", 0.0)
        parts = [
            ("read + validate (PoolReader)", read),
            ("build COPY data (_CopyWriter)", max(0.0, write - copy)),
            ("COPY: send, wait for PostgreSQL", copy),
            ("COMMIT (deferred FK checks)", commit),
            ("progress to cache", progress),
        ]
        parts.append(("other (claim, finish, file delete)", max(0.0, imp - sum(value for _, value in parts))))
        print(
            "import phases: " + "; ".join(f"{name} {value:.1f} s ({100 * value / imp:.0f}%)" for name, value in parts)
        )
        if figures.get("phases_missing"):
            print(f"  (not timed, moved or renamed: {', '.join(figures['phases_missing'])})")
    print(f"upload (pool_upload: store the file, create the job): {sampling['upload_s']:.2f} s, not in the figures")
    busy = figures["load"][0] > 0.75 * (os.cpu_count() or 1)  # the generation itself leaves ~1
    print(
        ("NOTE: the machine was busy with other work; the wall times are pessimistic. " if busy else "")
        + f"load average (1 min) before / after the import: {figures['load'][0]:.2f} / {figures['load'][1]:.2f} "
        f"on {os.cpu_count()} cores (anything else running competes with the importer and PostgreSQL)"
    )
    for key, label in (("stratified_e2e", "stratified"), ("weighted_e2e", "traffic_weighted")):
        phases = sampling.get(f"{key}_phases") or {}
        print(
            f"{label} end to end {sampling[key]:.2f} s = "
            + " + ".join(f"{name} {value:.2f} s" for name, value in phases.items() if value >= 0.005)
        )
    ratio = (n / imp) / LABEL_STUDIO_TASKS_PER_S
    print(
        f"Label Studio 1.23: ~{LABEL_STUDIO_TASKS_PER_S:,} SERP tasks/s (about one row each); "
        f"evalconsole: {n / imp:,.0f} SERPs/s with {per} result rows each = {ratio:.2f}x the tasks/s, "
        f"{ratio * per:.1f}x the rows/s"
    )
    if args.json:
        report = {
            "date": date.today().isoformat(),
            "machine": machine(),
            "postgresql": pg_version,
            "python": sys.version.split()[0],
            "serps": n,
            "results": n * per,
            "file_bytes": file_bytes,
            "generation_s": generation_s,
            "import": figures,
            "sampling": sampling,
            "sample_size": size,
            "profiled": args.profile,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"figures written to {args.json}")
    if args.profile == "cprofile":
        print_cprofile(workdir / "import.pstats")
    elif args.profile == "py-spy":
        print_py_spy(workdir / "import.folded")


def measure(args, env, workdir, pool, n, per, size):
    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.db.models import QuerySet

    from evalconsole.models import Job
    from guidelines.services import guideline_create, version_publish
    from projects import selectors, services, tasks
    from projects.models import PoolResult, PoolSerp, Task
    from projects.sampling import draw_sample
    from projects.services import pool_upload, project_create, tasks_sample

    owner = get_user_model().objects.create_user(username=OWNER, email="bench@example.com")
    guideline = guideline_create(owner=owner, name="Bench SERP satisfaction", slug="bench-serp")
    version = version_publish(version=guideline.versions.get(number=1))
    project = project_create(owner=owner, name="Bench pool import", guideline_version=version, locales=[])

    # The web request: store the file and queue the job. The Celery message is captured, not sent
    # (with CELERY_EAGER it would run the import in this process).
    queued = []
    started = time.perf_counter()
    with open(pool, "rb") as handle, mock.patch.object(tasks.run_pool_import, "delay", queued.append):
        job = pool_upload(project=project, file=File(handle, name="pool.jsonl"), created_by=owner)
    upload_s = time.perf_counter() - started
    if queued != [job.pk]:
        fail(f"pool_upload queued {queued}, expected [{job.pk}]", 3)
    pool.unlink()  # the stored copy is what the worker reads

    # The worker.
    load_before = os.getloadavg()[0]
    figures = run_import_child(env, job.pk, profile=args.profile, workdir=workdir, timeout=args.timeout)
    figures["load"] = (load_before, os.getloadavg()[0])
    job = Job.objects.get(pk=job.pk)
    if job.status != Job.Status.SUCCEEDED:
        fail(f"the import job ended {job.status}: {json.dumps(job.errors[:10], ensure_ascii=False)}", 3)
    serps = PoolSerp.objects.filter(project=project).count()
    results = PoolResult.objects.filter(serp__project=project).count()
    if (serps, results) != (n, n * per) or job.result != {"serps": n, "results": n * per}:
        fail(f"imported {serps} SERPs and {results} results (job says {job.result}); expected {n} and {n * per}", 3)
    print(f"  verified: {serps:,} SERPs, {results:,} results", flush=True)

    # Sampling, as the API call does it (its phases timed), then the draw alone.
    timings = {"upload_s": upload_s}

    def sample_e2e(key, **options):
        phases, missing, undo = {}, [], []
        for target, name, phase in (
            (selectors, "sampling_frame", "frame query"),
            (services, "draw_sample", "draw"),
            (services, "_serps_with_sensitive_results", "sensitive lookup"),
            (QuerySet, "delete", "delete old tasks"),
            (QuerySet, "bulk_create", "insert tasks"),
        ):
            _wrap(target, name, phases, phase, missing, undo)
        started = time.perf_counter()
        try:
            tasks_sample(project=project, created_by=owner, size=size, seed=1, **options)
        finally:
            timings[key] = time.perf_counter() - started
            for restore in undo:
                restore()
        phases["rest"] = max(0.0, timings[key] - sum(phases.values()))
        timings[f"{key}_phases"] = phases

    sample_e2e("stratified_e2e", strategy="stratified", strata=["locale"])
    if Task.objects.filter(project=project).count() != size:
        fail("stratified sampling made the wrong number of tasks", 3)
    started = time.perf_counter()
    frame = selectors.sampling_frame(project=project, exclude_sampled=False)
    timings["frame_s"] = time.perf_counter() - started
    started = time.perf_counter()
    draw_sample(frame, strategy="stratified", strata=["locale"], size=size, seed=1)
    timings["stratified_draw"] = time.perf_counter() - started
    started = time.perf_counter()
    draw_sample(frame, strategy="traffic_weighted", size=size, seed=1)
    timings["weighted_draw"] = time.perf_counter() - started
    sample_e2e("weighted_e2e", strategy="traffic_weighted")
    if Task.objects.filter(project=project).count() != size:
        fail("traffic_weighted sampling made the wrong number of tasks", 3)
    print(f"  sampled {size:,} tasks (stratified, then traffic_weighted)", flush=True)
    return figures, timings


if __name__ == "__main__":
    main()
