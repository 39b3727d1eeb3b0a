"""The assignment engine: which task a rater gets next, and the leases that hold it.

The database keeps the promises, not Python:
- a task row is taken with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent raters never wait
  on, or both take, the same row;
- judgments + live leases never exceed a task's overlap (a conditional UPDATE, backed by a
  check constraint on the task);
- a rater never gets a task twice (a unique constraint on (task, rater)).
"""

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone

from projects.models import EvaluationProject, Task
from raters.models import Assignment, Judgment, RaterProfile

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


def rater_state(rater, now, *, project: EvaluationProject | None = None, with_position: bool = False) -> RaterState:
    today = start_of_day(now)
    held = Q(status=Status.SUBMITTED) | Q(status=Status.LEASED, expires_at__gt=now)
    counted = Q(leased_at__gte=today) & held
    rows = Q(leased_at__gte=today)
    numbers = {
        "taken": Count("pk", filter=counted),
        "sensitive": Count("pk", filter=counted & Q(task__has_sensitive=True)),
    }
    if project is not None:
        in_project = Q(project=project)
        rows |= Q(project=project, status=Status.LEASED)
        numbers["live"] = Max("pk", filter=in_project & Q(status=Status.LEASED, expires_at__gt=now))
        numbers["stale"] = Count("pk", filter=in_project & Q(status=Status.LEASED, expires_at__lte=now))
        if with_position:
            rows |= in_project
            numbers["position"] = Count("pk", filter=in_project)
    found = Assignment.objects.filter(rows, rater=rater).aggregate(**numbers)
    return RaterState(
        taken_today=found["taken"],
        sensitive_today=found["sensitive"],
        position=found.get("position", 0),
        live_id=found.get("live"),
        stale=found.get("stale", 0),
    )


def day_counts(rater, now) -> tuple[int, int]:
    """Tasks taken today (judged or validly held): all, and those with sensitive results."""
    state = rater_state(rater, now)
    return state.taken_today, state.sensitive_today


def check_eligible(*, profile: RaterProfile | None, project: EvaluationProject, qualified: bool) -> None:
    """`qualified`: whether the profile holds the project's guideline (see _profile_for_project)."""
    if project.status != EvaluationProject.Status.ACTIVE:
        raise Unavailable(f'"{project.name}" is {project.status}, not open for rating.')
    if not qualified:
        raise Unavailable(f'You are not qualified for the guideline "{project.guideline_version.guideline.name}".')
    if project.locales and not set(project.locales) & set(profile.locales):
        raise Unavailable(f'"{project.name}" needs raters for {", ".join(project.locales)}.')


def _profile_for_project(rater, project: EvaluationProject) -> tuple[RaterProfile | None, bool]:
    """The rater's profile and whether it qualifies for the project's guideline, in one query."""
    qualification = RaterProfile.qualifications.through.objects.filter(
        raterprofile=OuterRef("pk"), guideline_id=project.guideline_version.guideline_id
    )
    profile = RaterProfile.objects.filter(user=rater).annotate(qualified=Exists(qualification)).first()
    return profile, bool(profile and profile.qualified)


# Only what a lease and its answer need: the queue row is read under a lock, so keep it narrow.
_TASK_FIELDS = ("id", "project_id", "serp_id", "serp_b_id", "is_gold")


def _queue(*, project, rater, profile, gold: bool, allow_sensitive: bool):
    judged_or_seen = Assignment.objects.filter(task=OuterRef("pk"), rater=rater)
    tasks = Task.objects.filter(project=project, is_gold=gold, locale__in=profile.locales).exclude(
        Exists(judged_or_seen)
    )
    if not gold:
        tasks = tasks.filter(judgment_count__lt=F("overlap") - F("lease_count"))
    if not allow_sensitive:
        tasks = tasks.filter(has_sensitive=False)
    # Skip rows another rater is taking this very moment rather than wait for them.
    return (
        tasks.order_by("-priority", "judgment_count", "shuffle")
        .only(*_TASK_FIELDS)
        .select_for_update(skip_locked=True, of=("self",))
    )


def lease_next(*, rater, project: EvaluationProject, now=None) -> Assignment | None:
    """The rater's live lease in this project, or a new one on the next task; None when the queue is empty.

    Raises Unavailable when the rater may not work on this project now (status, qualification,
    locale, quota). `project` comes with its guideline version (access.get_project_for_rater).
    """
    now = now or timezone.now()
    profile, qualified = _profile_for_project(rater, project)
    check_eligible(profile=profile, project=project, qualified=qualified)
    state = rater_state(rater, now, project=project, with_position=project.gold_rate > 0)
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
    assignment = _take(rater=rater, project=project, profile=profile, now=now, gold=want_gold,
                       allow_sensitive=allow_sensitive)  # fmt: skip
    if assignment is None and expire_leases(project=project, now=now):
        # The queue looked empty only because lapsed leases still held tasks: they are back now.
        assignment = _take(rater=rater, project=project, profile=profile, now=now, gold=want_gold,
                           allow_sensitive=allow_sensitive)  # fmt: skip
    return assignment


def _take(*, rater, project, profile, now, gold: bool, allow_sensitive: bool) -> Assignment | None:
    for attempt in range(3):
        try:
            with transaction.atomic():
                task = None
                if gold:
                    task = _queue(project=project, rater=rater, profile=profile, gold=True,
                                  allow_sensitive=allow_sensitive).first()  # fmt: skip
                if task is None:
                    task = _queue(project=project, rater=rater, profile=profile, gold=False,
                                  allow_sensitive=allow_sensitive).first()  # fmt: skip
                if task is None:
                    return None
                if not task.is_gold:
                    # The row is locked, but the condition keeps the overlap even if it were not.
                    taken = Task.objects.filter(pk=task.pk, judgment_count__lt=F("overlap") - F("lease_count")).update(
                        lease_count=F("lease_count") + 1
                    )
                    if not taken:
                        continue
                return Assignment.objects.create(
                    task=task, project=project, rater=rater, is_gold=task.is_gold,
                    swapped=task.serp_b_id is not None and random.random() < 0.5,  # noqa: S311 - not security
                    leased_at=now, expires_at=now + timedelta(minutes=project.lease_minutes),
                )  # fmt: skip
        except IntegrityError:
            # Two tabs of the same rater raced for the same task; the other tab has it.
            if attempt == 2:
                raise
    return None


def release(assignment: Assignment, *, status: str, now, judged: bool = False) -> bool:
    """End a live lease (submitted, skipped or expired) and give the task's slot back, once."""
    ended = Assignment.objects.filter(pk=assignment.pk, status=Status.LEASED).update(status=status, finished_at=now)
    if not ended:
        return False
    if not assignment.is_gold:
        Task.objects.filter(pk=assignment.task_id).update(
            lease_count=F("lease_count") - 1,
            judgment_count=F("judgment_count") + (1 if judged else 0),
        )
    elif judged:
        Task.objects.filter(pk=assignment.task_id).update(judgment_count=F("judgment_count") + 1)
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
