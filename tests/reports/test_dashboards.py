"""The PM dashboards: who may see which project's report, what the page shows, and the CSV downloads."""

import csv
import io

import pytest

from reports.models import ReportSnapshot
from tests.projects.factories import ProjectFactory
from tests.reports.snapshot_data import (
    FORMULA_CATEGORY,
    FORMULA_RATER,
    XSS_CATEGORY,
    XSS_COMMENT,
    XSS_LOCALE,
    XSS_PAIN,
    XSS_QUERY,
    XSS_RATER,
    snapshot_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner, name="Q4 video search, southern Europe")


def snapshot(project, **options):
    data = snapshot_data(**options)
    return ReportSnapshot.objects.create(project=project, judgments=data["judgments"], data=data)


def dashboard_url(project, snapshot_=None):
    url = f"/dashboards/projects/{project.pk}/"
    return f"{url}?snapshot={snapshot_.pk}" if snapshot_ else url


def csv_url(project, chart, snapshot_=None):
    url = f"/dashboards/projects/{project.pk}/{chart}.csv"
    return f"{url}?snapshot={snapshot_.pk}" if snapshot_ else url


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["pm", "reviewer", "admin_user", "owner"])
def test_readers_of_the_project_see_its_dashboard(request, client_for, project, persona):
    snapshot(project)
    client = client_for(request.getfixturevalue(persona))

    response = client.get(dashboard_url(project))

    assert response.status_code == 200
    assert "Q4 video search, southern Europe" in response.text
    assert client.get(csv_url(project, "satisfaction-by-locale")).status_code == 200


@pytest.mark.parametrize("persona", ["other_owner", "rater", "outsider"])
def test_anyone_else_is_told_there_is_no_such_project(request, client_for, project, persona):
    snapshot(project)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(dashboard_url(project)).status_code == 404
    assert client.get(csv_url(project, "satisfaction-by-locale")).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, project):
    snapshot(project)

    for url in (dashboard_url(project), csv_url(project, "raters"), "/dashboards/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_a_snapshot_of_another_project_is_not_found_through_this_one(client_for, pm, project):
    other = snapshot(ProjectFactory())

    assert client_for(pm).get(dashboard_url(project, other)).status_code == 404
    assert client_for(pm).get(csv_url(project, "raters", other)).status_code == 404


def test_the_home_lists_the_projects_a_person_may_read_with_their_latest_report(
    client_for, owner, other_owner, project
):
    reported = snapshot(project)
    theirs = ProjectFactory(owner=other_owner, name="Someone else's project")

    page = client_for(owner).get("/dashboards/").text

    assert f'href="/dashboards/projects/{project.pk}/"' in page
    assert reported.created_at.strftime("%Y-%m-%d %H:%M") in page
    assert "Someone else&#x27;s project" not in page
    assert f"/dashboards/projects/{theirs.pk}/" not in page


def test_the_home_says_which_projects_have_no_report_yet(client_for, pm, project):
    page = client_for(pm).get("/dashboards/").text

    assert "Q4 video search, southern Europe" in page
    assert "no report yet" in page


def test_a_rater_may_not_open_the_dashboards_home(client_for, rater):
    assert client_for(rater).get("/dashboards/").status_code == 403


# --- What the page shows ------------------------------------------------------------------------


def test_the_dashboard_shows_the_figures_with_their_intervals_and_methods(client_for, pm, project):
    snapshot(project)

    page = client_for(pm).get(dashboard_url(project)).text

    # Headline figures of all SERPs.
    assert "3.70" in page and "95% CI 3.63–3.77" in page
    assert "62%" in page
    # Satisfaction of a locale with its interval, and the weighting and CI method named.
    assert "it-IT" in page and "55.0%" in page and "52.0–58.0%" in page
    assert "stratified" in page and "bootstrap over SERPs" in page
    # Relevance names the nDCG variant; the pain points come in Pareto order with their labels.
    assert "trec_eval ndcg_cut" in page and "0.810" in page
    # (named by the guideline's labels; a key the guideline does not label shows as it is)
    assert page.index("Irrelevant top results") < page.index("Duplicate results") < page.index("wrong_language")
    # Burn-down figures and raters.
    assert "Plan (straight to deadline)" in page and "2,286" in page
    assert "r-anna" in page and "92.0%" in page
    # Each chart has a div for dashboard.js and the JSON it draws from; plotly comes from our static files.
    for name in ("satisfaction-by-locale", "pain-points", "relevance-by-category", "agreement-by-locale", "burn-down"):
        assert f'data-chart="{name}"' in page
        assert f'href="/dashboards/projects/{project.pk}/{name}.csv?snapshot=' in page
    assert 'id="dashboard-charts"' in page
    assert '<script src="/static/vendor/plotly.min.js" defer></script>' in page


def test_a_side_by_side_report_shows_wins_ties_and_losses(client_for, pm, owner):
    project = ProjectFactory(owner=owner, kind="side_by_side", variants=["baseline", "candidate"])
    snapshot(project, kind="side_by_side")

    page = client_for(pm).get(dashboard_url(project)).text

    assert 'data-chart="side-by-side-by-locale"' in page
    assert "60 / 20 / 40" in page and "p = 0.057 (sign)" in page
    assert "positive: candidate preferred over baseline" in page
    assert "Wins (candidate better)" in page and "Losses (baseline better)" in page


def test_a_graded_report_has_no_side_by_side_section(client_for, pm, project):
    snapshot(project)

    page = client_for(pm).get(dashboard_url(project)).text

    assert "side-by-side-by-locale" not in page
    assert "Wins / ties / losses" not in page


def test_figures_too_thin_to_compute_say_not_enough_data(client_for, pm, project):
    snapshot(project, nulls=True)

    response = client_for(pm).get(dashboard_url(project))

    assert response.status_code == 200
    table = response.text.split('data-testid="table-satisfaction-by-locale"')[1].split("</table>")[0]
    # es-ES is the thin locale here: SERPs counted, no mean, no share.
    es_row = table.split(">es-ES<")[1].split("</tr>")[0]
    assert es_row.count("not enough data") == 4
    operations = response.text.split('data-testid="table-operations"')[1].split("</dl>")[0]
    assert 'Forecast done (UTC)</dt><dd class="nodata">not enough data' in operations


def test_a_report_with_no_figures_at_all_still_renders_and_says_so(client_for, pm, project):
    ReportSnapshot.objects.create(project=project, judgments=0, data={"judgments": 0, "overall": None})

    response = client_for(pm).get(dashboard_url(project))

    assert response.status_code == 200
    assert response.text.count("Not enough data for this chart yet.") >= 4
    assert 'data-chart="' not in response.text
    # Where nothing is the answer, the page says so rather than "not enough data".
    assert "No “cannot judge” answers." in response.text
    assert "no deadline set" in response.text


def test_an_older_snapshot_can_be_shown_and_the_latest_is_the_default(client_for, pm, project):
    old = snapshot(project)
    old.data["overall"]["satisfaction"]["mean"] = 2.22
    old.save()
    snapshot(project)

    client = client_for(pm)
    assert "2.22" not in client.get(dashboard_url(project)).text
    page = client.get(dashboard_url(project, old)).text
    assert "<strong>2.22</strong>" in page
    assert f'<option value="{old.pk}" selected>' in page
    assert f"?snapshot={old.pk}" in page


def test_a_project_without_a_report_says_so_and_shows_its_owner_how_to_start_one(client_for, owner, pm, project):
    owners_page = client_for(owner).get(dashboard_url(project)).text
    assert "No report has been computed for this project yet." in owners_page
    assert "Compute a report now" in owners_page
    assert f"POST /api/v1/projects/{project.pk}/reports/" in owners_page

    pms_page = client_for(pm).get(dashboard_url(project)).text
    assert "No report has been computed for this project yet." in pms_page
    assert "Compute a report now" not in pms_page
    assert "olivia" in pms_page
    assert client_for(pm).get(csv_url(project, "raters")).status_code == 404


def test_the_dashboard_page_takes_a_fixed_number_of_queries(client_for, pm, project, django_assert_max_num_queries):
    for _ in range(3):
        snapshot(project)
    client = client_for(pm)

    # session, user, roles, project, latest snapshot, the snapshot picker
    with django_assert_max_num_queries(6):
        assert client.get(dashboard_url(project)).status_code == 200


def test_the_dashboards_home_takes_a_fixed_number_of_queries(client_for, pm, owner, django_assert_max_num_queries):
    for n in range(4):
        snapshot(ProjectFactory(owner=owner, name=f"Project {n}"))
    client = client_for(pm)

    # session, user, roles, the projects with their latest report time
    with django_assert_max_num_queries(4):
        assert client.get("/dashboards/").text.count('href="/dashboards/projects/') == 4


def test_a_csv_download_takes_a_fixed_number_of_queries(client_for, pm, project, django_assert_max_num_queries):
    snapshot(project)
    client = client_for(pm)

    # session, user, roles, project, snapshot
    with django_assert_max_num_queries(5):
        assert client.get(csv_url(project, "raters")).status_code == 200


def test_a_report_that_does_not_name_its_kind_is_drawn_as_the_projects_kind(client_for, pm, owner):
    project = ProjectFactory(owner=owner, kind="side_by_side", variants=["A", "B"])
    data = snapshot_data(kind="side_by_side")
    del data["kind"]
    ReportSnapshot.objects.create(project=project, judgments=3000, data=data)

    assert 'data-chart="side-by-side-by-locale"' in client_for(pm).get(dashboard_url(project)).text


# --- Untrusted text -----------------------------------------------------------------------------


def test_text_from_the_pool_and_raters_is_escaped_everywhere(client_for, pm, project):
    snapshot(project, hostile=True)

    page = client_for(pm).get(dashboard_url(project)).text

    for payload in (XSS_LOCALE, XSS_CATEGORY, XSS_QUERY, XSS_COMMENT, XSS_PAIN, XSS_RATER):
        assert payload not in page
    assert "&lt;img src=x onerror=alert(&#x27;query&#x27;)&gt;" in page
    assert "&lt;script&gt;alert(&quot;comment&quot;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=alert(&#x27;rater&#x27;)&gt;rater&lt;/b&gt;" in page
    # The chart data is JSON inside a script element, with every < escaped.
    charts = page.split('id="dashboard-charts"')[1].split("</script>")[0]
    assert "<" not in charts.split(">", 1)[1]
    assert "\\u003Cimg src=x onerror=alert('locale')\\u003E" in charts


# --- CSV ----------------------------------------------------------------------------------------


def test_a_chart_downloads_as_csv_with_raw_figures_and_intervals_in_two_columns(client_for, pm, project):
    reported = snapshot(project)

    response = client_for(pm).get(csv_url(project, "satisfaction-by-locale"))

    assert response.status_code == 200
    assert f"project-{project.pk}-report-{reported.pk}-satisfaction-by-locale.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Locale", "SERPs", "Mean score", "Mean 95% CI low", "Mean 95% CI high",
        "Share satisfied", "Share 95% CI low", "Share 95% CI high",
    ]  # fmt: skip
    assert rows[1] == ["All SERPs", "1000", "3.7", "3.63", "3.77", "0.62", "0.59", "0.65"]
    assert [row[0] for row in rows[2:]] == ["de-DE", "es-ES", "it-IT"]


def test_the_csv_is_the_snapshot_asked_for(client_for, pm, project):
    old = snapshot(project)
    old.data["overall"]["satisfaction"]["mean"] = 2.22
    old.save()
    snapshot(project)

    rows = read_csv(client_for(pm).get(csv_url(project, "satisfaction-by-locale", old)))

    assert rows[1][2] == "2.22"


def test_missing_figures_are_empty_cells_in_the_csv(client_for, pm, project):
    snapshot(project, nulls=True)

    rows = read_csv(client_for(pm).get(csv_url(project, "satisfaction-by-locale")))

    es = next(row for row in rows if row[0] == "es-ES")
    assert es == ["es-ES", "4", "", "", "", "", "", ""]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted_but_negative_numbers_stay_numbers(
    client_for, pm, owner
):
    project = ProjectFactory(owner=owner, kind="side_by_side", variants=["a", "b"])
    reported = snapshot(project, kind="side_by_side", hostile=True)
    reported.data["overall"]["side_by_side"]["mean_preference"] = -0.4
    reported.save()
    client = client_for(pm)

    raters = read_csv(client.get(csv_url(project, "raters")))
    names = [row[0] for row in raters[1:]]
    assert "'" + FORMULA_RATER in names
    assert FORMULA_RATER not in names
    categories = [row[0] for row in read_csv(client.get(csv_url(project, "satisfaction-by-category")))]
    assert "'" + FORMULA_CATEGORY in categories

    sbs = read_csv(client.get(csv_url(project, "side-by-side-by-locale")))
    assert sbs[1][5] == "-0.4"


def test_every_table_on_the_page_downloads(client_for, pm, project):
    snapshot(project)
    client = client_for(pm)
    page = client.get(dashboard_url(project)).text

    names = {part.split(".csv")[0] for part in page.split(f'href="/dashboards/projects/{project.pk}/')[1:]}
    assert {"operations", "raters", "cannot-judge", "burn-down", "pain-points"} <= names
    for name in names:
        response = client.get(csv_url(project, name))
        assert response.status_code == 200, name
        assert len(read_csv(response)) >= 2, name


def test_an_unknown_chart_is_not_found(client_for, pm, project):
    snapshot(project)

    assert client_for(pm).get(csv_url(project, "passwords")).status_code == 404
