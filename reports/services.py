"""Writes for reports: ask for an aggregation, and run it into a snapshot."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from evalconsole import jobs
from evalconsole.errors import Conflict
from evalconsole.models import Job
from projects.models import EvaluationProject
from raters.models import Judgment
from reports import selectors
from reports.build import Questions, ReportContext, build_report
from reports.models import ReportSnapshot

REPORT = "report"


def report_request(*, project: EvaluationProject, created_by) -> Job:
    """Queue an aggregation of the project; one already waiting or running is returned instead."""
    if not Judgment.objects.filter(project=project, removed_at__isnull=True).exists():
        raise Conflict(f'"{project.name}" has no judgments yet, so there is nothing to report.', code="no_judgments")
    # A second click while the first is on its way gets that job (a job older than the time limit
    # is not waited for: its message may be lost).
    pending = Job.objects.filter(
        kind=REPORT, params__project=project.pk, created_by=created_by,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        created_at__gte=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    ).first()  # fmt: skip
    if pending is not None:
        return pending
    job = jobs.job_create(kind=REPORT, created_by=created_by, params={"project": project.pk})
    from reports.tasks import run_report  # tasks import services; imported here to avoid a cycle

    transaction.on_commit(lambda: run_report.delay(job.pk))
    return job


def report_build_run(*, job_id: int) -> ReportSnapshot | None:
    """The aggregation job: read the project in bulk, compute, store one snapshot.

    Safe to run twice and to take over from a dead worker: the claim lets one run through (a
    message for a job another worker holds raises jobs.JobHeld and comes back later), and
    the snapshot is written in one INSERT at the end, unique per job, so a run killed halfway
    leaves nothing behind and a second run cannot add a twin.
    """
    job = jobs.job_claim(job_id=job_id, stale_after=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT))
    if job is None:
        return None
    done = ReportSnapshot.objects.filter(job=job).first()
    if done is not None:
        # An earlier run stored the snapshot and died before closing the job.
        jobs.job_finish(job=job, result={"snapshot": done.pk})
        return done
    project = EvaluationProject.objects.select_related("guideline_version").get(pk=job.params["project"])
    jobs.job_progress(job=job, fraction=0.05)
    grade = Questions.of(project.guideline_version.schema).grade
    frames = selectors.project_frames(project.pk, grade_question=grade["key"] if grade else None)
    jobs.job_progress(job=job, fraction=0.4)
    context = _context(project)
    data, per_query = build_report(frames, context, progress=lambda f: jobs.job_progress(job=job, fraction=0.4 + f / 2))
    try:
        with transaction.atomic():
            snapshot = ReportSnapshot.objects.create(
                project=project, job=job, judgments=data["judgments"], data=data, per_query=per_query
            )
    except IntegrityError:
        snapshot = ReportSnapshot.objects.get(job=job)
    jobs.job_finish(job=job, result={"snapshot": snapshot.pk})
    return snapshot


def _context(project: EvaluationProject) -> ReportContext:
    return ReportContext(
        project_id=project.pk,
        kind=project.kind,
        variants=list(project.variants or []),
        schema=project.guideline_version.schema,
        guideline_version=project.guideline_version.number,
        cost_per_judgment=float(project.cost_per_judgment),
        deadline=project.deadline,
        now=timezone.now(),
    )


def reports_refresh_active() -> list[Job]:
    """Queue a report for every active project judged since its newest snapshot (the beat job's work)."""
    jobs_made = []
    active = EvaluationProject.objects.filter(status=EvaluationProject.Status.ACTIVE).select_related("owner")
    for project in active:
        newest = selectors.latest_snapshot(project)
        judged = Judgment.objects.filter(project=project, removed_at__isnull=True)
        if newest is not None:
            judged = judged.filter(created_at__gt=newest.created_at)
        if judged.exists():
            jobs_made.append(report_request(project=project, created_by=project.owner))
    return jobs_made
