"""An owner sets a project up in the browser, with a real Celery worker doing the import."""

import json
import random

import pytest
from playwright.sync_api import expect

from projects.models import EvaluationProject, Task
from tests.factories import GuidelineFactory, VersionFactory
from tests.workers import running_worker

# serialized_rollback: the flush after each live-server test would otherwise drop the role groups.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.worker]
LOCALES = ["it-IT", "es-ES", "de-DE"]


def pool_file(path, serps=600):
    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as out:
        for n in range(serps):
            results = [
                {"rank": rank, "doc_id": f"v-{n}-{rank}", "title": f"Video {rank} for query {n}",
                 "url": f"https://videos.example/{n}/{rank}", "snippet": "A short clip. " * 5,
                 "media_type": "video", "sensitive": rank == 3}
                for rank in range(1, 9)
            ]  # fmt: skip
            serp = {
                "query_id": f"q-{n:04d}", "query": f"query number {n}", "locale": LOCALES[n % 3],
                "category": rng.choice(["food", "music", "sport"]), "traffic": rng.randint(1, 5000), "results": results,
            }  # fmt: skip
            out.write(json.dumps(serp) + "\n")
    return path


@pytest.fixture
def worker():
    with running_worker() as queue:
        yield queue


def test_an_owner_creates_a_project_imports_a_pool_samples_by_locale_and_activates(
    page, live_server, sign_in, owner, worker, tmp_path
):
    version = VersionFactory(guideline=GuidelineFactory(owner=owner, name="SERP satisfaction"), published=True)
    sign_in(owner)
    expect(page).to_have_url(f"{live_server.url}/projects/")

    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Name").fill("Q4 video search, southern Europe")
    page.get_by_label("Guideline version").select_option(label=f"SERP satisfaction · v{version.number}")
    page.get_by_label("Locales").fill("it-IT, es-ES, de-DE")
    page.get_by_label("Overlap").fill("3")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Q4 video search, southern Europe")
    expect(page.get_by_test_id("project-status")).to_have_text("Draft")

    # The import runs in the worker; the page follows the job with a progress bar.
    page.get_by_label("Pool file (JSONL or CSV)").set_input_files(pool_file(tmp_path / "pool.jsonl"))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.get_by_test_id("import-job")).to_contain_text("Imported 600 SERPs with 4800 results.", timeout=30_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "1.0")
    expect(page.get_by_test_id("pool-counts")).to_contain_text("600 SERPs, 4800 results")

    # Preview a SERP as a rater will see it; the sensitive result is blurred until revealed.
    page.get_by_role("link", name="browse and preview").click()
    page.get_by_role("link", name="query number 7", exact=True).click()
    expect(page.get_by_test_id("serp-query")).to_have_text("query number 7")
    results = page.locator(".serp-result")
    expect(results).to_have_count(8)
    expect(results.nth(0).get_by_role("link")).to_have_attribute("rel", "noopener noreferrer")
    sensitive = results.nth(2)
    expect(sensitive).not_to_have_class("serp-result sensitive revealed")
    sensitive.get_by_role("button", name="Sensitive: show").click()
    expect(sensitive).to_have_class("serp-result sensitive revealed")
    page.go_back()
    page.go_back()

    # Sample 90 tasks stratified by locale, with a seed so it can be drawn again.
    page.get_by_label("Strategy").select_option("stratified")
    page.get_by_label("Tasks to draw").fill("90")
    page.get_by_label("locale").check()
    page.get_by_label("Seed").fill("2026")
    page.get_by_role("button", name="Draw tasks").click()
    expect(page.locator(".messages")).to_contain_text("Drew 90 tasks (stratified, seed 2026).")
    expect(page.get_by_test_id("tasks-by-locale").locator("tbody tr")).to_have_text(["de-DE30", "es-ES30", "it-IT30"])

    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_test_id("project-status")).to_have_text("Active")
    project = EvaluationProject.objects.get(name="Q4 video search, southern Europe")
    assert project.status == "active"
    assert set(Task.objects.filter(project=project).values_list("inclusion_probability", flat=True)) == {90 / 600}


def test_a_bad_pool_file_lists_its_problems_and_adds_nothing(page, live_server, sign_in, owner, tmp_path):
    version = VersionFactory(guideline=GuidelineFactory(owner=owner), published=True)
    project = EvaluationProject.objects.create(name="Bad file", owner=owner, guideline_version=version)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"query_id": "q1", "query": "ok", "locale": "it-IT", "results": '
        '[{"rank": 1, "doc_id": "a", "url": "javascript:alert(1)", "title": "<img src=x onerror=alert(1)>"}]}\n'
        '{"query_id": "q2", "query": "", "locale": "it_IT", "results": []}\n'
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/")

    page.get_by_label("Pool file (JSONL or CSV)").set_input_files(bad)
    page.get_by_role("button", name="Upload and import").click()

    expect(page.get_by_test_id("import-errors").locator("li")).to_have_text(
        [
            'line 1, results[0].url: only http and https links are allowed, got "javascript:"',
            "line 2, query: must not be empty",
            'line 2, locale: "it_IT" is not a locale tag like it-IT, pt-BR or zh-Hant-TW',
            "line 2, results: must not be empty",
        ]
    )
    expect(page.get_by_test_id("pool-counts")).to_contain_text("0 SERPs, 0 results")
    assert dialogs == []
