"""Factories for projects and their pools, written straight to the tables.

Tests use them for the state a test starts from; what a test is about goes through the
services (an import through `pool_upload`, tasks through `tasks_sample`).
"""

import factory

from projects.models import EvaluationProject, PoolResult, PoolSerp
from tests.factories import UserFactory, VersionFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationProject

    name = factory.Sequence(lambda n: f"Project {n}")
    owner = factory.SubFactory(UserFactory, role="owner")
    guideline_version = factory.SubFactory(VersionFactory, published=True)
    locales = factory.LazyFunction(lambda: ["it-IT", "de-DE"])


class PoolSerpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolSerp

    project = factory.SubFactory(ProjectFactory)
    query_id = factory.Sequence(lambda n: f"seed-{n:03d}")
    query = factory.Sequence(lambda n: f"query {n}")
    locale = "it-IT"
    category = "food"
    traffic = 100.0
    variant = ""


class PoolResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolResult

    serp = factory.SubFactory(PoolSerpFactory)
    rank = 1
    doc_id = factory.Sequence(lambda n: f"v-{n}")
    title = factory.LazyAttribute(lambda o: f"Video {o.doc_id}")
    url = factory.LazyAttribute(lambda o: f"https://video.example/{o.doc_id}")


def serp_with_results(*, results: int = 2, **fields) -> PoolSerp:
    """A pool SERP holding `results` results ranked 1..results."""
    serp = PoolSerpFactory(**fields)
    for rank in range(1, results + 1):
        PoolResultFactory(serp=serp, rank=rank, doc_id=f"{serp.query_id}-doc-{rank}")
    return serp
