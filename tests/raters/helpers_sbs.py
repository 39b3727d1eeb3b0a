"""Building blocks for side-by-side tests: a preference schema and a project of paired SERPs.

Each task pairs the first variant's page (`serp`) with the second's (`serp_b`), as sampling
does. The two pages hold different documents, so a test can tell them apart without looking
at the variant names, which the rater must never see.
"""

from django.utils import timezone

from guidelines.schema import PREFERENCE_KEY, PREFERENCE_VALUES, validate_schema
from projects.models import EvaluationProject, PoolResult, PoolSerp, SamplingRun, Task

VARIANTS = ("baseline", "experiment")

SIDE_BY_SIDE_SCHEMA = {
    "result_questions": [],
    "page_questions": [
        {
            "key": PREFERENCE_KEY,
            "label": "Which page is better?",
            "type": "ordinal",
            "required": True,
            "options": [{"value": value, "label": f"{value:+d}"} for value in PREFERENCE_VALUES],
        },
        {"key": "comment", "label": "Comment", "type": "text", "max_length": 500},
    ],
    "cannot_judge_reasons": ["did_not_load"],
}
assert validate_schema(SIDE_BY_SIDE_SCHEMA) == [], "the side-by-side schema used in tests must be valid"


def side_by_side_project(*, owner, version, tasks=10, overlap=1, locale="it-IT", variants=VARIANTS):
    project = EvaluationProject.objects.create(
        name="Side by side", owner=owner, guideline_version=version, kind=EvaluationProject.Kind.SIDE_BY_SIDE,
        variants=list(variants), overlap=overlap, status=EvaluationProject.Status.ACTIVE, activated_at=timezone.now(),
    )  # fmt: skip
    first = PoolSerp.objects.bulk_create(
        [
            PoolSerp(project=project, query_id=f"q-{n}", query=f"query {n}", locale=locale, variant=variants[0])
            for n in range(tasks)
        ]
    )
    second = PoolSerp.objects.bulk_create(
        [
            PoolSerp(project=project, query_id=f"q-{n}", query=f"query {n}", locale=locale, variant=variants[1])
            for n in range(tasks)
        ]
    )
    PoolResult.objects.bulk_create(
        [
            PoolResult(serp=serp, rank=rank, doc_id=f"{page}-{serp.query_id}-{rank}", url="https://x.example/")
            for page, serps in (("p1", first), ("p2", second))
            for serp in serps
            for rank in (1, 2)
        ]
    )
    run = SamplingRun.objects.create(project=project, strategy="uniform", size=tasks, seed=1, created_by=owner)
    Task.objects.bulk_create(
        [
            Task(
                project=project,
                sampling_run=run,
                serp=a,
                serp_b=b,
                query_id=a.query_id,
                locale=locale,
                inclusion_probability=1.0,
                overlap=overlap,
                shuffle=n,
            )  # fmt: skip
            for n, (a, b) in enumerate(zip(first, second, strict=True))
        ]
    )
    return project


def doc_ids(serp) -> list[str]:
    return list(PoolResult.objects.filter(serp=serp).order_by("rank").values_list("doc_id", flat=True))
