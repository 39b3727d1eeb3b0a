"""Submitting and skipping: answers checked against the pinned schema, stored once, never twice.

The schema here has one result question of every type, so the narrow ResultAnswer rows can
be checked for each. The task's page holds two results, FIRST and SECOND.
"""

import copy
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evalconsole.errors import Conflict
from guidelines.schema import validate_schema
from projects.models import PoolResult, Task
from raters import engine, selectors, services
from raters.models import Assignment, Judgment, ResultAnswer
from tests.factories import VersionFactory
from tests.raters.engine_fixtures import active_project, qualified_rater
from tests.raters.helpers_sbs import SIDE_BY_SIDE_SCHEMA, doc_ids, side_by_side_project

FIRST, SECOND = "d-q-0", "d-second"

SCHEMA = {
    "result_questions": [
        {
            "key": "relevance",
            "label": "Needs met",
            "type": "ordinal",
            "required": True,
            "options": [{"value": value, "label": f"Grade {value}"} for value in range(5)],
        },
        {"key": "fresh", "label": "Up to date", "type": "boolean"},
        {
            "key": "media",
            "label": "Media",
            "type": "categorical",
            "options": [{"value": v, "label": v.title()} for v in ("video", "image", "live")],
        },
        {
            "key": "flags",
            "label": "Flags",
            "type": "multi",
            "options": [{"value": v, "label": v.title()} for v in ("spam", "duplicate", "offensive")],
        },
        {"key": "note", "label": "Note", "type": "text", "max_length": 20},
    ],
    "page_questions": [
        {
            "key": "satisfaction",
            "label": "Overall satisfaction",
            "type": "ordinal",
            "required": True,
            "options": [{"value": value, "label": f"{value} of 5"} for value in range(1, 6)],
        },
        {
            "key": "pain_points",
            "label": "Pain points",
            "type": "multi",
            "options": [{"value": "irrelevant_top", "label": "Irrelevant top"}, {"value": "outdated", "label": "Old"}],
        },
        {"key": "comment", "label": "Comment", "type": "text", "max_length": 50},
    ],
    "cannot_judge_reasons": ["did_not_load", "foreign_language"],
}


def good_answers() -> dict:
    return {
        "page": {"satisfaction": 4, "pain_points": ["outdated"], "comment": "Mostly fine."},
        "results": {
            FIRST: {"relevance": 3, "fresh": True, "media": "video", "flags": ["spam", "duplicate"], "note": "ok"},
            SECOND: {"relevance": 0, "fresh": False, "media": None, "flags": [], "note": None},
        },
    }


@pytest.fixture
def noon():
    return timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def version(guideline):
    assert validate_schema(SCHEMA) == []
    return VersionFactory(guideline=guideline, number=1, published=True, schema=copy.deepcopy(SCHEMA))


@pytest.fixture
def project(owner, version):
    project = active_project(owner=owner, version=version, tasks=2, overlap=2, lease_minutes=10)
    for serp in project.serps.all():
        doc_id = SECOND if serp.query_id == "q-0" else f"{SECOND}-{serp.query_id[2:]}"
        PoolResult.objects.create(serp=serp, rank=2, doc_id=doc_id, url="https://x.example/")
    return project


@pytest.fixture
def rita(version):
    return qualified_rater(version, username="rita")


@pytest.fixture
def lease(rita, project, noon):
    """Rita's lease on the task whose page holds FIRST and SECOND."""
    first = Task.objects.get(project=project, query_id="q-0")
    Task.objects.filter(pk=first.pk).update(priority=1)
    lease = engine.lease_next(rater=rita, project=project, now=noon)
    assert lease.task_id == first.pk
    return lease


def submit(assignment, *, at, submission_id=None, **answers):
    answers = answers or good_answers()
    return services.judgment_submit(
        assignment=assignment, submission_id=submission_id or uuid.uuid4(), active_ms=42_000, now=at, **answers
    )


def lease_state(assignment):
    assignment.refresh_from_db()
    task = Task.objects.get(pk=assignment.task_id)
    return assignment.status, assignment.finished_at, task.lease_count, task.judgment_count


# --- Bad submissions -------------------------------------------------------------------------


def change(**edits):
    """A good submission with edits: ("page", key) or ("results", doc, key) paths to a value, or DROP."""

    def apply():
        answers = good_answers()
        answers["cannot_judge"] = None
        for path, value in edits.items():
            *parents, last = path.split("__")
            target = answers
            for part in parents:
                target = target[{"first": FIRST, "second": SECOND}.get(part, part)]
            last = {"first": FIRST, "second": SECOND}.get(last, last)
            if value is DROP:
                del target[last]
            else:
                target[last] = value
        return answers

    return apply


DROP = object()

BAD = {
    "ordinal off the scale": (change(page__satisfaction=6), ["page.satisfaction: 6 is not one of 1, 2, 3, 4, 5"]),
    "ordinal given as true": (change(page__satisfaction=True), ["page.satisfaction: true is not one of 1, 2, 3, 4, 5"]),
    "result ordinal off the scale": (
        change(results__first__relevance=5),
        ['results["d-q-0"].relevance: 5 is not one of 0, 1, 2, 3, 4'],
    ),
    "required page answer missing": (change(page__satisfaction=DROP), ["page.satisfaction: is required"]),
    "required page answer null": (change(page__satisfaction=None), ["page.satisfaction: is required"]),
    "required result answer missing": (
        change(results__first__relevance=DROP),
        ['results["d-q-0"].relevance: is required'],
    ),
    "a result left unrated": (change(results__second=DROP), ['results["d-second"]: is not rated']),
    "no results at all": (
        change(results={}),
        ['results["d-q-0"]: is not rated', 'results["d-second"]: is not rated'],
    ),
    "a doc_id not on the page": (
        change(**{"results__v-999": {"relevance": 1}}),
        ['results["v-999"]: is not a result on this page'],
    ),
    "a doc_id from another task's page": (
        change(**{"results__d-q-1": {"relevance": 1}}),
        ['results["d-q-1"]: is not a result on this page'],
    ),
    "an unknown cannot_judge reason": (
        change(cannot_judge="bored"),
        ['cannot_judge: "bored" is not one of did_not_load, foreign_language'],
    ),
    "multi with an unknown choice": (
        change(page__pain_points=["outdated", "slow"]),
        ['page.pain_points: "slow" is not one of "irrelevant_top", "outdated"'],
    ),
    "multi with a choice twice": (
        change(results__first__flags=["spam", "spam"]),
        ['results["d-q-0"].flags: a choice is listed twice'],
    ),
    "multi not given as a list": (
        change(page__pain_points="outdated"),
        ['page.pain_points: must be a list of choices, got "outdated"'],
    ),
    "page text too long": (
        change(page__comment="x" * 51),
        ["page.comment: is 51 characters long; at most 50 are allowed"],
    ),
    "result text too long": (
        change(results__first__note="y" * 21),
        ['results["d-q-0"].note: is 21 characters long; at most 20 are allowed'],
    ),
    "text given as a number": (change(page__comment=5), ["page.comment: must be text, got 5"]),
    "boolean given as text": (
        change(results__first__fresh="yes"),
        ['results["d-q-0"].fresh: must be true or false, got "yes"'],
    ),
    "categorical with an unknown choice": (
        change(results__second__media="gif"),
        ['results["d-second"].media: "gif" is not one of "video", "image", "live"'],
    ),
    "an unknown page question": (
        change(page__mood=3),
        ["page.mood: is not a question here; the questions are satisfaction, pain_points, comment"],
    ),
    "a result's answers not an object": (
        change(results__first=3),
        ['results["d-q-0"]: must be an object of answers by question key, got 3'],
    ),
    "page not an object": (change(page=[4]), ["page: must be an object of answers by question key, got a list"]),
    "cannot judge with an answer off the scale": (
        change(cannot_judge="did_not_load", page={"satisfaction": 9}, results={}),
        ["page.satisfaction: 9 is not one of 1, 2, 3, 4, 5"],
    ),
    "several problems, all reported in order": (
        change(page__satisfaction=0, results__second=DROP, **{"results__v-9": {}}),
        [
            "page.satisfaction: 0 is not one of 1, 2, 3, 4, 5",
            'results["v-9"]: is not a result on this page',
            'results["d-second"]: is not rated',
        ],
    ),
}


@pytest.mark.parametrize(("answers", "messages"), BAD.values(), ids=BAD.keys())
def test_a_bad_submission_is_refused_with_every_problem_and_writes_nothing(lease, noon, answers, messages):
    before = lease_state(lease)

    with pytest.raises(ValidationError) as refused:
        submit(lease, at=noon + timedelta(minutes=1), **answers())

    assert refused.value.message_dict == {"answers": messages}
    assert Judgment.objects.count() == 0
    assert ResultAnswer.objects.count() == 0
    assert lease_state(lease) == before == ("leased", None, 1, 0)


# --- Good submissions ------------------------------------------------------------------------


def test_a_good_submission_is_stored_once_stamped_and_frees_the_lease_slot(lease, rita, version, noon):
    judgment, created = submit(lease, at=noon + timedelta(minutes=3))

    assert created is True
    assert (judgment.rater, judgment.guideline_version, judgment.task_id, judgment.project_id) == (
        rita, version, lease.task_id, lease.project_id,
    )  # fmt: skip
    assert (judgment.active_ms, judgment.cannot_judge, judgment.is_gold) == (42_000, "", False)
    assert judgment.page == good_answers()["page"]
    assert lease_state(lease) == ("submitted", noon + timedelta(minutes=3), 0, 1)
    # What was stored is what the submit answered with.
    stored = Judgment.objects.get(pk=judgment.pk)
    fields = ("assignment_id", "rater_id", "guideline_version_id", "submission_id", "page", "cannot_judge",
              "active_ms", "is_gold", "created_at")  # fmt: skip
    assert [getattr(stored, name) for name in fields] == [getattr(judgment, name) for name in fields]
    assert stored.created_at == noon + timedelta(minutes=3)


def test_per_result_answers_are_stored_narrow_a_row_per_answer_and_per_multi_choice(lease, noon):
    judgment, _ = submit(lease, at=noon)

    rows = ResultAnswer.objects.filter(judgment=judgment).values_list("serp_id", "doc_id", "question", "value", "text")
    serp = lease.task.serp_id
    assert sorted(rows, key=lambda row: (row[1], row[2], row[4])) == [
        (serp, FIRST, "flags", None, "duplicate"),
        (serp, FIRST, "flags", None, "spam"),
        (serp, FIRST, "fresh", 1.0, ""),
        (serp, FIRST, "media", None, "video"),
        (serp, FIRST, "note", None, "ok"),
        (serp, FIRST, "relevance", 3.0, ""),
        (serp, SECOND, "fresh", 0.0, ""),
        (serp, SECOND, "relevance", 0.0, ""),
    ]


def test_cannot_judge_with_a_reason_is_an_answer_that_needs_no_other_answers(lease, noon):
    judgment, created = submit(lease, at=noon, cannot_judge="foreign_language", page={}, results={})

    assert created is True
    assert (judgment.cannot_judge, judgment.page) == ("foreign_language", {})
    assert ResultAnswer.objects.count() == 0
    assert lease_state(lease) == ("submitted", noon, 0, 1)


def test_a_retry_with_the_same_submission_id_gets_the_same_judgment(lease, noon):
    submission_id = uuid.uuid4()
    first, created = submit(lease, at=noon, submission_id=submission_id)

    again, created_again = submit(lease, at=noon + timedelta(minutes=30), submission_id=submission_id)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Judgment.objects.count() == 1
    assert ResultAnswer.objects.count() == 8
    assert lease_state(lease) == ("submitted", noon, 0, 1)


def test_a_submission_id_used_for_another_task_is_refused(lease, rita, project, noon):
    submission_id = uuid.uuid4()
    submit(lease, at=noon, submission_id=submission_id)
    other = engine.lease_next(rater=rita, project=project, now=noon)
    answers = {"page": {"satisfaction": 3}, "results": {"d-q-1": {"relevance": 1}, "d-second-1": {"relevance": 1}}}

    with pytest.raises(Conflict) as refused:
        submit(other, at=noon, submission_id=submission_id, **answers)

    assert (refused.value.message, refused.value.code) == (
        "This submission_id was already used for another task.",
        "submission_id_reused",
    )
    assert Judgment.objects.count() == 1
    assert lease_state(other) == ("leased", None, 1, 0)


def test_a_second_submission_with_another_id_is_refused_as_already_submitted(lease, noon):
    submit(lease, at=noon)

    with pytest.raises(Conflict) as refused:
        submit(lease, at=noon + timedelta(minutes=1))

    assert (refused.value.message, refused.value.code) == (
        "This task is already submitted; your answers were saved the first time.",
        "already_submitted",
    )
    assert Judgment.objects.count() == 1


@pytest.mark.parametrize("returned_to_the_pool", [False, True], ids=["past its time", "returned to the pool"])
def test_a_submission_after_the_lease_ran_out_is_refused_and_stores_nothing(lease, noon, returned_to_the_pool):
    later = noon + timedelta(minutes=10)
    if returned_to_the_pool:
        assert engine.expire_leases(now=later) == 1
    lease.refresh_from_db()

    with pytest.raises(Conflict) as refused:
        submit(lease, at=later)

    assert (refused.value.message, refused.value.code) == (
        f"Your lease on this task ended at {noon + timedelta(minutes=10):%H:%M} UTC and it went back to the pool; "
        "take the next task.",
        "lease_expired",
    )
    assert Judgment.objects.count() == 0
    assert ResultAnswer.objects.count() == 0
    assert lease_state(lease)[2:] == ((0, 0) if returned_to_the_pool else (1, 0))


# --- Skipping --------------------------------------------------------------------------------


def test_a_skip_releases_the_lease_and_keeps_the_reason(lease, noon):
    skipped = services.assignment_skip(assignment=lease, reason="I do not know this topic", now=noon)

    assert skipped.status == "skipped"
    assert lease_state(lease) == ("skipped", noon, 0, 0)
    assert lease.skip_reason == "I do not know this topic"


def test_a_skipped_task_never_comes_back_to_that_rater_but_goes_to_others(lease, rita, project, version, noon):
    services.assignment_skip(assignment=lease, now=noon)

    rest = []
    while (next_one := engine.lease_next(rater=rita, project=project, now=noon)) is not None:
        rest.append(next_one.task_id)
        services.assignment_skip(assignment=next_one, now=noon)

    assert lease.task_id not in rest and len(rest) == 1
    someone_else = qualified_rater(version, username="sam")
    assert engine.lease_next(rater=someone_else, project=project, now=noon).task_id == lease.task_id


@pytest.mark.parametrize(
    ("first", "message"),
    [
        ("submit", "This task is submitted; only a leased task can be skipped."),
        ("skip", "This task is skipped; only a leased task can be skipped."),
    ],
)
def test_only_a_leased_task_can_be_skipped(lease, noon, first, message):
    if first == "submit":
        submit(lease, at=noon)
    else:
        services.assignment_skip(assignment=lease, now=noon)
    before = lease_state(lease)

    with pytest.raises(Conflict) as refused:
        services.assignment_skip(assignment=lease, now=noon)

    assert (refused.value.message, refused.value.code) == (message, "not_leased")
    assert lease_state(lease) == before


def test_submitting_a_task_the_rater_skipped_says_it_was_skipped(lease, noon):
    services.assignment_skip(assignment=lease, now=noon)

    with pytest.raises(Conflict) as refused:
        submit(lease, at=noon + timedelta(minutes=1))

    assert refused.value.code == "not_leased"
    assert "skipped" in refused.value.message
    assert Judgment.objects.count() == 0


# --- Side by side ----------------------------------------------------------------------------


@pytest.fixture
def sbs_version(guideline):
    return VersionFactory(guideline=guideline, number=1, published=True, schema=copy.deepcopy(SIDE_BY_SIDE_SCHEMA))


@pytest.fixture
def sbs_leases(owner, sbs_version, noon):
    """Eighty leases of paired tasks by eight raters, each answered "right is much better" (+2)."""
    project = side_by_side_project(owner=owner, version=sbs_version, tasks=40, overlap=2)
    leases = []
    for n in range(8):
        rater = qualified_rater(sbs_version, username=f"sbs{n}")
        for _ in range(10):
            lease = engine.lease_next(rater=rater, project=project, now=noon)
            leases.append(lease)
            submit(lease, at=noon, page={"preference": 2}, results={})
    return leases


def test_which_page_shows_left_is_random_per_assignment_and_recorded(sbs_leases):
    recorded = list(Assignment.objects.order_by("pk").values_list("swapped", flat=True))

    assert len(recorded) == 80
    assert recorded == [lease.swapped for lease in sorted(sbs_leases, key=lambda lease: lease.pk)]
    # Roughly half: the chance of falling outside 20..60 of 80 by luck is below one in a million.
    assert 20 <= sum(recorded) <= 60


def test_the_pages_come_left_and_right_as_the_assignment_recorded(sbs_leases):
    for lease in sbs_leases:
        pages = selectors.assignment_pages(assignment=lease)
        shown = {page["side"]: [result.doc_id for result in results] for page, results in pages}
        first, second = doc_ids(lease.task.serp), doc_ids(lease.task.serp_b)
        assert [page["side"] for page, _ in pages] == ["left", "right"]
        assert shown == ({"left": second, "right": first} if lease.swapped else {"left": first, "right": second})


@pytest.mark.parametrize(("leases", "pages", "results"), [("lease", 1, 2), ("sbs_leases", 2, 4)])
def test_a_lease_brings_the_pages_a_later_read_finds(db, request, leases, pages, results):
    """On PostgreSQL the lease statement reads the pages too; they are what assignment_pages reads later."""
    fresh_leases = request.getfixturevalue(leases)
    for fresh in fresh_leases[:6] if isinstance(fresh_leases, list) else [fresh_leases]:
        later = Assignment.objects.select_related("task").get(pk=fresh.pk)
        read = selectors.assignment_pages(assignment=later)
        assert selectors.assignment_pages(assignment=fresh) == read
        assert (len(read), sum(len(found) for _page, found in read)) == (pages, results)


def test_a_graded_task_is_one_page_never_swapped(lease):
    pages = selectors.assignment_pages(assignment=lease)

    assert lease.swapped is False
    assert [(page["side"], [r.doc_id for r in results]) for page, results in pages] == [(None, [FIRST, SECOND])]


def test_a_preference_is_stored_in_favour_of_the_second_variant_whichever_side_it_showed(sbs_leases):
    stored = dict(Judgment.objects.values_list("assignment_id", "page__preference"))

    # "Right is better" favours the second variant unless the pages were swapped, when the
    # right page was the task's first SERP.
    assert stored == {lease.pk: -2 if lease.swapped else 2 for lease in sbs_leases}
    assert set(stored.values()) == {2, -2}
