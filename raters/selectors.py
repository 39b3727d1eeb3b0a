from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from evalconsole import rows
from evalconsole.roles import GROUP_ROLES, Role
from projects.models import EvaluationProject, PoolResult, Task
from raters import engine, pages
from raters.models import Assignment

User = get_user_model()


def user_list(*, role: str | None = None) -> QuerySet:
    people = (
        User.objects.select_related("rater_profile")
        .prefetch_related("groups", "rater_profile__qualifications")
        .order_by("username")
    )
    if role == Role.ADMIN:
        people = people.filter(is_staff=True)
    elif role in GROUP_ROLES:
        people = people.filter(groups__name=role)
    return people


_PAGES_SQL = f"""
    SELECT {pages.PAGE_COLUMNS}
    FROM projects_poolserp s
    LEFT JOIN projects_poolresult r ON r.serp_id = s.id
    WHERE s.id IN (%(first)s, %(second)s)
    ORDER BY s.id, r.rank
"""  # noqa: S608 - the columns are a constant; the ids are parameters


def assignment_pages(*, assignment) -> list[tuple[dict, list]]:
    """The page(s) of an assignment as the rater sees them: left then right when side by side.

    A lease fresh from the engine brings them (read with the lease on PostgreSQL); otherwise one
    raw query from the SERP side (a SERP without results still shows), on the rating hot path.
    """
    if (leased := getattr(assignment, "leased_pages", None)) is not None:
        return leased
    serp_ids = pages.shown_serp_ids(assignment.task, swapped=assignment.swapped)
    with connection.cursor() as cursor:
        # One shape for one page or two (prepared once on PostgreSQL): a single page is asked twice.
        rows.execute(cursor, _PAGES_SQL, {"first": serp_ids[0], "second": serp_ids[-1]})
        found = cursor.fetchall()
    return pages.from_rows(assignment.task, swapped=assignment.swapped, rows=found)


# --- The rater console ----------------------------------------------------------------------


def _http_only(url: str) -> str:
    """A pool link as the console may use it: http(s) or nothing (import checks this too)."""
    scheme = urlsplit(url or "").scheme.lower()
    return url if scheme in ("http", "https") else ""


def projects_open_to(*, rater, profile) -> list[EvaluationProject]:
    """Active projects this rater may work on now (qualified, a locale in common), with open tasks counted.

    The same rules as engine.check_eligible, as a list; the locale overlap is checked in Python
    because JSON list overlap is not portable across databases, and active projects are few.
    """
    locales = list(profile.locales)
    waiting = (
        Task.objects.filter(
            project=OuterRef("pk"),
            is_gold=False,
            locale__in=locales,
            judgment_count__lt=F("overlap") - F("lease_count"),
        )
        .exclude(Exists(Assignment.objects.filter(task=OuterRef("pk"), rater=rater)))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = (
        EvaluationProject.objects.filter(
            status=EvaluationProject.Status.ACTIVE,
            guideline_version__guideline__in=profile.qualifications.all(),
        )
        .select_related("guideline_version__guideline")
        .annotate(open_tasks=Coalesce(Subquery(waiting), 0))
        .order_by("-priority", "deadline", "name")
    )
    return [project for project in projects if not project.locales or set(project.locales) & set(locales)]


def rater_day(*, rater, profile, now=None) -> dict:
    """Today's numbers for the progress bar: judgments made, and how many more tasks the quota allows."""
    now = now or timezone.now()
    taken, sensitive = engine.day_counts(rater, now)
    return {
        "done_today": engine.judged_today(rater, now),
        "daily_quota": profile.daily_quota,
        "quota_left": max(0, profile.daily_quota - taken),
        "sensitive_left": max(0, profile.sensitive_daily_cap - sensitive),
    }


def console_day(*, rater, profile, assignment, now=None) -> dict:
    """Today's numbers as the console shows them beside a task: the task on screen is still to do.

    The engine counts a live lease as taken (so the quota holds); a rater reads "quota left" as
    what they may still do, this task included.
    """
    now = now or timezone.now()
    day = rater_day(rater=rater, profile=profile, now=now)
    if assignment.leased_at >= engine.start_of_day(now):
        day["quota_left"] = min(profile.daily_quota, day["quota_left"] + 1)
    return day


def _reason_label(reason: str) -> str:
    return reason.replace("_", " ").capitalize()


def _digit_keys(question: dict) -> int:
    """How many options digits pick by position (1 = first, 0 = tenth); 0 when the digit is the value.

    Mirrors console.js applyDigit: an ordinal scale of whole numbers 0-9 is picked by value.
    """
    if question["type"] == "boolean":
        return 2
    if question["type"] not in ("ordinal", "categorical", "multi"):
        return 0
    values = [option.get("value") for option in question.get("options", [])]
    by_value = question["type"] == "ordinal" and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9 for v in values
    )
    return 0 if by_value else min(len(values), 10)


def _keys_hints(questions: list[dict], *, digits_for=None) -> list[dict]:
    """Each question with the number of options its digit keys reach by position (0: by value, or none).

    `digits_for`: the keys of the questions digits act on (all when None). The rater sees the
    key on each option; a screen reader hears the hint.
    """
    return [
        {
            "question": question,
            "keys": (keys := _digit_keys(question) if digits_for is None or question["key"] in digits_for else 0),
            "last": keys % 10,
        }
        for question in questions
    ]


def console_task(*, assignment, now=None) -> dict:
    """Everything the console's task panel shows for one assignment (one query for the results).

    `assignment` comes from access.get_assignment_for_user (task, pages and version joined).
    Side by side, the variant names stay out of the page: the rater must not know which is which.
    """
    now = now or timezone.now()
    version = assignment.task.project.guideline_version
    schema = version.schema
    result_questions = schema.get("result_questions", [])
    # Digits rate the focused result through its first ordinal question only (console.js rateDigit).
    rated_by_digit = next((q["key"] for q in result_questions if q["type"] == "ordinal"), None)
    rated = set()
    pages = []
    for serp, results in assignment_pages(assignment=assignment):
        items = []
        for result in results:
            result.url = _http_only(result.url)
            result.thumbnail_url = _http_only(result.thumbnail_url)
            # A doc shown on both sides gets one set of answers: results are keyed by doc_id.
            prefix = None
            if result.doc_id not in rated:
                rated.add(result.doc_id)
                prefix = f"r{len(rated)}"
            items.append({"result": result, "prefix": prefix})
        shown = {"query": serp["query"], "locale": serp["locale"], "side": serp["side"]}
        pages.append({"serp": shown, "side": serp["side"], "items": items})
    return {
        "assignment": assignment,
        "project": assignment.task.project,
        "version": version,
        "schema": schema,
        "pages": pages,
        "side_by_side": len(pages) > 1,
        "page_questions": _keys_hints(schema.get("page_questions", [])),
        "result_questions": _keys_hints(result_questions, digits_for={rated_by_digit}),
        "cannot_judge_reasons": [(r, _reason_label(r)) for r in schema.get("cannot_judge_reasons", [])],
        "lease_seconds": (left := max(0, int((assignment.expires_at - now).total_seconds()))),
        "lease_left": f"{left // 60}:{left % 60:02d}",
    }


def assignment_doc_sensitive(*, assignment, doc_id: str) -> bool | None:
    """Whether the result `doc_id` on this assignment's page(s) is sensitive; None when it is not there."""
    serps = [serp_id for serp_id in (assignment.task.serp_id, assignment.task.serp_b_id) if serp_id]
    flags = set(PoolResult.objects.filter(serp_id__in=serps, doc_id=doc_id).values_list("sensitive", flat=True))
    return (True in flags) if flags else None
