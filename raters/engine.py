"""The assignment engine: which task a rater gets next, and the leases that hold it.

The database keeps the promises, not Python:
- a task row is taken with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent raters never wait
  on, or both take, the same row;
- judgments + live leases never exceed a task's overlap (a conditional UPDATE, backed by a
  check constraint on the task);
- a rater never gets a task twice (a unique constraint on (task, rater)).
"""

import json
import math
import random
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from evalconsole import rows
from projects.models import EvaluationProject, Task
from raters import pages
from raters.models import Assignment, Judgment

Status = Assignment.Status
EXPIRE_BATCH = 500


class Unavailable(Exception):
    """Why a rater gets no task from this project right now (said to the rater as is)."""


def gold_due(position: int, rate: float) -> bool:
    """Whether the rater's `position`-th task (0-based) in a project should be gold.

    Bresenham-style: over any stretch of n tasks, gold makes up n*rate of them within one,
    spread evenly, neither bunched at the start nor at the end.
    """
    if rate <= 0:
        return False
    return math.floor((position + 1) * rate) > math.floor(position * rate)


def start_of_day(now):
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class RaterState:
    """Where a rater stands, from one aggregate over their assignments (no query per number)."""

    taken_today: int  # leased today and then submitted, or still validly held: skips and lapses gave it back
    sensitive_today: int
    position: int  # assignments in this project so far (the gold schedule's clock); 0 when not asked
    live_id: int | None  # their valid lease in this project, if any
    stale: int  # their leases in this project past their time that nobody has expired yet


# Where the rater stands and what their profile allows, in one statement over their assignments
# (today's, plus their leases in this project; and, only when the project has gold, a count of all
# of theirs there for the gold clock). The guideline and the gold rate come from the project's row,
# so a caller can read this beside the project in one round trip (access.get_project_for_rater's
# `standing_at`).
# Raw SQL: on the rating hot path, building this aggregate in the ORM cost more than running it.
# Parameters: rater, project (may be NULL: today's counts only), now, today.
STANDING_SQL = """
    SELECT s.taken, s.sensitive,
           CASE WHEN (SELECT j.gold_rate FROM projects_evaluationproject j WHERE j.id = %(project)s) > 0
                THEN (SELECT COUNT(*) FROM raters_assignment o
                      WHERE o.rater_id = %(rater)s AND o.project_id = %(project)s)
                ELSE 0 END AS position,
           s.live, s.stale,
           p.id, p.locales, p.daily_quota, p.sensitive_daily_cap, p.sensitive_opt_out,
           EXISTS (SELECT 1 FROM raters_raterprofile_qualifications q
                   WHERE q.raterprofile_id = p.id AND q.guideline_id = (
                       SELECT v.guideline_id FROM projects_evaluationproject j
                       JOIN guidelines_guidelineversion v ON v.id = j.guideline_version_id
                       WHERE j.id = %(project)s)) AS qualified
    FROM (
        SELECT
            COALESCE(SUM(CASE WHEN a.leased_at >= %(today)s AND (a.status = 'submitted'
                OR (a.status = 'leased' AND a.expires_at > %(now)s)) THEN 1 ELSE 0 END), 0) AS taken,
            COALESCE(SUM(CASE WHEN a.leased_at >= %(today)s AND (a.status = 'submitted'
                OR (a.status = 'leased' AND a.expires_at > %(now)s)) AND a.has_sensitive THEN 1 ELSE 0 END), 0)
                AS sensitive,
            MAX(CASE WHEN a.project_id = %(project)s AND a.status = 'leased' AND a.expires_at > %(now)s
                THEN a.id END) AS live,
            COALESCE(SUM(CASE WHEN a.project_id = %(project)s AND a.status = 'leased' AND a.expires_at <= %(now)s
                THEN 1 ELSE 0 END), 0) AS stale
        FROM raters_assignment a
        WHERE a.rater_id = %(rater)s
          AND (a.leased_at >= %(today)s OR (a.project_id = %(project)s AND a.status = 'leased'))
    ) s
    LEFT JOIN raters_raterprofile p ON p.user_id = %(rater)s
"""


def standing_params(rater, now, *, project_id: int | None) -> dict:
    when = connection.ops.adapt_datetimefield_value
    return {"rater": rater.pk, "project": project_id, "now": when(now), "today": when(start_of_day(now))}


def standing_from_row(row) -> tuple[dict | None, RaterState]:
    """(profile fields with "qualified", or None without a profile; the rater's state) from STANDING_SQL's row."""
    taken, sensitive, position, live, stale, profile_id, *profile = row
    state = RaterState(taken_today=taken, sensitive_today=sensitive, position=position, live_id=live, stale=stale)
    if profile_id is None:
        return None, state
    locales, quota, cap, opt_out, qualified = profile
    fields = {
        "locales": json.loads(locales) if isinstance(locales, str) else locales,
        "daily_quota": quota,
        "sensitive_daily_cap": cap,
        "sensitive_opt_out": bool(opt_out),
        "qualified": bool(qualified),
    }
    return fields, state


@dataclass(frozen=True)
class Standing:
    """A standing read beside the project (access.get_project_for_rater), for lease_next at the same time."""

    rater_id: int
    at: object  # the datetime it was read for
    row: tuple


def _standing(rater, now, *, project: EvaluationProject | None) -> tuple[dict | None, RaterState]:
    """(profile fields with "qualified", or None without a profile; the rater's state), one query,
    or none when the project came with it."""
    read = getattr(project, "rater_standing", None)
    if read is not None and read.rater_id == rater.pk and read.at == now:
        return standing_from_row(read.row)
    with connection.cursor() as cursor:
        rows.execute(cursor, STANDING_SQL, standing_params(rater, now, project_id=project.pk if project else None))
        return standing_from_row(cursor.fetchone())


def rater_state(rater, now, *, project: EvaluationProject | None = None) -> RaterState:
    return _standing(rater, now, project=project)[1]


def day_counts(rater, now) -> tuple[int, int]:
    """Tasks taken today (judged or validly held): all, and those with sensitive results."""
    state = rater_state(rater, now)
    return state.taken_today, state.sensitive_today


def check_eligible(*, profile, project: EvaluationProject, qualified: bool) -> None:
    """`profile`: anything with `locales`; `qualified`: whether it holds the project's guideline."""
    if project.status != EvaluationProject.Status.ACTIVE:
        raise Unavailable(f'"{project.name}" is {project.status}, not open for rating.')
    if not qualified:
        raise Unavailable(f'You are not qualified for the guideline "{project.guideline_version.guideline.name}".')
    if project.locales and not set(project.locales) & set(profile.locales):
        raise Unavailable(f'"{project.name}" needs raters for {", ".join(project.locales)}.')


_TASK_FIELDS = ("id", "project_id", "serp_id", "serp_b_id", "is_gold")
_QUEUE_SQL = """
    SELECT t.id, t.serp_id, t.serp_b_id, t.is_gold, t.has_sensitive
    FROM projects_task t
    WHERE t.project_id = %s AND t.is_gold = %s AND t.locale {locales} {conditions}
      AND NOT EXISTS (SELECT 1 FROM raters_assignment a WHERE a.task_id = t.id AND a.rater_id = %s)
    ORDER BY t.priority DESC, t.judgment_count, t.shuffle
    LIMIT 1 {lock}
"""
# The row is locked, but the condition keeps the overlap even if it were not.
_TAKE_SQL = (
    "UPDATE projects_task SET lease_count = lease_count + 1 WHERE id = %s AND judgment_count < overlap - lease_count"
)
_LEASE_SQL = """
    INSERT INTO raters_assignment
        (task_id, project_id, rater_id, status, is_gold, has_sensitive, swapped, leased_at, expires_at, skip_reason)
    VALUES (%s, %s, %s, 'leased', %s, %s, %s, %s, %s, '')
"""


# PostgreSQL takes the lease in one statement (no BEGIN/COMMIT round trips): lock the head of the
# queue, count the lease on the task, record the assignment (the same three steps as
# _lease_in_transaction's), and read the task's page(s) for the answer: one row per result.
_LEASE_ONE_STATEMENT_SQL = """
    WITH head AS ({queue}),
    taken AS (
        UPDATE projects_task t SET lease_count = t.lease_count + CASE WHEN head.is_gold THEN 0 ELSE 1 END
        FROM head
        WHERE t.id = head.id AND (head.is_gold OR t.judgment_count < t.overlap - t.lease_count)
        RETURNING t.id, t.serp_id, t.serp_b_id, t.is_gold, t.has_sensitive
    ),
    made AS (
        INSERT INTO raters_assignment
            (task_id, project_id, rater_id, status, is_gold, has_sensitive, swapped, leased_at, expires_at,
             skip_reason)
        SELECT id, %s, %s, 'leased', is_gold, has_sensitive, serp_b_id IS NOT NULL AND %s, %s, %s, '' FROM taken
        RETURNING id, task_id, swapped
    )
    SELECT made.id, taken.id, taken.serp_id, taken.serp_b_id, taken.is_gold, taken.has_sensitive, made.swapped,
           {page_columns}
    FROM made JOIN taken ON taken.id = made.task_id
    LEFT JOIN projects_poolserp s ON s.id IN (taken.serp_id, taken.serp_b_id)
    LEFT JOIN projects_poolresult r ON r.serp_id = s.id
    ORDER BY s.id, r.rank
"""
_LEASE_WIDTH = 7  # the lease's columns before the page's


def _queue_sql(*, locales, gold: bool, allow_sensitive: bool, as_array: bool = False) -> str:
    """The queue's head for this rater, locked where the database can skip rows others are taking.

    Parameters: project id, gold, the locales (one array parameter when `as_array`, else one each),
    rater id.
    """
    conditions = "" if gold else "AND t.judgment_count < t.overlap - t.lease_count"
    if not allow_sensitive:
        conditions += " AND NOT t.has_sensitive"
    skip_locked = connection.features.has_select_for_update_skip_locked
    return _QUEUE_SQL.format(
        locales="= ANY(%s)" if as_array else "IN (" + ", ".join(["%s"] * len(locales)) + ")",
        conditions=conditions,
        lock="FOR UPDATE OF t SKIP LOCKED" if skip_locked else "",
    )


def _queue_head(cursor, *, project, rater, locales, gold: bool, allow_sensitive: bool) -> tuple | None:
    cursor.execute(
        _queue_sql(locales=locales, gold=gold, allow_sensitive=allow_sensitive), [project.pk, gold, *locales, rater.pk]
    )
    return cursor.fetchone()


def lease_next(*, rater, project: EvaluationProject, now=None) -> Assignment | None:
    """The rater's live lease in this project, or a new one on the next task; None when the queue is empty.

    Raises Unavailable when the rater may not work on this project now (status, qualification,
    locale, quota). `project` comes with its guideline version (access.get_project_for_rater).
    """
    now = now or timezone.now()
    fields, state = _standing(rater, now, project=project)
    profile = SimpleNamespace(**fields) if fields else None
    check_eligible(profile=profile, project=project, qualified=bool(fields and fields["qualified"]))
    if state.live_id is not None:
        return Assignment.objects.select_related("task").get(pk=state.live_id)
    if state.stale:
        # Their own lapsed lease goes back before they move on (the beat job would, within a minute).
        expire_leases(project=project, now=now)
    if state.taken_today >= profile.daily_quota:
        noun = "task" if profile.daily_quota == 1 else "tasks"
        raise Unavailable(f"You have reached today's quota of {profile.daily_quota} {noun}.")
    allow_sensitive = not profile.sensitive_opt_out and state.sensitive_today < profile.sensitive_daily_cap
    want_gold = gold_due(state.position, project.gold_rate)
    assignment = _take(rater=rater, project=project, locales=profile.locales, now=now, gold=want_gold,
                       allow_sensitive=allow_sensitive)  # fmt: skip
    if assignment is None and expire_leases(project=project, now=now):
        # The queue looked empty only because lapsed leases still held tasks: they are back now.
        assignment = _take(rater=rater, project=project, locales=profile.locales, now=now, gold=want_gold,
                           allow_sensitive=allow_sensitive)  # fmt: skip
    return assignment


def _take(*, rater, project, locales, now, gold: bool, allow_sensitive: bool) -> Assignment | None:
    """Lease the head of the queue (gold first when it is due); None when the queue is empty."""
    if not locales:
        return None
    lease = _lease_one_statement if connection.vendor == "postgresql" else _lease_in_transaction
    queue = {"project": project, "rater": rater, "locales": list(locales), "allow_sensitive": allow_sensitive}
    expires = now + timedelta(minutes=project.lease_minutes)
    for attempt in range(3):
        try:
            row = (lease(gold=True, now=now, expires=expires, **queue) if gold else None) or lease(
                gold=False, now=now, expires=expires, **queue
            )
        except IntegrityError:
            # Two tabs of the same rater raced for the same task; the other tab has it.
            if attempt == 2:
                raise
            continue
        if row is None:
            return None
        (assignment_id, task_id, serp_id, serp_b_id, is_gold, has_sensitive, swapped), page_rows = row
        # As the ORM would have loaded them: the task's other fields load on first use.
        task = Task.from_db(connection.alias, _TASK_FIELDS, (task_id, project.pk, serp_id, serp_b_id, bool(is_gold)))
        task.project = project
        assignment = Assignment(
            id=assignment_id, task=task, project=project, rater=rater, status=Status.LEASED, is_gold=task.is_gold,
            has_sensitive=bool(has_sensitive), swapped=bool(swapped), leased_at=now, expires_at=expires,
        )  # fmt: skip
        assignment._state.adding, assignment._state.db = False, connection.alias
        if page_rows is not None:
            # What selectors.assignment_pages would read next (the pool does not change under a lease).
            assignment.leased_pages = pages.from_rows(task, swapped=assignment.swapped, rows=page_rows)
        return assignment
    return None


def _draw_side() -> bool:
    """Whether a side-by-side pair shows its second page on the left, drawn per assignment."""
    return random.random() < 0.5  # noqa: S311 - not security


def _lease_one_statement(*, project, rater, locales, gold, allow_sensitive, now, expires) -> tuple | None:
    """(the lease's row, its pages' rows), or None when nothing was leased."""
    # One shape per (gold, sensitive): the locales are one array, so the statement is prepared once.
    queue = _queue_sql(locales=locales, gold=gold, allow_sensitive=allow_sensitive, as_array=True)
    when = connection.ops.adapt_datetimefield_value
    params = [project.pk, gold, list(locales), rater.pk, project.pk, rater.pk, _draw_side(), when(now), when(expires)]
    sql = _LEASE_ONE_STATEMENT_SQL.format(queue=queue, page_columns=pages.PAGE_COLUMNS)
    with rows.statement_scope(), connection.cursor() as cursor:
        rows.execute(cursor, sql, params)
        found = cursor.fetchall()
    if not found:
        return None
    return found[0][:_LEASE_WIDTH], [row[_LEASE_WIDTH:] for row in found]


def _lease_in_transaction(*, project, rater, locales, gold, allow_sensitive, now, expires) -> tuple | None:
    """The same lease as three statements in a transaction, for databases without data-modifying CTEs;
    (the lease's row, None): the pages are read when they are shown."""
    with transaction.atomic(), connection.cursor() as cursor:
        row = _queue_head(cursor, project=project, rater=rater, locales=locales, gold=gold,
                          allow_sensitive=allow_sensitive)  # fmt: skip
        if row is None:
            return None
        task_id, serp_id, serp_b_id, is_gold, has_sensitive = row
        if not is_gold:
            cursor.execute(_TAKE_SQL, [task_id])
            if not cursor.rowcount:
                return None
        swapped = serp_b_id is not None and _draw_side()
        when = connection.ops.adapt_datetimefield_value
        params = [task_id, project.pk, rater.pk, bool(is_gold), bool(has_sensitive), swapped, when(now), when(expires)]
        if connection.features.can_return_columns_from_insert:
            cursor.execute(_LEASE_SQL + " RETURNING id", params)
            assignment_id = cursor.fetchone()[0]
        else:
            cursor.execute(_LEASE_SQL, params)
            assignment_id = cursor.lastrowid
    return (assignment_id, task_id, serp_id, serp_b_id, is_gold, has_sensitive, swapped), None


_RELEASE_SQL = "UPDATE raters_assignment SET status = %s, finished_at = %s WHERE id = %s AND status = 'leased'"
_RETURN_SLOT_SQL = """
    UPDATE projects_task SET lease_count = lease_count - %s, judgment_count = judgment_count + %s WHERE id = %s
"""


def release(assignment: Assignment, *, status: str, now, judged: bool = False) -> bool:
    """End a live lease (submitted, skipped or expired) and give the task's slot back, once."""
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE_SQL, [status, connection.ops.adapt_datetimefield_value(now), assignment.pk])
        if not cursor.rowcount:
            return False
        # Gold tasks hold no slot (no lease counted); every judgment counts.
        if not assignment.is_gold or judged:
            cursor.execute(_RETURN_SLOT_SQL, [0 if assignment.is_gold else 1, 1 if judged else 0, assignment.task_id])
    assignment.status, assignment.finished_at = status, now
    return True


def expire_leases(*, project: EvaluationProject | None = None, now=None, limit: int = EXPIRE_BATCH) -> int:
    """Return the tasks of leases past their time to the pool; the beat job calls it for all projects."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        stale = Assignment.objects.filter(status=Status.LEASED, expires_at__lte=now)
        if project is not None:
            stale = stale.filter(project=project)
        for assignment in stale.select_for_update(skip_locked=True)[:limit]:
            expired += release(assignment, status=Status.EXPIRED, now=now)
    return expired


def judged_today(rater, now=None) -> int:
    now = now or timezone.now()
    return Judgment.objects.filter(rater=rater, created_at__gte=start_of_day(now), removed_at__isnull=True).count()
