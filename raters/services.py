"""Writes for people (accounts, roles, rater profiles) and for their work (judgments, skips)."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from evalconsole.errors import Conflict
from evalconsole.locales import locale_problem
from evalconsole.roles import Role, set_role
from evalconsole.rows import execute, insert_rows, statement_scope
from guidelines.answers import validate_answers
from guidelines.models import Guideline
from guidelines.schema import PREFERENCE_KEY
from raters import engine, pages
from raters.models import Assignment, Judgment, RaterProfile, ResultAnswer, SensitiveReveal

User = get_user_model()
MAX_DAILY_QUOTA = 10_000


def _profile_errors(*, locales, daily_quota) -> dict[str, list[str]]:
    errors = {}
    if not isinstance(locales, (list, tuple)):
        errors["locales"] = ['Give locales as a list of tags, e.g. ["it-IT", "de-DE"].']
    else:
        problems = [problem for locale in locales if (problem := locale_problem(locale))]
        if problems:
            errors["locales"] = problems
        elif len(set(locales)) != len(locales):
            errors["locales"] = ["A locale is listed twice."]
    if daily_quota is not None and (
        isinstance(daily_quota, bool) or not isinstance(daily_quota, int) or not 0 <= daily_quota <= MAX_DAILY_QUOTA
    ):
        errors["daily_quota"] = [f"The daily quota is a whole number from 0 to {MAX_DAILY_QUOTA}."]
    return errors


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    locales=(),
    daily_quota: int | None = None,
    email: str = "",
    qualifications=(),
):
    """A person with one role and a rater profile, all or nothing.

    `qualifications`: slugs of the guidelines this person may rate under.
    """
    errors = _profile_errors(locales=locales, daily_quota=daily_quota)
    guidelines = list(Guideline.objects.filter(slug__in=qualifications))
    unknown = sorted(set(qualifications) - {guideline.slug for guideline in guidelines})
    if unknown:
        errors["qualifications"] = [f'There is no guideline "{slug}".' for slug in unknown]
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [f'"{role}" is not a role; use one of {", ".join(r.value for r in Role)}.']
    if User.objects.filter(username=username).exists():
        errors["username"] = [f'The username "{username}" is taken.']
    candidate = User(username=username, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        set_role(candidate, role)
        profile = RaterProfile(user=candidate, locales=list(locales))
        if daily_quota is not None:
            profile.daily_quota = daily_quota
        profile.save()
        profile.qualifications.set(guidelines)
    return candidate


def users_create_bulk(*, people: list[dict]) -> list:
    """Onboard many people at once; if any one is refused, nobody is created.

    Errors are keyed by position, `people[3].username`, so a vendor can fix their file.
    """
    errors: dict[str, list[str]] = {}
    created, seen = [], set()
    with transaction.atomic():
        for index, person in enumerate(people):
            username = person.get("username")
            if username in seen:
                errors[f"people[{index}].username"] = [f'"{username}" appears twice in this request.']
                continue
            seen.add(username)
            try:
                created.append(user_create(**person))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors[f"people[{index}].{field}"] = messages
        if errors:
            # Leaving the block with an exception rolls back everyone created above.
            raise ValidationError(errors)
    return created


def profile_for(user) -> RaterProfile:
    profile, _ = RaterProfile.objects.get_or_create(user=user)
    return profile


# --- Judgments ----------------------------------------------------------------------------


_ANSWER_FIELDS = ("serp_id", "doc_id", "question", "value", "text")


def _result_rows(schema: dict, results: dict, serp_by_doc: dict) -> list[tuple]:
    """Per-result answers as narrow rows (_ANSWER_FIELDS): numbers for ordinal/boolean, text otherwise,
    a row per multi choice."""
    types = {question["key"]: question["type"] for question in schema.get("result_questions", [])}
    rows = []
    for doc_id, answers in results.items():
        for key, value in answers.items():
            if value is None:
                continue
            base = (serp_by_doc[doc_id], doc_id, key)
            kind = types[key]
            if kind == "ordinal":
                rows.append((*base, float(value), ""))
            elif kind == "boolean":
                rows.append((*base, 1.0 if value else 0.0, ""))
            elif kind == "multi":
                rows += [(*base, None, str(choice)) for choice in value]
            else:
                rows.append((*base, None, str(value)))
    return rows


_PAGE_DOCS_SQL = "SELECT serp_id, doc_id FROM projects_poolresult WHERE serp_id IN (%(first)s, %(second)s)"
_JUDGMENT_FIELDS = (
    "assignment_id", "task_id", "project_id", "rater_id", "guideline_version_id", "submission_id", "page",
    "cannot_judge", "active_ms", "is_gold", "created_at",
)  # fmt: skip


def _page_docs(assignment) -> dict[str, int]:
    """doc_id -> the SERP showing it (the first page, if both sides of a pair show it).

    From `assignment.page_docs` when its read brought them (access.get_assignment_for_user).
    """
    serp_ids = pages.shown_serp_ids(assignment.task, swapped=False)  # stored order: the first page first
    found = getattr(assignment, "page_docs", None)
    if found is None:
        with connection.cursor() as cursor:
            execute(cursor, _PAGE_DOCS_SQL, {"first": serp_ids[0], "second": serp_ids[-1]})
            found = cursor.fetchall()
    serp_by_doc = {}
    for serp_id, doc_id in sorted(found, key=lambda row: serp_ids.index(row[0])):
        serp_by_doc.setdefault(doc_id, serp_id)
    return serp_by_doc


def judgment_submit(
    *,
    assignment: Assignment,
    submission_id,
    page: dict,
    results: dict,
    cannot_judge: str | None = None,
    active_ms: int,
    now=None,
) -> tuple[Judgment, bool]:
    """Store a rater's answers once. Returns (judgment, created): a retry with the same
    submission_id gets the judgment it already made."""
    now = now or timezone.now()
    if assignment.status != Assignment.Status.LEASED:
        # Most likely a retry of a submit that went through: answer it with that judgment.
        earlier = _earlier(submission_id, assignment)
        if earlier is not None:
            return earlier, False
    if assignment.status == Assignment.Status.SUBMITTED:
        raise Conflict(
            "This task is already submitted; your answers were saved the first time.", code="already_submitted"
        )
    if assignment.status == Assignment.Status.SKIPPED:
        raise Conflict("You skipped this task, so it cannot be submitted; take the next task.", code="not_leased")
    if assignment.status != Assignment.Status.LEASED or assignment.expires_at <= now:
        raise Conflict(
            f"Your lease on this task ended at {assignment.expires_at:%H:%M} UTC and it went back to the pool; "
            "take the next task.",
            code="lease_expired",
        )
    task = assignment.task
    project = assignment.project
    version = project.guideline_version
    serp_by_doc = _page_docs(assignment)
    problems = validate_answers(
        version.schema, page=page, results=results, doc_ids=list(serp_by_doc), cannot_judge=cannot_judge
    )
    if problems:
        raise ValidationError({"answers": [str(problem) for problem in problems]})
    page = dict(page)
    if assignment.swapped and isinstance(page.get(PREFERENCE_KEY), (int, float)):
        # The rater said "left" about the second variant: store it the way round it really was.
        page[PREFERENCE_KEY] = -page[PREFERENCE_KEY]
    judgment = Judgment(
        assignment=assignment, task=task, project=project, rater=assignment.rater, guideline_version=version,
        submission_id=submission_id, page=page, cannot_judge=cannot_judge or "", active_ms=active_ms,
        is_gold=assignment.is_gold, created_at=now,
    )  # fmt: skip
    store = _store_in_one_statement if connection.vendor == "postgresql" else _store_in_transaction
    try:
        judgment.id = store(judgment, _result_rows(version.schema, results, serp_by_doc), now=now)
    except IntegrityError:
        # The submission_id is taken: a retry racing its first try, or an id reused on another task.
        earlier = _earlier(submission_id, assignment)
        if earlier is not None:
            return earlier, False
        raise
    if judgment.id is None:
        # The lease was no longer live: the release waited for any other submit of this assignment
        # to commit, and a retry with the same submission_id gets that judgment.
        earlier = _earlier(submission_id, assignment)
        if earlier is not None:
            return earlier, False
        raise Conflict("This task is no longer leased to you; take the next task.", code="lease_expired")
    judgment._state.adding, judgment._state.db = False, connection.alias
    assignment.status, assignment.finished_at = Assignment.Status.SUBMITTED, now
    return judgment, True


def _judgment_row(judgment: Judgment) -> tuple:
    return tuple(getattr(judgment, name) for name in _JUDGMENT_FIELDS)


def _store_in_transaction(judgment: Judgment, answers: list[tuple], *, now) -> int | None:
    """End the lease, write the judgment and its answers, all or nothing; None if the lease had ended."""
    with transaction.atomic():
        if not engine.release(judgment.assignment, status=Assignment.Status.SUBMITTED, now=now, judged=True):
            return None
        [judgment_id] = insert_rows(Judgment, _JUDGMENT_FIELDS, [_judgment_row(judgment)], returning="id")
        insert_rows(ResultAnswer, ("judgment_id", *_ANSWER_FIELDS), [(judgment_id, *row) for row in answers])
    return judgment_id


# The same writes as _store_in_transaction in one statement on PostgreSQL: ending the lease gates
# the rest (no live lease, no row to write from), the task's slot and counts follow, then the
# judgment and its answers. One statement is one transaction: all of it or none.
_STORE_SQL = """
    WITH released AS (
        UPDATE raters_assignment SET status = 'submitted', finished_at = %s
        WHERE id = %s AND status = 'leased'
        RETURNING id, task_id, is_gold
    ),
    slot AS (
        UPDATE projects_task t
        SET lease_count = t.lease_count - CASE WHEN r.is_gold THEN 0 ELSE 1 END,
            judgment_count = t.judgment_count + 1
        FROM released r WHERE t.id = r.task_id
        RETURNING t.id
    ),
    made AS (
        INSERT INTO raters_judgment ({judgment_columns})
        SELECT {judgment_values} FROM released
        RETURNING id
    ),
    answers AS (
        INSERT INTO raters_resultanswer (judgment_id, {answer_columns})
        SELECT made.id, v.* FROM made CROSS JOIN unnest({answer_arrays}) AS v
        RETURNING 1
    )
    SELECT id FROM made
"""


@cache
def _store_sql() -> tuple[str, list, list]:
    """The statement (one shape whatever the number of answers: they travel as one array per
    column), and the judgment's and the answers' fields in its parameter order."""
    judgment_fields = [Judgment._meta.get_field(name) for name in _JUDGMENT_FIELDS]
    answer_fields = [ResultAnswer._meta.get_field(name) for name in _ANSWER_FIELDS]
    sql = _STORE_SQL.format(
        judgment_columns=", ".join(field.column for field in judgment_fields),
        judgment_values=", ".join(f"%s::{field.cast_db_type(connection)}" for field in judgment_fields),
        answer_columns=", ".join(field.column for field in answer_fields),
        answer_arrays=", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in answer_fields),
    )
    return sql, judgment_fields, answer_fields


def _store_in_one_statement(judgment: Judgment, answers: list[tuple], *, now) -> int | None:
    sql, judgment_fields, answer_fields = _store_sql()
    params = [connection.ops.adapt_datetimefield_value(now), judgment.assignment_id]
    params += [
        field.get_db_prep_save(value, connection)
        for field, value in zip(judgment_fields, _judgment_row(judgment), strict=True)
    ]
    params += [
        [field.get_db_prep_save(row[index], connection) for row in answers] for index, field in enumerate(answer_fields)
    ]
    with statement_scope(), connection.cursor() as cursor:
        execute(cursor, sql, params)
        stored = cursor.fetchone()
    return stored[0] if stored else None


def _earlier(submission_id, assignment) -> Judgment | None:
    """The judgment this submission already made, if any; one made for another task is refused."""
    earlier = Judgment.objects.filter(submission_id=submission_id).select_related("guideline_version").first()
    if earlier is not None and earlier.assignment_id != assignment.pk:
        raise Conflict("This submission_id was already used for another task.", code="submission_id_reused")
    return earlier


def assignment_skip(*, assignment: Assignment, reason: str = "", now=None) -> Assignment:
    now = now or timezone.now()
    if assignment.status != Assignment.Status.LEASED:
        raise Conflict(f"This task is {assignment.status}; only a leased task can be skipped.", code="not_leased")
    assignment.skip_reason = (reason or "")[:200]
    with transaction.atomic():
        if not engine.release(assignment, status=Assignment.Status.SKIPPED, now=now):
            raise Conflict("This task is no longer leased to you.", code="not_leased")
        Assignment.objects.filter(pk=assignment.pk).update(skip_reason=assignment.skip_reason)
    return assignment


def reveal_log(*, assignment: Assignment, doc_id: str) -> tuple[SensitiveReveal, bool]:
    """Log a reveal once per result of an assignment: (the reveal, whether this call made it).

    A retried request (the console resends one whose answer was lost) finds the first; wellbeing
    audits count results a rater chose to see, not clicks.
    """
    return SensitiveReveal.objects.get_or_create(assignment=assignment, doc_id=doc_id[:200])
