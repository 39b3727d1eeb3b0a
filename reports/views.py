from django.contrib.auth.decorators import login_required
from django.db.models import F, Max
from django.http import Http404, HttpResponse
from django.shortcuts import render

from evalconsole.access import can_write_project, get_project_for_user, projects_visible_to, require_role
from evalconsole.roles import Role
from reports import selectors, tables

_DASHBOARD_READERS = (Role.PM, Role.ADMIN, Role.REVIEWER, Role.OWNER)
# The snapshot picker lists this many of the newest; older ones stay reachable over the API.
PICKER_SNAPSHOTS = 30


@login_required
def pm_home(request):
    require_role(request.user, *_DASHBOARD_READERS)
    projects = (
        projects_visible_to(request.user)
        .annotate(latest_report=Max("report_snapshots__created_at"))
        .select_related("guideline_version__guideline")
        .order_by(F("latest_report").desc(nulls_last=True), "name")
    )
    return render(request, "reports/home.html", {"projects": projects})


def _snapshot(request, project):
    """The snapshot asked for (?snapshot=id), or the latest; None when the project has none yet."""
    wanted = request.GET.get("snapshot")
    if wanted:
        return selectors.snapshot_of(project, wanted)
    return selectors.latest_snapshot(project)


def _tables(project, snapshot) -> dict[str, tables.Table]:
    data = snapshot.data or {}
    # A report made before snapshots named their kind is of the project's kind.
    data = {**data, "kind": data.get("kind") or project.kind}
    return tables.dashboard_tables(data, schema=project.guideline_version.schema, variants=project.variants or None)


@login_required
def dashboard(request, project_id):
    project = get_project_for_user(request.user, project_id)
    snapshot = _snapshot(request, project)
    context = {"project": project, "snapshot": snapshot, "can_write": can_write_project(request.user, project)}
    if snapshot is None:
        return render(request, "reports/no_snapshot.html", context)
    by_name = _tables(project, snapshot)
    data = snapshot.data or {}
    overall = data.get("overall") or {}
    context.update(
        data=data,
        overall=overall,
        relevance_headline=_headline_metric(overall),
        sections=[table for name, table in by_name.items() if name not in ("operations", "raters", "cannot-judge")],
        operations=by_name["operations"],
        operation_facts=list(zip(by_name["operations"].columns, by_name["operations"].display_rows()[0], strict=True)),
        raters=by_name["raters"],
        cannot_judge=by_name["cannot-judge"],
        examples=tables.pain_examples(data, labels=tables.schema_labels(project.guideline_version.schema)),
        snapshots=list(selectors.snapshots_of(project)[:PICKER_SNAPSHOTS]),
        charts={name: table.as_json() for name, table in by_name.items() if table.charts and table.has_figures()},
    )
    return render(request, "reports/dashboard.html", context)


def _headline_metric(overall: dict) -> dict | None:
    """The first relevance metric of the overall figures (nDCG@10 as the report orders them)."""
    figures = overall.get("relevance") or {}
    keys = sorted((k for k in figures if "@" in k), key=lambda k: (not k.startswith("ndcg"), k))
    if not keys:
        return None
    return {"label": tables.metric_label(keys[0]), **(figures.get(keys[0]) or {})}


@login_required
def chart_csv(request, project_id, chart):
    project = get_project_for_user(request.user, project_id)
    snapshot = _snapshot(request, project)
    if snapshot is None:
        raise Http404("This project has no report yet.")
    table = _tables(project, snapshot).get(chart)
    if table is None:
        raise Http404("No such table in this report.")
    response = HttpResponse(tables.to_csv(table), content_type="text/csv; charset=utf-8")
    filename = f"project-{project.pk}-report-{snapshot.pk}-{table.name}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
