from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evalconsole.access import (
    can_create_project,
    can_write_project,
    get_job_for_user,
    get_pool_serp_for_user,
    get_project_for_user,
    projects_visible_to,
)
from evalconsole.forms import add_service_errors
from evalconsole.jobs import job_current_progress
from projects import selectors, services
from projects.forms import PoolUploadForm, ProjectForm, SampleForm


@login_required
def project_list(request):
    projects = selectors.project_list(projects=projects_visible_to(request.user)).order_by("-created_at")
    return render(request, "projects/list.html", {"projects": projects, "can_create": can_create_project(request.user)})


@login_required
def project_create(request):
    if not can_create_project(request.user):
        raise PermissionDenied("Only project owners and admins can create projects.")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Created {project.name}. Next: import its pool of SERPs.")
            return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": "New project"})


@login_required
def project_edit(request, project_id):
    project = get_project_for_user(request.user, project_id, write=True)
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.project_update(project=project, **changed)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved the project's settings.")
            return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": f"Edit {project.name}", "project": project})


@login_required
def project_detail(request, project_id):
    project = get_project_for_user(request.user, project_id)
    job = None
    if job_id := request.GET.get("job"):
        job = get_job_for_user(request.user, job_id)
    tasks = project.tasks.values("locale").annotate(n=Count("id")).order_by("locale")
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "can_write": can_write_project(request.user, project),
            "pool": selectors.pool_summary(project=project),
            "task_count": project.tasks.count(),
            "tasks_by_locale": tasks,
            "last_run": project.sampling_runs.first(),
            "upload_form": PoolUploadForm(),
            "sample_form": SampleForm(
                initial={"strata": ["locale"], "mode": "replace" if project.status == project.Status.DRAFT else "add"}
            ),
            "job": job,
            "job_progress": job_current_progress(job) if job else None,
        },
    )


@login_required
@require_POST
def pool_upload(request, project_id):
    """Without JavaScript: upload, then show the job on the project page (the script polls it)."""
    project = get_project_for_user(request.user, project_id, write=True)
    form = PoolUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a pool file to upload.")
        return redirect("projects:detail", project_id=project.pk)
    try:
        job = services.pool_upload(project=project, file=form.cleaned_data["file"], created_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("projects:detail", project_id=project.pk)
    return redirect(f"{project.get_absolute_url()}?job={job.pk}")


@login_required
@require_POST
def project_sample(request, project_id):
    project = get_project_for_user(request.user, project_id, write=True)
    form = SampleForm(request.POST)
    if form.is_valid():
        try:
            run = services.tasks_sample(project=project, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Drew {run.tasks_made} tasks ({run.strategy}, seed {run.seed}).")
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label or field}: {error}" if field != "__all__" else error
                )
    return redirect("projects:detail", project_id=project.pk)


@login_required
@require_POST
def project_transition(request, project_id, action):
    project = get_project_for_user(request.user, project_id, write=True)
    services.project_transition(project=project, action=action)
    messages.success(request, f"{project.name} is now {project.status}.")
    return redirect("projects:detail", project_id=project.pk)


@login_required
def pool_list(request, project_id):
    project = get_project_for_user(request.user, project_id)
    page = Paginator(selectors.pool_serps(project=project), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/pool.html",
        {"project": project, "pool": selectors.pool_summary(project=project), "page": page},
    )


@login_required
def serp_preview(request, project_id, serp_id):
    serp = get_pool_serp_for_user(request.user, project_id, serp_id)
    return render(
        request,
        "projects/serp_preview.html",
        {"project": serp.project, "serp": serp, "results": list(serp.results.order_by("rank"))},
    )
