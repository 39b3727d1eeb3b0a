"""Starting an aggregation and reading its snapshot over the API: who may do what, and what comes back."""

import numpy as np
import pytest

from evalconsole.models import Job
from reports import services
from reports.models import ReportSnapshot
from tests.factories import VersionFactory
from tests.raters.engine_fixtures import active_project
from tests.reports.judged import judged_project, satisfaction_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(guideline):
    return VersionFactory(guideline=guideline, number=1, published=True)


@pytest.fixture
def project(owner, version):
    return judged_project(owner=owner, version=version, tasks=6, raters=3)


def reports_url(project):
    return f"/api/v1/projects/{project.pk}/reports/"


def latest_url(project):
    return f"/api/v1/projects/{project.pk}/reports/latest/"


def start(client, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reports_url(project))


def test_the_owner_starts_a_report_and_reads_it_as_the_latest(api, owner, project, django_capture_on_commit_callbacks):
    client = api.as_user(owner)

    response = start(client, project, django_capture_on_commit_callbacks)

    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.kind, job.status) == ("report", "succeeded")
    snapshot = ReportSnapshot.objects.get(project=project)
    assert job.result == {"snapshot": snapshot.pk}
    assert client.get(f"/api/v1/jobs/{job.pk}/").json()["result"] == {"snapshot": snapshot.pk}

    body = client.get(latest_url(project)).json()
    assert (body["id"], body["project"], body["judgments"], body["guideline_version"]) == (
        snapshot.pk, project.pk, 18, 1,
    )  # fmt: skip
    assert set(body) >= {"created_at", "overall", "segments", "raters", "operations"}
    assert body["overall"]["serps"] == 6
    assert set(body["segments"]["locale"]) == {"it-IT", "de-DE"}


def test_the_latest_is_the_newest_of_several(api, owner, project, django_capture_on_commit_callbacks):
    client = api.as_user(owner)
    start(client, project, django_capture_on_commit_callbacks)
    start(client, project, django_capture_on_commit_callbacks)

    newest = ReportSnapshot.objects.order_by("-pk").first()
    assert ReportSnapshot.objects.count() == 2
    assert client.get(latest_url(project)).json()["id"] == newest.pk
    listed = client.get(reports_url(project)).json()["results"]
    assert [item["id"] for item in listed] == sorted((s.pk for s in ReportSnapshot.objects.all()), reverse=True)
    older = listed[1]["id"]
    assert client.get(f"{reports_url(project)}{older}/").json()["id"] == older


def test_running_the_same_job_twice_makes_one_snapshot(owner, project):
    job = Job.objects.create(kind="report", created_by=owner, params={"project": project.pk})

    first = services.report_build_run(job_id=job.pk)
    second = services.report_build_run(job_id=job.pk)

    assert first is not None and second is None
    assert ReportSnapshot.objects.filter(project=project).count() == 1


def test_a_project_without_judgments_has_nothing_to_report(api, owner, version):
    empty = active_project(owner=owner, version=version, tasks=3, name="Untouched")

    response = api.as_user(owner).post(reports_url(empty))

    assert response.status_code == 409
    assert response.json() == {
        "detail": '"Untouched" has no judgments yet, so there is nothing to report.',
        "code": "no_judgments",
    }
    assert not Job.objects.exists()


def test_a_project_without_a_report_says_how_to_get_one(api, owner, project):
    response = api.as_user(owner).get(latest_url(project))

    assert response.status_code == 404
    assert "POST /api/v1/projects/{id}/reports/" in response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "start_status", "read_status"),
    [
        ("owner", 202, 200),
        ("admin_user", 202, 200),
        ("other_owner", 404, 404),
        ("pm", 403, 200),
        ("reviewer", 403, 200),
        ("rater", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_may_start_and_read_reports(
    request, api, owner, project, who, start_status, read_status, django_capture_on_commit_callbacks
):
    services.report_build_run(
        job_id=Job.objects.create(kind="report", created_by=owner, params={"project": project.pk}).pk
    )
    client = api.as_user(request.getfixturevalue(who))

    assert start(client, project, django_capture_on_commit_callbacks).status_code == start_status
    assert client.get(latest_url(project)).status_code == read_status
    assert client.get(reports_url(project)).status_code == read_status


def test_anonymous_callers_are_refused(api, project):
    assert api.post(reports_url(project)).status_code in (401, 403)
    assert api.get(latest_url(project)).status_code in (401, 403)


def test_the_beat_job_reports_active_projects_with_new_judgments_only(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reports_refresh_active()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.reports_refresh_active()

    assert [job.params["project"] for job in first] == [project.pk]
    assert again == []  # nothing judged since the snapshot
    assert ReportSnapshot.objects.filter(project=project).count() == 1


def test_a_run_is_compared_with_a_baseline_over_the_same_queries(api, owner, version, project):
    better = judged_project(owner=owner, version=version, tasks=6, raters=3, shift=1, name="After the launch")
    for run in (project, better):
        services.report_build_run(
            job_id=Job.objects.create(kind="report", created_by=owner, params={"project": run.pk}).pk
        )

    response = api.as_user(owner).get(f"/api/v1/projects/{better.pk}/reports/compare/?with={project.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["pairs"], body["only_before"], body["only_after"]) == (6, 0, 0)
    before = {n: np.mean([satisfaction_of(n, r) for r in range(3)]) for n in range(6)}
    after = {n: np.mean([min(5, satisfaction_of(n, r) + 1) for r in range(3)]) for n in range(6)}
    score = body["metrics"]["score"]
    assert score["delta"] == pytest.approx(np.mean([after[n] - before[n] for n in range(6)]), abs=1e-9)
    assert score["ci95"][0] <= score["delta"] <= score["ci95"][1]
    assert score["test"] == "wilcoxon" and score["pairs"] == 6
    assert body["metrics"]["ndcg@10"]["delta"] == pytest.approx(0, abs=1e-12)  # the same results and grades


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("", 400, {"with": ["Give the baseline project's id, e.g. ?with=12."]}),
        ("?with=abc", 400, {"with": ["Give the baseline project's id, e.g. ?with=12."]}),
        ("?with=999999", 404, {"detail": "No such project."}),
    ],
)
def test_a_comparison_needs_a_baseline_the_caller_can_read(api, owner, project, query, status, detail):
    response = api.as_user(owner).get(f"/api/v1/projects/{project.pk}/reports/compare/{query}")

    assert response.status_code == status
    assert response.json() == detail


def test_a_comparison_needs_both_reports(api, owner, version, project):
    other = judged_project(owner=owner, version=version, tasks=2, raters=1, name="Other run")

    response = api.as_user(owner).get(f"/api/v1/projects/{project.pk}/reports/compare/?with={other.pk}")

    assert response.status_code == 409
    assert response.json() == {"detail": "No report yet for Other run, Judged; run one first.", "code": "no_report"}
