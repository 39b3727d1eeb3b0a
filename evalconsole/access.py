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

from functools import cache

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from evalconsole import rows
from evalconsole.models import Job
from evalconsole.roles import Role, has_role
from guidelines.models import Guideline, GuidelineVersion
from projects.models import EvaluationProject, PoolSerp, Task
from raters import engine
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


# On PostgreSQL a submit's read of its assignment also brings the (SERP id, doc id) of each result on
# its page(s), to check the answers against; elsewhere services.judgment_submit reads them itself.
_PAGE_DOCS_COLUMN = (
    "ARRAY(SELECT ARRAY[r.serp_id::text, r.doc_id] FROM projects_poolresult r "
    "WHERE r.serp_id IN (t.serp_id, t.serp_b_id))"
)


@cache
def _rating_sql(*, page_docs: bool = False) -> tuple[str, str]:
    """The rater's project, and an assignment with everything a submit needs: one statement each.

    Raw on purpose: these run on every next and submit, where building the select_related query
    cost more than PostgreSQL spent on it. The rows load as the ORM would (evalconsole.rows).
    """
    project = (
        f"SELECT {rows.select_list('p', EvaluationProject)}, {rows.select_list('v', GuidelineVersion)}, "  # noqa: S608
        f"{rows.select_list('g', Guideline)} "
        "FROM projects_evaluationproject p "
        "JOIN guidelines_guidelineversion v ON v.id = p.guideline_version_id "
        "JOIN guidelines_guideline g ON g.id = v.guideline_id "
        "WHERE p.id = %(project)s AND p.status <> %(draft)s"
    )
    assignment = (
        f"SELECT {rows.select_list('a', Assignment)}, {rows.select_list('t', Task)}, "  # noqa: S608
        f"{rows.select_list('p', EvaluationProject)}, {rows.select_list('v', GuidelineVersion)}, "
        f"{rows.select_list('g', Guideline)}{', ' + _PAGE_DOCS_COLUMN if page_docs else ''} "
        "FROM raters_assignment a "
        "JOIN projects_task t ON t.id = a.task_id "
        "JOIN projects_evaluationproject p ON p.id = a.project_id "
        "JOIN guidelines_guidelineversion v ON v.id = p.guideline_version_id "
        "JOIN guidelines_guideline g ON g.id = v.guideline_id "
        "WHERE a.id = %s AND a.rater_id = %s"
    )
    return project, assignment


def _as_id(value) -> int | None:
    """An id as the database takes it, or None for anything that cannot be one ("7", 7: 7; "x": None)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _fetch_one(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        rows.execute(cursor, sql, params)
        return cursor.fetchone()


def _project_from(row: tuple, start: int) -> EvaluationProject:
    """The project at row[start:], with its guideline version and guideline after it."""
    project = rows.load(EvaluationProject, row, start)
    start += rows.width(EvaluationProject)
    project.guideline_version = rows.load(GuidelineVersion, row, start)
    project.guideline_version.guideline = rows.load(Guideline, row, start + rows.width(GuidelineVersion))
    return project


@cache
def _project_and_standing_sql() -> str:
    # Both sides give one row (the standing aggregates); no project, no row.
    return f"SELECT * FROM ({_rating_sql()[0]}) pr CROSS JOIN ({engine.STANDING_SQL}) st"  # noqa: S608


def get_project_for_rater(user, project_id, *, standing_at=None) -> EvaluationProject:
    """With its guideline version and guideline. A draft was never open to raters: its name is the
    owner's business, not a vendor's.

    `standing_at` (a time): the rater's standing there at that time is read in the same statement,
    for engine.lease_next at that time (one round trip fewer on next-task).
    """
    project_id = _as_id(project_id)
    if not has_role(user, Role.RATER) or project_id is None:
        raise Http404("No such project.")
    params = {"project": project_id, "draft": EvaluationProject.Status.DRAFT.value}
    if standing_at is None:
        row = _fetch_one(_rating_sql()[0], params)
    else:
        params.update(engine.standing_params(user, standing_at, project_id=project_id))
        row = _fetch_one(_project_and_standing_sql(), params)
    if row is None:
        raise Http404("No such project.")
    project = _project_from(row, 0)
    if standing_at is not None:
        width = rows.width(EvaluationProject) + rows.width(GuidelineVersion) + rows.width(Guideline)
        project.rater_standing = engine.Standing(rater_id=user.pk, at=standing_at, row=row[width:])
    return project


def get_assignment_for_user(user, assignment_id, *, for_submit: bool = False) -> Assignment:
    """The user's own assignment with its task, project, guideline version and guideline; 404 for anyone else's.

    `for_submit`: on PostgreSQL, also the doc ids of its page(s) as `page_docs` [(SERP id, doc id)].
    """
    assignment_id = _as_id(assignment_id)
    with_docs = for_submit and connection.vendor == "postgresql"
    sql = _rating_sql(page_docs=with_docs)[1]
    row = _fetch_one(sql, [assignment_id, user.pk]) if assignment_id is not None else None
    if row is None:
        raise Http404("No such assignment.")
    if with_docs:
        *row, docs = row
    assignment = rows.load(Assignment, row)
    assignment.task = rows.load(Task, row, rows.width(Assignment))
    assignment.project = _project_from(row, rows.width(Assignment) + rows.width(Task))
    # The same rows, already in hand: the task's project is the assignment's, the rater is `user`.
    assignment.rater = user
    assignment.task.project = assignment.project
    if with_docs:
        assignment.page_docs = [(int(serp_id), doc_id) for serp_id, doc_id in docs]
    return assignment
