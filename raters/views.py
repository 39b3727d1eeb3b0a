from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache

from evalconsole.access import get_assignment_for_user, get_project_for_rater, require_role
from evalconsole.roles import Role
from guidelines.rendering import render_markdown
from raters import engine, selectors
from raters.services import profile_for


@login_required
def rater_home(request):
    require_role(request.user, Role.RATER, Role.ADMIN)
    profile = profile_for(request.user)
    return render(
        request,
        "raters/home.html",
        {
            "profile": profile,
            "projects": selectors.projects_open_to(rater=request.user, profile=profile),
            "day": selectors.rater_day(rater=request.user, profile=profile),
        },
    )


def _lease(request, project_id) -> tuple[dict, str | None]:
    """The next task's panel context (empty when the queue is), or why there is none for this rater."""
    now = timezone.now()
    project = get_project_for_rater(request.user, project_id, standing_at=now)
    context = {"project": project}
    try:
        assignment = engine.lease_next(rater=request.user, project=project, now=now)
    except engine.Unavailable as reason:
        return context, str(reason)
    if assignment is not None:
        # Through the one door, by id: the view needs nothing of what the engine returns but its id.
        assignment = get_assignment_for_user(request.user, assignment.pk)
        context.update(selectors.console_task(assignment=assignment))
        context["sop"] = render_markdown(context["version"].body_markdown)
        profile = profile_for(request.user)
        context["day"] = selectors.console_day(rater=request.user, profile=profile, assignment=assignment)
    return context, None


# never_cache: each visit may lease a task; a cached page would show a task already done.
@never_cache
@login_required
def console(request, project_id):
    """The rater console: one task at a time; console.js submits and swaps in the next without a reload."""
    context, unavailable = _lease(request, project_id)
    return render(request, "raters/console.html", {**context, "unavailable": unavailable})


@never_cache
@login_required
def console_task(request, project_id):
    """Just the task panel for the next lease: 204 when the queue is empty, 409 when unavailable."""
    context, unavailable = _lease(request, project_id)
    if unavailable:
        return HttpResponse(unavailable, status=409, content_type="text/plain; charset=utf-8")
    if "assignment" not in context:
        return HttpResponse(status=204)
    return HttpResponse(render_to_string("raters/_task.html", context, request=request))


@login_required
def reviewer_home(request):
    require_role(request.user, Role.REVIEWER, Role.ADMIN)
    return render(request, "raters/review_home.html")
