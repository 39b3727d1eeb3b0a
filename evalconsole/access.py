"""The one door per object kind.

Every view, API endpoint and task that fetches an object by id goes through a `get_*_for_user`
function here. Each raises Http404 when the person may not know the object exists and
PermissionDenied when they may see it but not change it. Lists use the matching
`*_visible_to` queryset so a list and its detail pages always agree.

Who sees what (guidelines):
- admin (staff): everything;
- owner, PM, reviewer: every guideline and version; only an admin or the guideline's owner writes;
- rater: guidelines with a published (or retired) version, and only those versions;
- anyone without a role: nothing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from evalconsole.models import Job
from evalconsole.roles import Role, has_role
from guidelines.models import Guideline, GuidelineVersion
from projects.models import EvaluationProject, PoolSerp, Task
from raters.models import Assignment

_GUIDELINE_READERS = (Role.ADMIN, Role.OWNER, Role.PM, Role.REVIEWER)


def require_role(user, *roles: Role) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied("Your role does not allow this.")


# --- Guidelines ---------------------------------------------------------------------------


def guidelines_visible_to(user) -> QuerySet[Guideline]:
    if has_role(user, *_GUIDELINE_READERS):
        return Guideline.objects.all()
    if has_role(user, Role.RATER):
        frozen = GuidelineVersion.objects.filter(guideline=OuterRef("pk")).exclude(status=GuidelineVersion.Status.DRAFT)
        return Guideline.objects.filter(Exists(frozen))
    return Guideline.objects.none()


def visible_versions_q(user, *, prefix: str = "") -> Q:
    """The versions this person may see, as a filter (`prefix="versions__"` from a guideline)."""
    if has_role(user, *_GUIDELINE_READERS):
        return Q()
    if has_role(user, Role.RATER):
        return ~Q(**{f"{prefix}status": GuidelineVersion.Status.DRAFT})
    return Q(**{f"{prefix}pk__in": []})


def versions_visible_to(user) -> QuerySet[GuidelineVersion]:
    return GuidelineVersion.objects.filter(visible_versions_q(user))


def can_create_guideline(user) -> bool:
    return has_role(user, Role.ADMIN, Role.OWNER)


def can_write_guideline(user, guideline: Guideline) -> bool:
    return has_role(user, Role.ADMIN) or (has_role(user, Role.OWNER) and guideline.owner_id == user.pk)


def get_guideline_for_user(user, slug: str, *, write: bool = False) -> Guideline:
    try:
        guideline = guidelines_visible_to(user).select_related("owner").get(slug=slug)
    except Guideline.DoesNotExist:
        raise Http404("No such guideline.") from None
    if write and not can_write_guideline(user, guideline):
        raise PermissionDenied("Only the guideline's owner or an admin can change it.")
    return guideline


def get_guideline_version_for_user(user, slug: str, number: int, *, write: bool = False) -> GuidelineVersion:
    guideline = get_guideline_for_user(user, slug, write=write)
    try:
        version = versions_visible_to(user).get(guideline=guideline, number=number)
    except GuidelineVersion.DoesNotExist:
        raise Http404("No such version of this guideline.") from None
    version.guideline = guideline
    return version


# --- Projects -----------------------------------------------------------------------------
# Owners manage their own projects; PMs and reviewers read every project; admins do anything.

_PROJECT_READERS = (Role.ADMIN, Role.PM, Role.REVIEWER)


def projects_visible_to(user) -> QuerySet[EvaluationProject]:
    if has_role(user, *_PROJECT_READERS):
        return EvaluationProject.objects.all()
    if has_role(user, Role.OWNER):
        return EvaluationProject.objects.filter(owner=user)
    return EvaluationProject.objects.none()


def can_create_project(user) -> bool:
    return has_role(user, Role.ADMIN, Role.OWNER)


def can_write_project(user, project: EvaluationProject) -> bool:
    return has_role(user, Role.ADMIN) or (has_role(user, Role.OWNER) and project.owner_id == user.pk)


def get_project_for_user(user, project_id, *, write: bool = False) -> EvaluationProject:
    try:
        project = projects_visible_to(user).select_related("guideline_version__guideline", "owner").get(pk=project_id)
    except (EvaluationProject.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project.") from None
    if write and not can_write_project(user, project):
        raise PermissionDenied("Only the project's owner or an admin can change it.")
    return project


def can_curate_gold(user, project: EvaluationProject) -> bool:
    """Gold items are curated by QA reviewers as well as by the project's owner (DESIGN.md, who uses it)."""
    return can_write_project(user, project) or has_role(user, Role.REVIEWER)


def get_task_for_user(user, project_id, task_id, *, write: bool = False) -> Task:
    """A task of a project; `write` is for marking it gold or not, the one change a task takes."""
    project = get_project_for_user(user, project_id)
    if write and not can_curate_gold(user, project):
        raise PermissionDenied("Only the project's owner, a reviewer or an admin can curate its gold items.")
    try:
        task = Task.objects.select_related("serp", "serp_b").get(project=project, pk=task_id)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task in this project.") from None
    task.project = project
    return task


def get_pool_serp_for_user(user, project_id, serp_id) -> PoolSerp:
    project = get_project_for_user(user, project_id)
    try:
        return PoolSerp.objects.select_related("project").get(project=project, pk=serp_id)
    except (PoolSerp.DoesNotExist, ValueError, TypeError):
        raise Http404("No such SERP in this project's pool.") from None


# --- Jobs ---------------------------------------------------------------------------------


def get_job_for_user(user, job_id) -> Job:
    """A job is visible to whoever started it, to whoever may see its project, and to admins."""
    try:
        job = Job.objects.get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404("No such job.") from None
    if has_role(user, Role.ADMIN) or job.created_by_id == user.pk:
        return job
    project_id = job.params.get("project")
    if project_id is not None and projects_visible_to(user).filter(pk=project_id).exists():
        return job
    raise Http404("No such job.")


# --- Rating -------------------------------------------------------------------------------
# Raters reach a project only to take work from it, and only their own assignments.


def get_project_for_rater(user, project_id) -> EvaluationProject:
    if not has_role(user, Role.RATER):
        raise Http404("No such project.")
    try:
        # A draft was never open to raters: its name is the owner's business, not a vendor's.
        projects = EvaluationProject.objects.exclude(status=EvaluationProject.Status.DRAFT)
        return projects.select_related("guideline_version__guideline").get(pk=project_id)
    except (EvaluationProject.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project.") from None


def get_assignment_for_user(user, assignment_id) -> Assignment:
    try:
        # Few joins on purpose: this runs on every submit, and planning a wide join cost more
        # than the rest of the request. Pages are read by id (raters.selectors.assignment_pages).
        assignment = Assignment.objects.select_related("task", "project__guideline_version__guideline").get(
            pk=assignment_id, rater=user
        )
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assignment.") from None
    # The same rows, already in hand: the task's project is the assignment's, the rater is `user`.
    assignment.rater = user
    assignment.task.project = assignment.project
    return assignment
