"""A project judged through the real engine and services, with answers a test can predict."""

import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task
from raters import engine, services
from tests.raters.engine_fixtures import qualified_rater

LOCALES = ("it-IT", "de-DE")
CATEGORIES = ("food", "travel", "news")
User = get_user_model()


def satisfaction_of(task_number: int, rater_number: int) -> int:
    """Raters mostly agree; the third one is a point more generous on every other task."""
    base = 2 + task_number % 4
    return min(5, base + (1 if rater_number == 2 and task_number % 2 else 0))


def grade_of(rank: int, task_number: int) -> int:
    """Grades that are not always in the best order, so nDCG is not 1 everywhere."""
    return (rank * (task_number + 1) + task_number) % 5


INCLUSION = {"it-IT": 0.5, "de-DE": 0.25}


def judged_project(
    *, owner, version, tasks=12, results=3, raters=3, gold=0, name="Judged", cannot_judge_every=0, shift=0
):
    """An active project whose tasks were all judged by `raters` raters (overlap = raters).

    `shift` raises every page score (capped at 5): a second run over the same queries that did better.
    """
    project = EvaluationProject.objects.create(
        name=name, owner=owner, guideline_version=version, overlap=raters, locales=list(LOCALES),
        status=EvaluationProject.Status.ACTIVE, activated_at=timezone.now(), cost_per_judgment="0.50",
        gold_rate=gold / tasks,
    )  # fmt: skip
    serps = PoolSerp.objects.bulk_create(
        [
            PoolSerp(
                project=project,
                query_id=f"q{n}",
                query=f"query number {n}",
                locale=LOCALES[n % 2],
                category=CATEGORIES[n % 3],
                traffic=1 + n,
            )  # fmt: skip
            for n in range(tasks)
        ]
    )
    PoolResult.objects.bulk_create(
        [
            PoolResult(serp=serp, rank=rank, doc_id=f"{serp.query_id}-d{rank}", url=f"https://x.example/{rank}")
            for serp in serps
            for rank in range(1, results + 1)
        ]
    )
    run = SamplingRun.objects.create(
        project=project, strategy="stratified", strata=["locale"], size=tasks, seed=1, created_by=owner
    )
    Task.objects.bulk_create(
        [
            Task(
                project=project,
                sampling_run=run,
                serp=serp,
                query_id=serp.query_id,
                locale=serp.locale,
                category=serp.category,
                stratum=serp.locale,
                inclusion_probability=INCLUSION[serp.locale],
                overlap=raters,
                shuffle=n,
                is_gold=n >= tasks - gold,
                gold_answers={"page": {"satisfaction": satisfaction_of(n, 0)}} if n >= tasks - gold else None,
            )  # fmt: skip
            for n, serp in enumerate(serps)
        ]
    )
    # The same people judge every project made here, as a vendor's raters would.
    people = [_judge(version, f"judge{r}") for r in range(raters)]
    for rater_number, rater in enumerate(people):
        while (assignment := engine.lease_next(rater=rater, project=project)) is not None:
            task_number = int(assignment.task.query_id[1:])
            services.judgment_submit(
                assignment=assignment, submission_id=uuid.uuid4(), active_ms=20_000 + 1000 * rater_number,
                **answers(task_number, rater_number, results, cannot_judge_every, shift),
            )  # fmt: skip
    return project


def _judge(version, username):
    existing = User.objects.filter(username=username).first()
    return existing or qualified_rater(version, username=username, locales=LOCALES)


def answers(task_number: int, rater_number: int, results: int, cannot_judge_every: int, shift: int = 0) -> dict:
    if cannot_judge_every and task_number % cannot_judge_every == 0 and rater_number == 0:
        return {"page": {}, "results": {}, "cannot_judge": "did_not_load"}
    pains = ["outdated"] if task_number % 3 == 0 else []
    if task_number % 4 == 0:
        pains.append("duplicates")
    return {
        "page": {
            "satisfaction": min(5, satisfaction_of(task_number, rater_number) + shift),
            "pain_points": pains,
            "comment": f"comment {task_number}/{rater_number}" if pains else "",
        },
        "results": {
            f"q{task_number}-d{rank}": {"relevance": grade_of(rank, task_number)} for rank in range(1, results + 1)
        },
    }
