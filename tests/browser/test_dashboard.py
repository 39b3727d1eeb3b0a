"""A PM opens a project's dashboard in the browser: every chart draws, from our own plotly.js, and no text runs."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from reports.models import ReportSnapshot
from tests.factories import GuidelineFactory, VersionFactory
from tests.projects.factories import ProjectFactory
from tests.reports.judged import judged_project
from tests.reports.snapshot_data import XSS_LOCALE, XSS_QUERY, snapshot_data

# serialized_rollback: the flush after each live-server test would otherwise drop the role groups.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SCREENSHOT = Path("test-results/dashboard.png")


def record_requests(page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


@pytest.fixture
def page_errors(page):
    """Uncaught exceptions in the page's scripts."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def open_dashboard(page, live_server, sign_in, user, project):
    sign_in(user)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/dashboards/")
    page.get_by_role("link", name=project.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)


def expect_every_chart_drawn(page):
    charts = page.locator(".chart[data-chart]")
    count = charts.count()
    assert count >= 1
    for n in range(count):
        chart = charts.nth(n)
        # plotly.min.js is 4.6 MB: the first load on a busy machine takes a while.
        expect(chart).to_have_attribute("data-rendered", "true", timeout=30_000)
        expect(chart.locator(".main-svg").first).to_be_visible()
    return count


def test_a_pm_opens_a_dashboard_and_every_chart_draws_from_our_own_plotly(
    page, live_server, sign_in, owner, pm, dialogs, page_errors
):
    project = ProjectFactory(owner=owner, name="Q4 video search, southern Europe")
    data = snapshot_data(hostile=True)
    ReportSnapshot.objects.create(project=project, judgments=data["judgments"], data=data)
    requested = record_requests(page)

    open_dashboard(page, live_server, sign_in, pm, project)

    drawn = expect_every_chart_drawn(page)
    assert page_errors == []
    names = page.locator(".chart[data-chart]").evaluate_all("divs => divs.map(d => d.dataset.chart)")
    assert {"satisfaction-by-locale", "satisfaction-by-category", "pain-points", "relevance-by-locale",
            "relevance-by-category", "agreement-by-locale", "burn-down"} <= set(names)  # fmt: skip
    assert drawn == len(names)
    # Axis titles name the unit; the satisfied share reads in percent.
    satisfaction = page.locator('.chart[data-chart="satisfaction-by-locale"]')
    expect(satisfaction).to_contain_text("Share satisfied (%)")
    expect(page.locator('.chart[data-chart="burn-down"]')).to_contain_text("deadline")

    # plotly.js came from this server's static files; nothing left for another host.
    server = urlsplit(live_server.url).netloc
    assert f"{live_server.url}/static/vendor/plotly.min.js" in requested
    assert [url for url in requested if urlsplit(url).netloc != server] == []

    # Hostile names show as text: in the charts' labels and in the tables, and nothing ran.
    expect(satisfaction.locator("text", has_text=XSS_LOCALE)).to_have_count(1)
    expect(page.get_by_test_id("table-satisfaction-by-locale")).to_contain_text(XSS_LOCALE)
    page.locator("#pain-examples summary", has_text="Outdated content").click()
    expect(page.locator("#pain-examples")).to_contain_text(XSS_QUERY)
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
    assert page_errors == []

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_a_side_by_side_dashboard_draws_its_outcomes(page, live_server, sign_in, owner, pm, dialogs, page_errors):
    project = ProjectFactory(owner=owner, name="Ranker B vs A", kind="side_by_side", variants=["A", "B"])
    data = snapshot_data(kind="side_by_side", nulls=True)
    ReportSnapshot.objects.create(project=project, judgments=data["judgments"], data=data)

    open_dashboard(page, live_server, sign_in, pm, project)

    expect_every_chart_drawn(page)
    outcomes = page.locator('#side-by-side-by-locale .chart[data-chart="side-by-side-by-locale"]')
    expect(outcomes).to_have_count(2)
    expect(outcomes.first).to_contain_text("Wins")
    expect(page.get_by_test_id("table-side-by-side-by-locale")).to_contain_text("not enough data")
    assert dialogs == []
    assert page_errors == []
    page.screenshot(path=str(SCREENSHOT.with_name("dashboard-side-by-side.png")), full_page=True)


def test_an_owner_computes_the_first_report_from_the_empty_dashboard(
    page, live_server, sign_in, owner, dialogs, page_errors
):
    version = VersionFactory(guideline=GuidelineFactory(owner=owner), number=1, published=True)
    project = judged_project(owner=owner, version=version, tasks=6, raters=3, name="Judged by three")
    sign_in(owner)
    page.goto(f"{live_server.url}/dashboards/projects/{project.pk}/")
    expect(page.get_by_test_id("no-report")).to_contain_text("No report has been computed for this project yet.")

    # The job runs in-process here (CELERY_EAGER); the page follows it and reloads when it is done.
    page.get_by_role("button", name="Compute a report now").click()

    expect(page.get_by_test_id("report-time")).to_be_visible(timeout=30_000)
    expect_every_chart_drawn(page)
    assert ReportSnapshot.objects.filter(project=project).count() == 1
    expect(page.get_by_test_id("table-satisfaction-by-locale")).to_contain_text("it-IT")
    assert dialogs == [] and page_errors == []
