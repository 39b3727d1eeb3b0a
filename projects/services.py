"""Writes for evaluation projects: settings and status, pool imports, sampling into tasks."""

import io
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import PurePath

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from evalconsole import jobs
from evalconsole.errors import Conflict
from evalconsole.locales import locale_problem
from evalconsole.models import Job
from guidelines.answers import validate_answers
from guidelines.models import GuidelineVersion
from guidelines.schema import is_side_by_side
from projects import selectors
from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task
from projects.pool_format import PoolReader, detect_format
from projects.sampling import ALLOCATIONS, STRATEGIES, SamplingError, draw_sample

Status = EvaluationProject.Status
Kind = EvaluationProject.Kind
POOL_IMPORT = "pool_import"
SAMPLE_STRATA = ("locale", "category", "variant")
IMPORT_BATCH = 2000
# Settings a project keeps once raters may be working on it.
LIVE_FIELDS = ("name", "deadline", "priority", "cost_per_judgment", "lease_minutes", "gold_rate")
PROJECT_FIELDS = (
    "name", "guideline_version", "kind", "variants", "overlap", "locales", "lease_minutes", "gold_rate",
    "cost_per_judgment", "deadline", "priority",
)  # fmt: skip


# --- Projects ---------------------------------------------------------------------------


def _project_errors(values: dict, *, creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if "name" in values and not (values["name"] or "").strip():
        add("name", "A project needs a name.")
    version = values.get("guideline_version")
    if version is not None and version.status != GuidelineVersion.Status.PUBLISHED:
        add(
            "guideline_version",
            f'Version {version.number} of "{version.guideline.slug}" is {version.status}; '
            "a project can only use a published version.",
        )
    kind = values.get("kind")
    if kind is not None and kind not in Kind.values:
        add("kind", f'"{kind}" is not a project kind; use graded or side_by_side.')
    if version is not None and kind in Kind.values:
        if kind == Kind.SIDE_BY_SIDE and not is_side_by_side(version.schema):
            add("kind", "A side-by-side project needs a guideline version with a preference question.")
        if kind == Kind.GRADED and is_side_by_side(version.schema):
            add("kind", "This guideline version asks for a side-by-side preference; choose side_by_side.")
    variants = values.get("variants")
    if variants is not None:
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
            add("variants", "Variants are a list of names.")
        elif kind == Kind.SIDE_BY_SIDE and (len(variants) != 2 or variants[0] == variants[1]):
            add("variants", "A side-by-side project compares exactly two differently named variants.")
        elif kind == Kind.GRADED and variants:
            add("variants", "Only side-by-side projects name variants.")
        elif any(len(v) > 100 for v in variants):
            add("variants", "A variant name has at most 100 characters.")
    ranges = {
        "overlap": (1, 50, "judgments per task"),
        "lease_minutes": (1, 240, "minutes"),
        "priority": (-100, 100, ""),
    }
    for name, (low, high, unit) in ranges.items():
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            add(name, f"Use a whole number from {low} to {high}{' ' + unit if unit else ''}.")
    gold_rate = values.get("gold_rate")
    if gold_rate is not None and not (isinstance(gold_rate, (int, float)) and 0 <= gold_rate <= 0.5):
        add("gold_rate", "The gold rate is a share from 0 to 0.5 of each rater's tasks.")
    cost = values.get("cost_per_judgment")
    if cost is not None:
        try:
            if Decimal(str(cost)) < 0:
                add("cost_per_judgment", "The cost per judgment cannot be negative.")
        except InvalidOperation:
            add("cost_per_judgment", "The cost per judgment is a number.")
    locales = values.get("locales")
    if locales is not None:
        if not isinstance(locales, list):
            add("locales", "Give locales as a list of tags, e.g. it-IT.")
        else:
            for locale in locales:
                if problem := locale_problem(locale):
                    add("locales", problem)
            if len(set(locales)) != len(locales):
                add("locales", "A locale is listed twice.")
    deadline = values.get("deadline")
    if creating and deadline is not None and deadline <= timezone.now():
        add("deadline", "The deadline must be in the future.")
    return errors


def project_create(*, owner, **values) -> EvaluationProject:
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    values.setdefault("kind", Kind.GRADED)
    values.setdefault("variants", [])
    if errors := _project_errors(values, creating=True):
        raise ValidationError(errors)
    values["name"] = values["name"].strip()
    return EvaluationProject.objects.create(owner=owner, **values)


def project_update(*, project: EvaluationProject, **values) -> EvaluationProject:
    if project.status == Status.COMPLETED:
        raise Conflict(f'"{project.name}" is completed; its settings no longer change.', code="project_completed")
    if project.status != Status.DRAFT:
        frozen = sorted(name for name in values if name not in LIVE_FIELDS and values[name] != getattr(project, name))
        if frozen:
            raise Conflict(
                f'"{project.name}" is {project.status}: {", ".join(frozen)} can change only while it is a draft.',
                code="project_not_draft",
            )
    merged = {name: values.get(name, getattr(project, name)) for name in PROJECT_FIELDS}
    errors = _project_errors(merged, creating=False)
    deadline = values.get("deadline")
    if deadline is not None and deadline != project.deadline and deadline <= timezone.now():
        errors.setdefault("deadline", []).append("The deadline must be in the future.")
    if errors:
        raise ValidationError({name: messages for name, messages in errors.items() if name in values} or errors)
    for name, value in values.items():
        setattr(project, name, value.strip() if name == "name" else value)
    project.save(update_fields=list(values))
    return project


_TRANSITIONS = {
    "activate": ((Status.DRAFT, Status.PAUSED), Status.ACTIVE),
    "pause": ((Status.ACTIVE,), Status.PAUSED),
    "complete": ((Status.ACTIVE, Status.PAUSED), Status.COMPLETED),
}


def project_transition(*, project: EvaluationProject, action: str) -> EvaluationProject:
    """activate, pause or complete, each only from the states where it makes sense."""
    sources, target = _TRANSITIONS[action]
    if project.status == target:
        raise Conflict(f'"{project.name}" is already {target}.', code="bad_transition")
    if project.status not in sources:
        allowed = " or ".join(sources)
        raise Conflict(
            f'"{project.name}" is {project.status}; it can be {target} only when it is {allowed}.',
            code="bad_transition",
        )
    now = timezone.now()
    stamps = {"activated_at": now} if target == Status.ACTIVE and project.activated_at is None else {}
    if target == Status.COMPLETED:
        stamps["completed_at"] = now
    with transaction.atomic():
        locked = EvaluationProject.objects.select_for_update().get(pk=project.pk)
        if target == Status.ACTIVE and not locked.tasks.exists():
            raise Conflict(f'"{project.name}" has no tasks yet: sample the pool before activating.', code="no_tasks")
        updated = EvaluationProject.objects.filter(pk=project.pk, status__in=sources).update(status=target, **stamps)
    if not updated:
        project.refresh_from_db()
        raise Conflict(f'"{project.name}" changed meanwhile; it is now {project.status}.', code="bad_transition")
    project.status = target
    for name, value in stamps.items():
        setattr(project, name, value)
    return project


# --- Pool import ------------------------------------------------------------------------


def _human_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def pool_upload(*, project: EvaluationProject, file, created_by) -> Job:
    """Keep the uploaded file and queue its import; the import itself runs in a worker."""
    if project.status == Status.COMPLETED:
        raise Conflict(f'"{project.name}" is completed; its pool no longer changes.', code="project_completed")
    limit = settings.POOL_MAX_UPLOAD_BYTES
    if file.size > limit:
        raise ValidationError({"file": [f"The file is {_human_size(file.size)}; the limit is {_human_size(limit)}."]})
    if file.size == 0:
        raise ValidationError({"file": ["The file is empty."]})
    head = file.read(64)
    file.seek(0)
    fmt = detect_format(file.name, head)
    suffix = PurePath(file.name or "").suffix.lower()[:10]
    stored = default_storage.save(f"pool-uploads/{project.pk}-{secrets.token_hex(8)}{suffix}", file)
    job = jobs.job_create(
        kind=POOL_IMPORT,
        created_by=created_by,
        params={"project": project.pk, "file": stored, "filename": file.name, "format": fmt, "size": file.size},
    )
    from projects.tasks import run_pool_import  # tasks import services; imported here to avoid a cycle

    transaction.on_commit(lambda: run_pool_import.delay(job.pk))
    return job


class _BulkWriter:
    """Inserts SERPs and their results in large batches with the ORM (any database)."""

    def __init__(self, project_id: int, job_id: int):
        self.project_id, self.job_id = project_id, job_id

    def write(self, records) -> None:
        serps = PoolSerp.objects.bulk_create(
            [
                PoolSerp(
                    project_id=self.project_id,
                    query_id=r.query_id,
                    query=r.query,
                    locale=r.locale,
                    category=r.category,
                    traffic=r.traffic,
                    variant=r.variant,
                    import_job_id=self.job_id,
                )  # fmt: skip
                for r in records
            ]
        )
        PoolResult.objects.bulk_create(
            [
                PoolResult(serp_id=serp.pk, **vars(result))
                for serp, r in zip(serps, records, strict=True)
                for result in r.results
            ],
            batch_size=5000,
        )


def _copy_text(value: str) -> str:
    """A text value escaped for COPY's text format (backslash, tab, newline, carriage return)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _CopyWriter(_BulkWriter):
    """PostgreSQL: ids from the sequence in one round trip, then COPY (text format) for both tables."""

    SERP_COLUMNS = "id, project_id, query_id, query, locale, category, traffic, variant, import_job_id"
    RESULT_COLUMNS = "serp_id, rank, doc_id, title, url, snippet, media_type, thumbnail_url, sensitive"

    def write(self, records) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('projects_poolserp', 'id')) FROM generate_series(1, %s)",
                [len(records)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            esc = _copy_text
            serp_lines, result_lines = [], []
            tail = f"\t{self.job_id}\n"
            for serp_id, r in zip(ids, records, strict=True):
                serp_lines.append(
                    f"{serp_id}\t{self.project_id}\t{esc(r.query_id)}\t{esc(r.query)}\t{r.locale}\t"
                    f"{esc(r.category)}\t{r.traffic!r}\t{esc(r.variant)}{tail}"
                )
                head = f"{serp_id}\t"
                result_lines += [
                    f"{head}{x.rank}\t{esc(x.doc_id)}\t{esc(x.title)}\t{esc(x.url)}\t{esc(x.snippet)}\t"
                    f"{x.media_type}\t{esc(x.thumbnail_url)}\t{'t' if x.sensitive else 'f'}\n"
                    for x in r.results
                ]
            cursor.copy_expert(
                f"COPY projects_poolserp ({self.SERP_COLUMNS}) FROM STDIN", io.StringIO("".join(serp_lines))
            )
            cursor.copy_expert(
                f"COPY projects_poolresult ({self.RESULT_COLUMNS}) FROM STDIN", io.StringIO("".join(result_lines))
            )


def _batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _writer(project_id: int, job_id: int) -> _BulkWriter:
    cls = _CopyWriter if connection.vendor == "postgresql" else _BulkWriter
    return cls(project_id, job_id)


def pool_import_run(*, job_id: int) -> Job | None:
    """The import job: read the stored file as a stream and write it, all or nothing.

    Safe to run twice: the claim lets one run through; a second finds the job done, or held
    (jobs.JobHeld: its task tries again when the holder's time is up).
    """
    job = jobs.job_claim(job_id=job_id, stale_after=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT))
    if job is None:
        return None
    params = job.params
    project = EvaluationProject.objects.get(pk=params["project"])
    total = max(1, params.get("size") or 1)
    with default_storage.open(params["file"], "rb") as stream:
        # One transaction for the whole file: a bad line anywhere means nothing is kept.
        with transaction.atomic():
            EvaluationProject.objects.select_for_update().filter(pk=project.pk).first()
            if connection.vendor == "postgresql":
                # Check foreign keys during each COPY rather than a million at once in COMMIT.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            reader = PoolReader(
                stream,
                fmt=params["format"],
                variants=tuple(project.variants) if project.is_side_by_side else (),
                locales=tuple(project.locales),
                known_keys=PoolSerp.objects.filter(project=project).values_list("query_id", "variant").iterator(),
            )
            writer = _writer(project.pk, job.pk)
            for batch in _batched(reader, IMPORT_BATCH):
                if reader.ok:
                    writer.write(batch)
                jobs.job_progress(job=job, fraction=reader.bytes_read / total)
            if not reader.ok:
                transaction.set_rollback(True)
    default_storage.delete(params["file"])
    if not reader.ok:
        errors = [problem.as_dict() for problem in reader.problems]
        return jobs.job_finish(job=job, errors=errors, result={"more_problems": reader.truncated})
    return jobs.job_finish(job=job, result={"serps": reader.serps, "results": reader.results})


# --- Sampling into tasks ----------------------------------------------------------------


def _serps_with_sensitive_results(serp_ids: list[int]) -> set[int]:
    found = set()
    for start in range(0, len(serp_ids), 10_000):
        chunk = serp_ids[start : start + 10_000]
        found |= set(PoolResult.objects.filter(serp_id__in=chunk, sensitive=True).values_list("serp_id", flat=True))
    return found


def tasks_sample(
    *,
    project: EvaluationProject,
    created_by,
    strategy: str,
    size: int,
    strata=(),
    allocation: str = "proportional",
    seed: int | None = None,
    mode: str = "replace",
) -> SamplingRun:
    """Draw tasks from the pool. `replace` (drafts only) redraws every task; `add` samples
    more from the SERPs no task holds yet, also while the project runs."""
    errors = {}
    if strategy not in STRATEGIES:
        errors["strategy"] = [f'"{strategy}" is not a strategy; use one of {", ".join(STRATEGIES)}.']
    if allocation not in ALLOCATIONS:
        errors["allocation"] = [f'"{allocation}" is not an allocation; use one of {", ".join(ALLOCATIONS)}.']
    strata = list(strata or [])
    if strategy == "stratified" and not strata:
        errors["strata"] = ["Stratified sampling needs at least one field to stratify by."]
    allowed = SAMPLE_STRATA if not project.is_side_by_side else ("locale", "category")
    for name in strata:
        if name not in allowed:
            errors.setdefault("strata", []).append(
                f'"{name}" is not a pool field to stratify by; use {", ".join(allowed)}.'
            )
    if mode not in ("replace", "add"):
        errors["mode"] = ['Use "replace" (redraw every task) or "add" (sample more).']
    if errors:
        raise ValidationError(errors)
    if project.status == Status.COMPLETED or (mode == "replace" and project.status != Status.DRAFT):
        raise Conflict(
            f'"{project.name}" is {project.status}: its tasks can only be redrawn while it is a draft; '
            'sample with mode "add" to add tasks.'
            if project.status != Status.COMPLETED
            else f'"{project.name}" is completed; it takes no more tasks.',
            code="project_not_draft",
        )
    seed = seed if seed is not None else secrets.randbelow(2**31)
    frame = selectors.sampling_frame(project=project, exclude_sampled=mode == "add")
    if frame.empty:
        raise ValidationError({"size": ["The pool has no SERPs left to sample; import a pool first."]})
    try:
        sample = draw_sample(frame, strategy=strategy, size=size, seed=seed, strata=strata, allocation=allocation)
    except SamplingError as error:
        raise ValidationError({error.field: [str(error)]}) from None
    chosen = frame.set_index("unit").loc[sample["unit"]]
    serp_ids = [int(unit) for unit in sample["unit"]] + [int(b) for b in chosen["serp_b"] if not pd.isna(b)]
    sensitive = _serps_with_sensitive_results(serp_ids)
    shuffles = np.random.default_rng(seed).integers(0, 2**31 - 1, size=len(sample))
    with transaction.atomic():
        EvaluationProject.objects.select_for_update().filter(pk=project.pk).first()
        if mode == "replace":
            # One DELETE each instead of the ORM's collect-then-delete: a draft's tasks have no
            # assignments yet, and the database's foreign keys refuse the delete if one did.
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {Task._meta.db_table} WHERE project_id = %s", [project.pk])  # noqa: S608
                cursor.execute(f"DELETE FROM {SamplingRun._meta.db_table} WHERE project_id = %s", [project.pk])  # noqa: S608
        run = SamplingRun.objects.create(
            project=project, strategy=strategy, size=size, strata=strata,
            allocation=allocation if strategy == "stratified" else "", seed=seed, mode=mode,
            tasks_made=len(sample), created_by=created_by,
        )  # fmt: skip
        Task.objects.bulk_create(
            [
                Task(
                    project=project,
                    sampling_run=run,
                    serp_id=int(unit),
                    serp_b_id=None if pd.isna(row.serp_b) else int(row.serp_b),
                    query_id=row.query_id,
                    locale=row.locale,
                    category=row.category,
                    stratum=stratum,
                    inclusion_probability=float(probability),
                    priority=project.priority,
                    overlap=project.overlap,
                    has_sensitive=int(unit) in sensitive or (not pd.isna(row.serp_b) and int(row.serp_b) in sensitive),
                    shuffle=int(shuffle),
                )  # fmt: skip
                for unit, row, probability, stratum, shuffle in zip(
                    sample["unit"],
                    chosen.itertuples(),
                    sample["inclusion_probability"],
                    sample["stratum"],
                    shuffles,
                    strict=True,
                )
            ],
            batch_size=5000,
        )
    return run


# --- Gold items ---------------------------------------------------------------------------


def task_set_gold(*, task: Task, page: dict, results: dict) -> Task:
    """Mark a task as gold with the answers a careful rater should give (any subset of questions)."""
    project = task.project
    if project.status == Status.COMPLETED:
        raise Conflict(f'"{project.name}" is completed; its gold items no longer change.', code="project_completed")
    if not page and not results:
        raise ValidationError({"answers": ["A gold item needs at least one expected answer."]})
    serps = [serp for serp in (task.serp, task.serp_b) if serp is not None]
    doc_ids = list(PoolResult.objects.filter(serp__in=serps).values_list("doc_id", flat=True))
    problems = validate_answers(
        project.guideline_version.schema, page=page, results=results, doc_ids=doc_ids, complete=False
    )
    if problems:
        raise ValidationError({"answers": [str(problem) for problem in problems]})
    task.is_gold, task.gold_answers = True, {"page": page, "results": results}
    task.save(update_fields=["is_gold", "gold_answers"])
    return task


def task_unset_gold(*, task: Task) -> Task:
    task.is_gold, task.gold_answers = False, None
    task.save(update_fields=["is_gold", "gold_answers"])
    return task
