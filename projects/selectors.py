import pandas as pd
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from projects.models import EvaluationProject, PoolSerp, Task


def project_list(*, projects: QuerySet) -> QuerySet:
    """Projects with their progress counted in the same query."""
    return projects.select_related("owner", "guideline_version__guideline").annotate(
        task_count=Count("tasks", distinct=True),
        judgments_done=Sum("tasks__judgment_count"),
        judgments_needed=Sum("tasks__overlap"),
    )


def pool_summary(*, project: EvaluationProject) -> dict:
    serps = PoolSerp.objects.filter(project=project)

    def counts(field):
        rows = serps.values(field).annotate(n=Count("id")).order_by("-n", field)
        return {row[field]: row["n"] for row in rows}

    return {
        "serps": serps.count(),
        "results": serps.aggregate(n=Count("results"))["n"],
        "locale": counts("locale"),
        "category": counts("category"),
        "variant": counts("variant"),
    }


def pool_serps(*, project: EvaluationProject) -> QuerySet:
    return (
        PoolSerp.objects.filter(project=project).annotate(result_count=Count("results")).order_by("query_id", "variant")
    )


def sampling_frame(*, project: EvaluationProject, exclude_sampled: bool) -> pd.DataFrame:
    """One row per sampling unit: a SERP (graded) or a query's pair of SERPs (side by side).

    Columns: unit (the SERP id, the first variant's for side by side), serp_b, query_id,
    locale, category, traffic, variant.
    """
    columns = ["id", "query_id", "locale", "category", "traffic", "variant"]
    serps = PoolSerp.objects.filter(project=project)
    if exclude_sampled:
        taken = Task.objects.filter(project=project, serp=OuterRef("pk"))
        serps = serps.exclude(Exists(taken))
    frame = pd.DataFrame.from_records(serps.values_list(*columns), columns=columns)
    if not project.is_side_by_side:
        return frame.rename(columns={"id": "unit"}).assign(serp_b=None)
    first, second = project.variants
    left = frame[frame["variant"] == first].rename(columns={"id": "unit"})
    right = frame[frame["variant"] == second][["query_id", "id"]].rename(columns={"id": "serp_b"})
    return left.merge(right, on="query_id", how="inner").astype({"serp_b": "object"})


def task_list(*, project: EvaluationProject) -> QuerySet:
    return Task.objects.filter(project=project).select_related("serp", "serp_b").order_by("id")
