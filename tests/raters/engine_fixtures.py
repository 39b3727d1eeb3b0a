"""Building blocks for engine tests: an active project with a pool and tasks, and qualified raters."""

from django.utils import timezone

from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task
from raters.models import RaterProfile
from tests.factories import UserFactory


def active_project(*, owner, version, tasks=10, overlap=3, locales=("it-IT",), gold=0, sensitive=0, **settings):
    project = EvaluationProject.objects.create(
        name=settings.pop("name", "Engine test"), owner=owner, guideline_version=version, overlap=overlap,
        status=EvaluationProject.Status.ACTIVE, activated_at=timezone.now(), **settings,
    )  # fmt: skip
    serps = PoolSerp.objects.bulk_create(
        [
            PoolSerp(project=project, query_id=f"q-{n}", query=f"query {n}", locale=locales[n % len(locales)])
            for n in range(tasks)
        ]
    )
    PoolResult.objects.bulk_create(
        [
            PoolResult(
                serp=serp, rank=1, doc_id=f"d-{serp.query_id}", url="https://x.example/", sensitive=n < sensitive
            )
            for n, serp in enumerate(serps)
        ]
    )
    run = SamplingRun.objects.create(project=project, strategy="uniform", size=tasks, seed=1, created_by=owner)
    Task.objects.bulk_create(
        [
            Task(
                project=project,
                sampling_run=run,
                serp=serp,
                query_id=serp.query_id,
                locale=serp.locale,
                inclusion_probability=1.0,
                overlap=overlap,
                shuffle=(n * 7919) % 10007,
                is_gold=n >= tasks - gold,
                gold_answers={"page": {"satisfaction": 4}} if n >= tasks - gold else None,
                has_sensitive=n < sensitive,
            )  # fmt: skip
            for n, serp in enumerate(serps)
        ]
    )
    return project


def qualified_rater(version, *, username=None, locales=("it-IT",), quota=1000, **profile):
    rater = UserFactory(**({"username": username} if username else {}), role="rater", locales=list(locales))
    RaterProfile.objects.filter(user=rater).update(daily_quota=quota, **profile)
    rater.rater_profile.refresh_from_db()
    rater.rater_profile.qualifications.add(version.guideline)
    return rater


def answers_for(assignment) -> dict:
    doc_ids = list(
        PoolResult.objects.filter(serp_id__in=[assignment.task.serp_id, assignment.task.serp_b_id]).values_list(
            "doc_id", flat=True
        )
    )
    return {"page": {"satisfaction": 4}, "results": {doc: {"relevance": 2} for doc in doc_ids}}
