"""Routing: which task a rater gets next, and when they get none and why.

Every call passes `now=` a fixed noon of today, so "today" never straddles midnight mid-test.
"""

import math
import uuid
from datetime import timedelta
from fractions import Fraction

import pytest
from django.utils import timezone

from evalconsole.access import get_project_for_rater
from guidelines.models import Guideline
from projects.models import EvaluationProject, Task
from raters import engine, services
from raters.models import Assignment, RaterProfile
from tests.raters.engine_fixtures import active_project, answers_for, qualified_rater


@pytest.fixture
def noon():
    return timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def version(published_version):
    return published_version


def submit(assignment, now):
    return services.judgment_submit(
        assignment=assignment, submission_id=uuid.uuid4(), active_ms=1000, now=now, **answers_for(assignment)
    )[0]


def take(rater, project, now):
    """Lease the next task and submit it; the assignment, or None when the queue is empty."""
    assignment = engine.lease_next(rater=rater, project=project, now=now)
    if assignment is not None:
        submit(assignment, now)
    return assignment


def work_the_queue(rater, project, now, *, limit=500):
    taken = []
    while len(taken) < limit and (assignment := take(rater, project, now)) is not None:
        taken.append(assignment)
    return taken


def set_profile(rater, **fields):
    RaterProfile.objects.filter(user=rater).update(**fields)


# --- Who may work on a project at all -------------------------------------------------------


def make_draft(project, rater):
    EvaluationProject.objects.filter(pk=project.pk).update(status="draft")


def make_paused(project, rater):
    EvaluationProject.objects.filter(pk=project.pk).update(status="paused")


def make_completed(project, rater):
    EvaluationProject.objects.filter(pk=project.pk).update(status="completed")


def unqualify(project, rater):
    rater.rater_profile.qualifications.clear()


def qualify_for_another_guideline_only(project, rater):
    other = Guideline.objects.create(slug="other", name="Other guideline", owner=project.owner)
    rater.rater_profile.qualifications.set([other])


def need_german_raters(project, rater):
    EvaluationProject.objects.filter(pk=project.pk).update(locales=["de-DE", "de-AT"])


def zero_quota(project, rater):
    set_profile(rater, daily_quota=0)


REFUSALS = [
    (make_draft, '"Engine test" is draft, not open for rating.'),
    (make_paused, '"Engine test" is paused, not open for rating.'),
    (make_completed, '"Engine test" is completed, not open for rating.'),
    (unqualify, 'You are not qualified for the guideline "SERP satisfaction".'),
    (qualify_for_another_guideline_only, 'You are not qualified for the guideline "SERP satisfaction".'),
    (need_german_raters, '"Engine test" needs raters for de-DE, de-AT.'),
    (zero_quota, "You have reached today's quota of 0 tasks."),
]


@pytest.mark.parametrize(("arrange", "message"), REFUSALS, ids=[arrange.__name__ for arrange, _ in REFUSALS])
def test_a_rater_who_may_not_work_on_the_project_is_told_why_and_leases_nothing(owner, version, noon, arrange, message):
    project = active_project(owner=owner, version=version, tasks=3)
    rater = qualified_rater(version)
    arrange(project, rater)
    project.refresh_from_db()

    with pytest.raises(engine.Unavailable) as refused:
        engine.lease_next(rater=rater, project=project, now=noon)

    assert str(refused.value) == message
    assert Assignment.objects.count() == 0
    assert set(Task.objects.values_list("lease_count", flat=True)) == {0}


# --- The daily quota -------------------------------------------------------------------------
# Today's tasks are those leased today and then submitted or still held; skipped and expired
# ones gave the work back, so they do not count.


def work_history(rater, project, other_project, noon, history):
    start = noon - timedelta(hours=4)
    for step, what in enumerate(history):
        at = start + timedelta(minutes=15 * step)  # each step after the last one's lease ran out
        if what == "submitted":
            take(rater, project, at)
        elif what == "skipped":
            services.assignment_skip(assignment=engine.lease_next(rater=rater, project=project, now=at), now=at)
        elif what == "expired":
            engine.lease_next(rater=rater, project=project, now=at)
        elif what == "yesterday":
            take(rater, project, at - timedelta(days=1))
        elif what == "held elsewhere":
            engine.lease_next(rater=rater, project=other_project, now=noon - timedelta(minutes=1))
        else:
            raise AssertionError(what)


@pytest.mark.parametrize(
    ("quota", "history", "message"),
    [
        (2, ["submitted", "submitted"], "You have reached today's quota of 2 tasks."),
        (2, ["submitted", "held elsewhere"], "You have reached today's quota of 2 tasks."),
        (2, ["submitted", "skipped"], None),
        (2, ["submitted", "expired"], None),
        (2, ["skipped", "expired", "skipped"], None),
        (2, ["yesterday", "yesterday", "yesterday"], None),
        (
            3,
            ["yesterday", "submitted", "skipped", "expired", "submitted", "held elsewhere"],
            "You have reached today's quota of 3 tasks.",
        ),  # noqa: E501
        (4, ["yesterday", "submitted", "skipped", "expired", "submitted", "held elsewhere"], None),
    ],
)
def test_the_daily_quota_counts_todays_leased_and_submitted_tasks_only(owner, version, noon, quota, history, message):
    project = active_project(owner=owner, version=version, tasks=10, overlap=1)
    other_project = active_project(owner=owner, version=version, tasks=2, overlap=1, name="Other")
    rater = qualified_rater(version)
    work_history(rater, project, other_project, noon, history)
    set_profile(rater, daily_quota=quota)
    before = Assignment.objects.count()

    if message is None:
        assignment = engine.lease_next(rater=rater, project=project, now=noon)
        assert assignment is not None and assignment.status == "leased"
    else:
        with pytest.raises(engine.Unavailable) as refused:
            engine.lease_next(rater=rater, project=project, now=noon)
        assert str(refused.value) == message
        assert Assignment.objects.count() == before


def test_a_rater_at_quota_still_gets_back_the_task_they_hold(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=3)
    rater = qualified_rater(version, quota=1)
    held = engine.lease_next(rater=rater, project=project, now=noon)

    assert engine.lease_next(rater=rater, project=project, now=noon + timedelta(minutes=1)).pk == held.pk


def test_the_standing_read_beside_the_project_serves_only_that_rater_at_that_time(
    owner, version, noon, django_assert_num_queries
):
    project = active_project(owner=owner, version=version, tasks=6, overlap=1)
    rater, other = qualified_rater(version), qualified_rater(version, username="other")
    take(rater, project, noon)
    held = engine.lease_next(rater=rater, project=project, now=noon)

    seen = get_project_for_rater(rater, project.pk, standing_at=noon)

    with django_assert_num_queries(0):
        state = engine.rater_state(rater, noon, project=seen)
    assert state == engine.rater_state(rater, noon, project=project)  # read on its own
    assert (state.taken_today, state.live_id) == (2, held.pk)
    with django_assert_num_queries(1):
        later = engine.rater_state(rater, noon + timedelta(hours=1), project=seen)
    assert later.live_id is None  # the lease ran out by then: a fresh read, not the one at noon
    with django_assert_num_queries(1):
        assert engine.rater_state(other, noon, project=seen).taken_today == 0


# --- What the queue holds back --------------------------------------------------------------


def german_tasks_only(owner, version, rater, noon):
    return active_project(owner=owner, version=version, tasks=4, locales=("de-DE",))


def a_task_already_judged(owner, version, rater, noon):
    project = active_project(owner=owner, version=version, tasks=1, overlap=3)
    take(rater, project, noon - timedelta(hours=1))
    return project


def a_task_already_skipped(owner, version, rater, noon):
    project = active_project(owner=owner, version=version, tasks=1, overlap=3)
    lease = engine.lease_next(rater=rater, project=project, now=noon - timedelta(hours=1))
    services.assignment_skip(assignment=lease, reason="too hard", now=noon - timedelta(hours=1))
    return project


def a_task_whose_lease_ran_out_on_them(owner, version, rater, noon):
    project = active_project(owner=owner, version=version, tasks=1, overlap=3)
    engine.lease_next(rater=rater, project=project, now=noon - timedelta(hours=1))
    return project


def a_task_held_by_others_up_to_its_overlap(owner, version, rater, noon):
    project = active_project(owner=owner, version=version, tasks=1, overlap=2)
    take(qualified_rater(version, username="first"), project, noon - timedelta(hours=1))
    engine.lease_next(rater=qualified_rater(version, username="second"), project=project, now=noon)
    return project


def sensitive_tasks_for_an_opted_out_rater(owner, version, rater, noon):
    set_profile(rater, sensitive_opt_out=True)
    return active_project(owner=owner, version=version, tasks=3, sensitive=3)


def sensitive_tasks_for_a_rater_at_the_cap(owner, version, rater, noon):
    set_profile(rater, sensitive_daily_cap=1)
    earlier = active_project(owner=owner, version=version, tasks=1, sensitive=1, name="Earlier")
    take(rater, earlier, noon - timedelta(hours=1))
    return active_project(owner=owner, version=version, tasks=3, sensitive=3)


@pytest.mark.parametrize(
    "arrange",
    [
        german_tasks_only,
        a_task_already_judged,
        a_task_already_skipped,
        a_task_whose_lease_ran_out_on_them,
        a_task_held_by_others_up_to_its_overlap,
        sensitive_tasks_for_an_opted_out_rater,
        sensitive_tasks_for_a_rater_at_the_cap,
    ],
    ids=lambda arrange: arrange.__name__,
)
def test_a_rater_gets_nothing_when_the_queue_holds_only_tasks_they_may_not_have(owner, version, noon, arrange):
    rater = qualified_rater(version, username="rita")
    project = arrange(owner, version, rater, noon)
    held = dict(Task.objects.filter(project=project).values_list("pk", "lease_count"))
    assignments = Assignment.objects.count()

    assert engine.lease_next(rater=rater, project=project, now=noon) is None
    assert Assignment.objects.count() == assignments
    # No slot was taken (a lease that ran out may have given its slot back on the way).
    assert all(count <= held[pk] for pk, count in Task.objects.filter(project=project).values_list("pk", "lease_count"))


def test_a_rater_only_ever_gets_tasks_in_their_locales(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=12, overlap=1, locales=("it-IT", "de-DE", "fr-FR"))
    german = qualified_rater(version, username="dieter", locales=("de-DE",))
    both = qualified_rater(version, username="bea", locales=("de-DE", "fr-FR"))

    assert {a.task.locale for a in work_the_queue(german, project, noon)} == {"de-DE"}
    assert {a.task.locale for a in work_the_queue(both, project, noon)} == {"fr-FR"}
    assert Task.objects.filter(project=project, locale="it-IT", judgment_count=0).count() == 4
    assert Assignment.objects.filter(rater=german).count() == 4


# --- Sensitive tasks ---------------------------------------------------------------------------


def test_a_rater_under_the_sensitive_cap_gets_sensitive_tasks(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=3, sensitive=3)
    rater = qualified_rater(version, sensitive_daily_cap=3)

    taken = work_the_queue(rater, project, noon)

    assert [a.task.has_sensitive for a in taken] == [True, True, True]


def test_after_the_daily_sensitive_cap_a_rater_gets_only_non_sensitive_tasks(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=7, sensitive=3)
    # Sensitive tasks first in the queue, so the cap is what stops them.
    Task.objects.filter(project=project, has_sensitive=True).update(priority=1)
    rater = qualified_rater(version, sensitive_daily_cap=2)

    today = work_the_queue(rater, project, noon)

    assert [a.task.has_sensitive for a in today] == [True, True, False, False, False, False]
    assert Task.objects.filter(project=project, has_sensitive=True, judgment_count=0).count() == 1
    # A new day, a new cap.
    tomorrow = work_the_queue(rater, project, noon + timedelta(days=1))
    assert [a.task.has_sensitive for a in tomorrow] == [True]


def test_the_cap_counts_the_sensitivity_a_task_had_when_leased(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=4, sensitive=2)
    Task.objects.filter(project=project, has_sensitive=True).update(priority=1)
    rater = qualified_rater(version, sensitive_daily_cap=2)
    first = take(rater, project, noon)
    # The result was unflagged after it was rated: what the rater saw still counts.
    Task.objects.filter(pk=first.task_id).update(has_sensitive=False)

    rest = work_the_queue(rater, project, noon)

    assert Assignment.objects.get(pk=first.pk).has_sensitive is True
    assert [a.task.has_sensitive for a in rest] == [True, False, False]
    assert engine.day_counts(rater, noon) == (4, 2)


def test_an_opted_out_rater_never_gets_a_sensitive_task(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=8, sensitive=4)
    Task.objects.filter(project=project, has_sensitive=True).update(priority=1)
    rater = qualified_rater(version, sensitive_opt_out=True, sensitive_daily_cap=100)

    taken = work_the_queue(rater, project, noon)

    assert len(taken) == 4
    assert not any(a.task.has_sensitive for a in taken)


# --- Order and resuming ----------------------------------------------------------------------


def test_the_queue_serves_higher_priority_then_fewest_judgments_then_the_shuffle_key(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=6, overlap=5)
    tasks = list(Task.objects.filter(project=project).order_by("pk"))
    layout = {  # name: (priority, judgments so far, shuffle)
        "low, unjudged": (0, 0, 1),
        "urgent, judged twice": (2, 2, 0),
        "urgent, unjudged, late shuffle": (2, 0, 900),
        "urgent, unjudged, early shuffle": (2, 0, 5),
        "low, judged once": (0, 1, 0),
        "normal, judged four times": (1, 4, 0),
    }
    for task, (priority, judgments, shuffle) in zip(tasks, layout.values(), strict=True):
        Task.objects.filter(pk=task.pk).update(priority=priority, judgment_count=judgments, shuffle=shuffle)
    name = {task.pk: label for task, label in zip(tasks, layout, strict=True)}
    rater = qualified_rater(version)

    served = [name[a.task_id] for a in work_the_queue(rater, project, noon)]

    assert served == [
        "urgent, unjudged, early shuffle",
        "urgent, unjudged, late shuffle",
        "urgent, judged twice",
        "normal, judged four times",
        "low, unjudged",
        "low, judged once",
    ]


def test_a_live_lease_is_returned_again_instead_of_a_second_lease(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=5)
    rater = qualified_rater(version)

    first = engine.lease_next(rater=rater, project=project, now=noon)
    again = engine.lease_next(rater=rater, project=project, now=noon + timedelta(minutes=9))

    assert again.pk == first.pk
    assert again.expires_at == first.expires_at
    assert Assignment.objects.filter(rater=rater).count() == 1
    assert list(Task.objects.filter(lease_count__gt=0).values_list("pk", "lease_count")) == [(first.task_id, 1)]


def test_a_lease_past_its_time_is_not_resumed_and_the_rater_moves_on(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=5, lease_minutes=10)
    rater = qualified_rater(version)
    first = engine.lease_next(rater=rater, project=project, now=noon)

    second = engine.lease_next(rater=rater, project=project, now=noon + timedelta(minutes=10))

    assert second.pk != first.pk and second.task_id != first.task_id
    first.refresh_from_db()
    assert first.status == "expired"
    assert Task.objects.get(pk=first.task_id).lease_count == 0


# --- Gold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "exact"),
    [
        (0.1, Fraction(1, 10)),
        (0.25, Fraction(1, 4)),
        (1 / 3, Fraction(1, 3)),
        (0.05, Fraction(1, 20)),
        (0.2, Fraction(1, 5)),
        (0.5, Fraction(1, 2)),
        (0.15, Fraction(3, 20)),
    ],
    ids=str,
)
def test_gold_due_puts_floor_n_times_rate_gold_in_every_prefix_of_a_raters_stream(rate, exact):
    due = [engine.gold_due(position, rate) for position in range(200)]

    prefix_counts = [sum(due[:n]) for n in range(1, 201)]

    assert prefix_counts == [math.floor(n * exact) for n in range(1, 201)]


def test_gold_due_never_asks_for_gold_at_a_rate_of_zero():
    assert not any(engine.gold_due(position, 0) for position in range(200))


def test_a_rater_gets_gold_exactly_where_gold_due_says(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=70, gold=20, overlap=1, gold_rate=0.2)
    rater = qualified_rater(version)

    for _ in range(50):
        take(rater, project, noon)

    stream = list(Assignment.objects.filter(rater=rater).order_by("pk").select_related("task"))
    assert [a.is_gold for a in stream] == [engine.gold_due(position, 0.2) for position in range(50)]
    assert [a.task.is_gold for a in stream] == [a.is_gold for a in stream]
    assert [n for n, a in enumerate(stream) if a.is_gold] == [4, 9, 14, 19, 24, 29, 34, 39, 44, 49]


def test_when_no_gold_task_is_left_a_regular_task_is_served(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=5, gold=1, overlap=1, gold_rate=0.5)
    rater = qualified_rater(version)

    stream = work_the_queue(rater, project, noon)

    # Gold was due at positions 1 and 3; the only gold task went at 1, a regular one came at 3.
    assert [a.is_gold for a in stream] == [False, True, False, False, False]


def test_gold_tasks_are_not_limited_by_overlap_and_hold_no_lease_slot(owner, version, noon):
    project = active_project(owner=owner, version=version, tasks=4, gold=1, overlap=1, gold_rate=0.5)
    gold = Task.objects.get(project=project, is_gold=True)
    raters = [qualified_rater(version, username=f"r{n}") for n in range(3)]
    for rater in raters:
        take(rater, project, noon)  # position 0: regular work first

    gold_leases = [engine.lease_next(rater=rater, project=project, now=noon) for rater in raters]

    assert [lease.task_id for lease in gold_leases] == [gold.pk] * 3
    assert all(lease.is_gold for lease in gold_leases)
    gold.refresh_from_db()
    assert (gold.lease_count, gold.judgment_count) == (0, 0)
    for lease in gold_leases:
        submit(lease, noon)
    gold.refresh_from_db()
    assert (gold.lease_count, gold.judgment_count) == (0, 3)
