"""Fixtures for projects: a graded and a side-by-side project, seeded pools and an importer.

"olivia" (the `owner` persona) owns both projects. The importer drives the real path: the
upload service stores the file and queues the job on commit; CELERY_EAGER runs it in-process.
"""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guidelines.schema import PREFERENCE_KEY, PREFERENCE_VALUES, STARTER_SCHEMA
from projects import services
from projects.models import EvaluationProject, PoolResult, PoolSerp
from tests.factories import GuidelineFactory, VersionFactory
from tests.projects.factories import ProjectFactory, serp_with_results

VARIANTS = ["baseline", "experiment"]


def preference_schema() -> dict:
    schema = copy.deepcopy(STARTER_SCHEMA)
    schema["page_questions"].insert(
        0,
        {
            "key": PREFERENCE_KEY,
            "label": "Which page is better?",
            "type": "ordinal",
            "required": True,
            "options": [{"value": value, "label": str(value)} for value in PREFERENCE_VALUES],
        },
    )
    return schema


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploaded pool files land in this test's own directory, not in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sbs_version(owner):
    guideline = GuidelineFactory(owner=owner, slug="sbs", name="Side by side")
    return VersionFactory(guideline=guideline, number=1, published=True, schema=preference_schema())


@pytest.fixture
def project(owner, published_version):
    return ProjectFactory(owner=owner, guideline_version=published_version, name="Pasta study")


@pytest.fixture
def sbs_project(owner, sbs_version):
    return ProjectFactory(
        owner=owner,
        guideline_version=sbs_version,
        name="Ranker A/B",
        kind=EvaluationProject.Kind.SIDE_BY_SIDE,
        variants=list(VARIANTS),
    )


@pytest.fixture
def seeded_project(project):
    """The graded project holding a small good pool, so "nothing changed" means something."""
    serp_with_results(project=project, query_id="q-001", locale="it-IT", category="food", results=2)
    serp_with_results(project=project, query_id="q-002", locale="de-DE", category="music", results=1)
    return project


@pytest.fixture
def seeded_sbs_project(sbs_project):
    for variant in VARIANTS:
        serp_with_results(project=sbs_project, query_id="q-001", variant=variant, results=2)
    return sbs_project


def pool_state(project) -> tuple[list[tuple], list[tuple]]:
    """Every SERP and result of a project's pool, to show an import left it as it was."""
    serps = list(PoolSerp.objects.filter(project=project).order_by("pk").values_list())
    results = list(PoolResult.objects.filter(serp__project=project).order_by("pk").values_list())
    return serps, results


@pytest.fixture
def import_file(owner, private_media, django_capture_on_commit_callbacks):
    """Upload `data` to `project` as `name` and run the import job; returns the finished Job."""

    def run(project, data: bytes, *, name: str = "pool.jsonl", user=None):
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        with django_capture_on_commit_callbacks(execute=True):
            job = services.pool_upload(project=project, file=upload, created_by=user or owner)
        job.refresh_from_db()
        return job

    return run
