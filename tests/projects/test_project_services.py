"""Writes for projects: settings, status rules and sampling the pool into tasks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evalconsole.errors import Conflict
from guidelines.models import GuidelineVersion
from projects import services
from projects.models import EvaluationProject, SamplingRun, Task
from tests.factories import VersionFactory
from tests.projects.conftest import VARIANTS
from tests.projects.factories import PoolSerpFactory, ProjectFactory, serp_with_results

Status = EvaluationProject.Status
NOT_A_LOCALE = "is not a locale tag like it-IT, pt-BR or zh-Hant-TW"
OVERLAP = "Use a whole number from 1 to 50 judgments per task."
TWO_VARIANTS = "A side-by-side project compares exactly two differently named variants."


def pool(project, *, size=10, **fields):
    """`size` SERPs q-000.. in the project's pool; fields apply to each."""
    return [PoolSerpFactory(project=project, query_id=f"q-{n:03d}", **fields) for n in range(size)]


def with_status(project, status):
    EvaluationProject.objects.filter(pk=project.pk).update(status=status)
    project.refresh_from_db()
    return project


def sample(project, owner, **options):
    options.setdefault("strategy", "uniform")
    return services.tasks_sample(project=project, created_by=owner, **options)


def task_serps(project) -> list[int]:
    return list(Task.objects.filter(project=project).order_by("serp_id").values_list("serp_id", flat=True))


# --- project_create -----------------------------------------------------------------------


def test_an_owner_creates_a_draft_project(owner, published_version):
    deadline = timezone.now() + timedelta(days=14)

    project = services.project_create(
        owner=owner,
        name="  Pasta study  ",
        guideline_version=published_version,
        overlap=5,
        locales=["it-IT", "pt-BR", "zh-Hant-TW", "es-419"],
        lease_minutes=20,
        gold_rate=0.1,
        cost_per_judgment=Decimal("0.35"),
        deadline=deadline,
        priority=3,
    )

    project.refresh_from_db()
    assert (project.name, project.owner, project.guideline_version, project.status) == (
        "Pasta study",
        owner,
        published_version,
        "draft",
    )
    assert (project.kind, project.variants, project.overlap, project.locales) == (
        "graded",
        [],
        5,
        ["it-IT", "pt-BR", "zh-Hant-TW", "es-419"],
    )
    assert (project.lease_minutes, project.gold_rate, project.cost_per_judgment, project.deadline) == (
        20,
        0.1,
        Decimal("0.35"),
        deadline,
    )
    assert (project.priority, project.activated_at, project.completed_at) == (3, None, None)


def test_an_owner_creates_a_side_by_side_project(owner, sbs_version):
    project = services.project_create(
        owner=owner, name="Ranker A/B", guideline_version=sbs_version, kind="side_by_side", variants=VARIANTS
    )

    assert (project.kind, project.variants, project.is_side_by_side) == ("side_by_side", VARIANTS, True)


def retired_version(guideline):
    return VersionFactory(
        guideline=guideline, number=3, status=GuidelineVersion.Status.RETIRED, published_at=timezone.now(),
        retired_at=timezone.now(),
    )  # fmt: skip


# (values to change from a valid graded project, the exact errors)
CREATE_ERRORS = [
    pytest.param(
        {"guideline_version": "draft"},
        {"guideline_version": ['Version 2 of "serp" is draft; a project can only use a published version.']},
        id="draft-guideline-version",
    ),
    pytest.param(
        {"guideline_version": "retired"},
        {"guideline_version": ['Version 3 of "serp" is retired; a project can only use a published version.']},
        id="retired-guideline-version",
    ),
    pytest.param(
        {"kind": "side_by_side", "variants": VARIANTS},
        {"kind": ["A side-by-side project needs a guideline version with a preference question."]},
        id="side-by-side-without-a-preference-question",
    ),
    pytest.param(
        {"guideline_version": "sbs"},
        {"kind": ["This guideline version asks for a side-by-side preference; choose side_by_side."]},
        id="graded-with-a-preference-schema",
    ),
    pytest.param(
        {"kind": "pairwise"},
        {"kind": ['"pairwise" is not a project kind; use graded or side_by_side.']},
        id="unknown-kind",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side"},
        {"variants": [TWO_VARIANTS]},
        id="side-by-side-no-variants",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": ["baseline"]},
        {"variants": [TWO_VARIANTS]},
        id="side-by-side-one-variant",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": ["a", "b", "c"]},
        {"variants": [TWO_VARIANTS]},
        id="side-by-side-three-variants",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": ["baseline", "baseline"]},
        {"variants": [TWO_VARIANTS]},
        id="side-by-side-same-variant-twice",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": ["baseline", " "]},
        {"variants": ["Variants are a list of names."]},
        id="blank-variant-name",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": [1, 2]},
        {"variants": ["Variants are a list of names."]},
        id="variants-not-text",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": "baseline,experiment"},
        {"variants": ["Variants are a list of names."]},
        id="variants-not-a-list",
    ),
    pytest.param(
        {"guideline_version": "sbs", "kind": "side_by_side", "variants": ["baseline", "x" * 101]},
        {"variants": ["A variant name has at most 100 characters."]},
        id="variant-name-too-long",
    ),
    pytest.param(
        {"variants": VARIANTS}, {"variants": ["Only side-by-side projects name variants."]}, id="graded-with-variants"
    ),
    pytest.param({"overlap": 0}, {"overlap": [OVERLAP]}, id="overlap-0"),
    pytest.param({"overlap": 51}, {"overlap": [OVERLAP]}, id="overlap-51"),
    pytest.param({"overlap": "3"}, {"overlap": [OVERLAP]}, id="overlap-as-text"),
    pytest.param({"overlap": True}, {"overlap": [OVERLAP]}, id="overlap-as-a-boolean"),
    pytest.param({"lease_minutes": 0}, {"lease_minutes": ["Use a whole number from 1 to 240 minutes."]}, id="lease-0"),
    pytest.param(
        {"lease_minutes": 241}, {"lease_minutes": ["Use a whole number from 1 to 240 minutes."]}, id="lease-241"
    ),
    pytest.param({"priority": 101}, {"priority": ["Use a whole number from -100 to 100."]}, id="priority-101"),
    pytest.param(
        {"gold_rate": 0.6},
        {"gold_rate": ["The gold rate is a share from 0 to 0.5 of each rater's tasks."]},
        id="gold-rate-0.6",
    ),
    pytest.param(
        {"gold_rate": -0.1},
        {"gold_rate": ["The gold rate is a share from 0 to 0.5 of each rater's tasks."]},
        id="negative-gold-rate",
    ),
    pytest.param(
        {"cost_per_judgment": Decimal("-0.01")},
        {"cost_per_judgment": ["The cost per judgment cannot be negative."]},
        id="negative-cost",
    ),
    pytest.param(
        {"cost_per_judgment": "cheap"},
        {"cost_per_judgment": ["The cost per judgment is a number."]},
        id="cost-not-a-number",
    ),
    pytest.param({"locales": ["it_IT"]}, {"locales": [f'"it_IT" {NOT_A_LOCALE}']}, id="underscore-locale"),
    pytest.param({"locales": ["italian"]}, {"locales": [f'"italian" {NOT_A_LOCALE}']}, id="locale-as-a-word"),
    pytest.param(
        {"locales": ["it-it", "EN"]},
        {"locales": [f'"it-it" {NOT_A_LOCALE}', f'"EN" {NOT_A_LOCALE}']},
        id="locales-in-the-wrong-case",
    ),
    pytest.param({"locales": [5]}, {"locales": ["a locale must be text like it-IT, got 5"]}, id="locale-a-number"),
    pytest.param({"locales": ["it-IT", "it-IT"]}, {"locales": ["A locale is listed twice."]}, id="locale-twice"),
    pytest.param(
        {"locales": "it-IT"}, {"locales": ["Give locales as a list of tags, e.g. it-IT."]}, id="locales-not-a-list"
    ),
    pytest.param(
        {"deadline": "yesterday"}, {"deadline": ["The deadline must be in the future."]}, id="deadline-in-the-past"
    ),
    pytest.param({"name": "   "}, {"name": ["A project needs a name."]}, id="blank-name"),
    pytest.param(
        {"overlap": 0, "gold_rate": 0.9},
        {"overlap": [OVERLAP], "gold_rate": ["The gold rate is a share from 0 to 0.5 of each rater's tasks."]},
        id="every-problem-at-once",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CREATE_ERRORS)
def test_project_create_refuses_bad_settings_with_a_clear_message(
    owner, published_version, draft_version, sbs_version, changes, expected
):
    versions = {"draft": draft_version, "sbs": sbs_version, "retired": retired_version(published_version.guideline)}
    values = {"name": "Pasta study", "guideline_version": published_version, **changes}
    if isinstance(values["guideline_version"], str):
        values["guideline_version"] = versions[values["guideline_version"]]
    if values.get("deadline") == "yesterday":
        values["deadline"] = timezone.now() - timedelta(days=1)

    with pytest.raises(ValidationError) as raised:
        services.project_create(owner=owner, **values)

    assert raised.value.message_dict == expected
    assert not EvaluationProject.objects.exists()


def test_the_create_table_covers_the_rules():
    assert len(CREATE_ERRORS) >= 30


# --- project_update -----------------------------------------------------------------------


def test_a_draft_changes_any_setting(project, sbs_version):
    services.project_update(
        project=project, overlap=5, locales=["pt-BR"], guideline_version=sbs_version, kind="side_by_side",
        variants=VARIANTS, name=" Renamed ",
    )  # fmt: skip

    project.refresh_from_db()
    assert (project.overlap, project.locales, project.kind, project.variants, project.name) == (
        5,
        ["pt-BR"],
        "side_by_side",
        VARIANTS,
        "Renamed",
    )
    assert project.guideline_version == sbs_version


def test_a_draft_update_is_validated_field_by_field(project):
    with pytest.raises(ValidationError) as raised:
        services.project_update(project=project, overlap=0, name="Still fine")

    assert raised.value.message_dict == {"overlap": [OVERLAP]}
    project.refresh_from_db()
    assert (project.overlap, project.name) == (3, "Pasta study")


@pytest.mark.parametrize("status", ["active", "paused"])
def test_a_running_project_changes_only_its_live_settings(project, status):
    with_status(project, status)
    deadline = timezone.now() + timedelta(days=3)

    services.project_update(
        project=project, name="Pasta study II", deadline=deadline, priority=7, cost_per_judgment=Decimal("1.5"),
        lease_minutes=30, gold_rate=0.2,
    )  # fmt: skip

    project.refresh_from_db()
    assert (project.name, project.deadline, project.priority, project.cost_per_judgment) == (
        "Pasta study II",
        deadline,
        7,
        Decimal("1.5"),
    )
    assert (project.lease_minutes, project.gold_rate, project.status) == (30, 0.2, status)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"overlap": 5}, '"Pasta study" is active: overlap can change only while it is a draft.', id="overlap"
        ),  # fmt: skip
        pytest.param(
            {"locales": ["fr-FR"], "overlap": 1, "name": "ok"},
            '"Pasta study" is active: locales, overlap can change only while it is a draft.',
            id="locales-and-overlap",
        ),
        pytest.param(
            {"kind": "side_by_side"}, '"Pasta study" is active: kind can change only while it is a draft.', id="kind"
        ),  # fmt: skip
        pytest.param(
            {"guideline_version": "other"},
            '"Pasta study" is active: guideline_version can change only while it is a draft.',
            id="guideline-version",
        ),
    ],
)
def test_an_active_project_keeps_its_design_frozen(project, guideline, changes, expected):
    with_status(project, "active")
    if changes.get("guideline_version") == "other":
        changes["guideline_version"] = VersionFactory(guideline=guideline, number=5, published=True)
    before = EvaluationProject.objects.values().get(pk=project.pk)

    with pytest.raises(Conflict) as raised:
        services.project_update(project=project, **changes)

    assert (raised.value.message, raised.value.code) == (expected, "project_not_draft")
    assert EvaluationProject.objects.values().get(pk=project.pk) == before


def test_an_active_project_accepts_its_frozen_settings_unchanged(project):
    """A form sends every field back; unchanged design fields are not a change."""
    with_status(project, "active")

    services.project_update(project=project, overlap=3, locales=["it-IT", "de-DE"], kind="graded", name="New name")

    project.refresh_from_db()
    assert project.name == "New name"


@pytest.mark.parametrize("changes", [{"name": "Another name"}, {"deadline": None}, {"overlap": 3}])
def test_a_completed_project_changes_nothing(project, changes):
    with_status(project, "completed")

    with pytest.raises(Conflict) as raised:
        services.project_update(project=project, **changes)

    assert (raised.value.message, raised.value.code) == (
        '"Pasta study" is completed; its settings no longer change.',
        "project_completed",
    )
    project.refresh_from_db()
    assert project.name == "Pasta study"


def test_an_update_refuses_a_deadline_in_the_past(project):
    with pytest.raises(ValidationError) as raised:
        services.project_update(project=project, deadline=timezone.now() - timedelta(days=1))

    assert raised.value.message_dict == {"deadline": ["The deadline must be in the future."]}


# --- project_transition -------------------------------------------------------------------

# (from, action, to or the exact refusal)
TRANSITIONS = [
    pytest.param("draft", "activate", "active", id="draft-activate"),
    pytest.param("active", "pause", "paused", id="active-pause"),
    pytest.param("paused", "activate", "active", id="paused-activate"),
    pytest.param("active", "complete", "completed", id="active-complete"),
    pytest.param("paused", "complete", "completed", id="paused-complete"),
    pytest.param(
        "draft", "pause", '"Pasta study" is draft; it can be paused only when it is active.', id="draft-pause"
    ),
    pytest.param(
        "draft",
        "complete",
        '"Pasta study" is draft; it can be completed only when it is active or paused.',
        id="draft-complete",
    ),
    pytest.param("paused", "pause", '"Pasta study" is already paused.', id="paused-pause"),
    pytest.param(
        "completed",
        "activate",
        '"Pasta study" is completed; it can be active only when it is draft or paused.',
        id="completed-activate",
    ),
    pytest.param(
        "completed",
        "pause",
        '"Pasta study" is completed; it can be paused only when it is active.',
        id="completed-pause",
    ),
    pytest.param(
        "completed",
        "complete",
        '"Pasta study" is already completed.',
        id="completed-complete",
    ),
]


@pytest.mark.parametrize(("start", "action", "outcome"), TRANSITIONS)
def test_status_moves_only_along_the_allowed_paths(project, owner, start, action, outcome):
    pool(project, size=3)
    sample(project, owner, size=2)
    with_status(project, start)

    if outcome in Status.values:
        services.project_transition(project=project, action=action)
        assert EvaluationProject.objects.get(pk=project.pk).status == outcome
    else:
        with pytest.raises(Conflict) as raised:
            services.project_transition(project=project, action=action)
        assert (raised.value.message, raised.value.code) == (outcome, "bad_transition")
        assert EvaluationProject.objects.get(pk=project.pk).status == start


def test_a_project_without_tasks_cannot_be_activated(project):
    pool(project, size=3)

    with pytest.raises(Conflict) as raised:
        services.project_transition(project=project, action="activate")

    assert (raised.value.message, raised.value.code) == (
        '"Pasta study" has no tasks yet: sample the pool before activating.',
        "no_tasks",
    )
    assert EvaluationProject.objects.get(pk=project.pk).status == "draft"


def test_activation_and_completion_are_stamped_once(project, owner):
    pool(project, size=3)
    sample(project, owner, size=2)

    services.project_transition(project=project, action="activate")
    first = EvaluationProject.objects.get(pk=project.pk).activated_at
    services.project_transition(project=project, action="pause")
    services.project_transition(project=project, action="activate")
    services.project_transition(project=project, action="complete")

    stored = EvaluationProject.objects.get(pk=project.pk)
    assert first is not None
    assert stored.activated_at == first
    assert stored.completed_at >= first


def test_a_transition_on_a_stale_copy_is_refused(project, owner):
    pool(project, size=3)
    sample(project, owner, size=2)
    stale = EvaluationProject.objects.get(pk=project.pk)
    services.project_transition(project=project, action="activate")
    services.project_transition(project=project, action="complete")

    with pytest.raises(Conflict) as raised:
        services.project_transition(project=stale, action="activate")

    assert raised.value.message == '"Pasta study" changed meanwhile; it is now completed.'
    assert EvaluationProject.objects.get(pk=project.pk).status == "completed"


def test_activating_an_active_project_says_it_is_already_active(project, owner):
    pool(project, size=3)
    sample(project, owner, size=2)
    with_status(project, "active")

    with pytest.raises(Conflict) as raised:
        services.project_transition(project=project, action="activate")

    assert "already active" in raised.value.message


# --- tasks_sample -------------------------------------------------------------------------


def test_a_uniform_sample_makes_tasks_with_probability_n_over_n(project, owner):
    serps = pool(project, size=10)
    project.overlap = 4
    project.priority = 2
    project.save()

    run = sample(project, owner, size=4, seed=11)

    tasks = list(Task.objects.filter(project=project).select_related("serp"))
    assert (run.strategy, run.size, run.seed, run.mode, run.tasks_made, run.created_by) == (
        "uniform",
        4,
        11,
        "replace",
        4,
        owner,
    )
    assert len(tasks) == 4
    assert {t.serp_id for t in tasks} <= {s.pk for s in serps}
    for task in tasks:
        assert (task.inclusion_probability, task.sampling_run, task.overlap, task.priority) == (0.4, run, 4, 2)
        assert (task.query_id, task.locale, task.category) == (task.serp.query_id, "it-IT", "food")
        assert (task.serp_b, task.is_gold, task.judgment_count, task.status) == (None, False, 0, "open")


def test_a_stratified_sample_stores_n_h_over_n_h_per_stratum(project, owner):
    pool(project, size=6, locale="it-IT")
    PoolSerpFactory(project=project, query_id="de-1", locale="de-DE")
    PoolSerpFactory(project=project, query_id="de-2", locale="de-DE")

    sample(project, owner, strategy="stratified", strata=["locale"], allocation="equal", size=4, seed=3)

    rows = sorted(Task.objects.filter(project=project).values_list("locale", "stratum", "inclusion_probability"))
    assert rows == [
        ("de-DE", "locale=de-DE", 1.0),
        ("de-DE", "locale=de-DE", 1.0),
        ("it-IT", "locale=it-IT", pytest.approx(2 / 6)),
        ("it-IT", "locale=it-IT", pytest.approx(2 / 6)),
    ]
    assert SamplingRun.objects.get().allocation == "equal"


def test_a_proportional_stratified_sample_by_two_fields(project, owner):
    pool(project, size=8, locale="it-IT", category="food")
    PoolSerpFactory.create_batch(4, project=project, locale="it-IT", category="music")

    sample(project, owner, strategy="stratified", strata=["locale", "category"], size=6, seed=5)

    counts = {}
    for stratum, probability in Task.objects.values_list("stratum", "inclusion_probability"):
        counts.setdefault(stratum, []).append(probability)
    assert {k: len(v) for k, v in counts.items()} == {"locale=it-IT|category=food": 4, "locale=it-IT|category=music": 2}
    assert {p for probabilities in counts.values() for p in probabilities} == {0.5}


def test_a_traffic_weighted_sample_takes_heavy_queries_for_certain(project, owner):
    for query_id, traffic in [("light-1", 100), ("light-2", 100), ("medium", 200), ("heavy", 600)]:
        PoolSerpFactory(project=project, query_id=query_id, traffic=traffic)

    sample(project, owner, strategy="traffic_weighted", size=2, seed=1)

    chosen = dict(Task.objects.values_list("query_id", "inclusion_probability"))
    assert chosen.pop("heavy") == 1.0
    [(other, probability)] = chosen.items()
    assert probability == {"light-1": 0.25, "light-2": 0.25, "medium": 0.5}[other]


def test_the_same_seed_draws_the_same_tasks(project, owner):
    pool(project, size=30)

    sample(project, owner, size=8, seed=2024)
    first = task_serps(project)
    sample(project, owner, size=8, seed=2024)

    assert task_serps(project) == first


def test_without_a_seed_one_is_chosen_and_kept(project, owner):
    pool(project, size=5)

    run = sample(project, owner, size=2)

    assert 0 <= run.seed < 2**31
    sample(project, owner, size=2, seed=run.seed)
    assert Task.objects.count() == 2


def test_a_draft_redraw_replaces_every_task(project, owner):
    pool(project, size=10)
    sample(project, owner, size=6, seed=1)

    run = sample(project, owner, size=3, seed=2)

    assert Task.objects.filter(project=project).count() == 3
    assert list(SamplingRun.objects.filter(project=project)) == [run]
    assert set(Task.objects.values_list("sampling_run", flat=True)) == {run.pk}


@pytest.mark.parametrize("status", ["active", "paused"])
def test_a_running_project_refuses_a_redraw(project, owner, status):
    pool(project, size=10)
    sample(project, owner, size=4, seed=1)
    before = task_serps(project)
    with_status(project, status)

    with pytest.raises(Conflict) as raised:
        sample(project, owner, size=4, seed=2)

    assert raised.value.message == (
        f'"Pasta study" is {status}: its tasks can only be redrawn while it is a draft; '
        'sample with mode "add" to add tasks.'
    )
    assert task_serps(project) == before


def test_adding_while_active_samples_only_serps_without_tasks(project, owner):
    pool(project, size=10)
    first_run = sample(project, owner, size=4, seed=1)
    first = set(task_serps(project))
    with_status(project, "active")

    run = sample(project, owner, size=3, seed=1, mode="add")

    added = set(Task.objects.filter(sampling_run=run).values_list("serp_id", flat=True))
    assert len(added) == 3 and not added & first
    assert Task.objects.filter(sampling_run=first_run).count() == 4
    # The add draws from the 6 SERPs left, so its tasks had 3/6 chances.
    assert set(Task.objects.filter(sampling_run=run).values_list("inclusion_probability", flat=True)) == {0.5}


def test_adding_when_every_serp_has_a_task_is_refused(project, owner):
    pool(project, size=3)
    sample(project, owner, size=3, seed=1)

    with pytest.raises(ValidationError) as raised:
        sample(project, owner, size=1, mode="add")

    assert raised.value.message_dict == {"size": ["The pool has no SERPs left to sample; import a pool first."]}


def test_a_completed_project_takes_no_more_tasks(project, owner):
    pool(project, size=10)
    sample(project, owner, size=2, seed=1)
    with_status(project, "completed")

    with pytest.raises(Conflict) as raised:
        sample(project, owner, size=2, mode="add")

    assert raised.value.message == '"Pasta study" is completed; it takes no more tasks.'


def test_side_by_side_tasks_hold_both_variants_of_a_query(sbs_project, owner):
    for n in range(4):
        for variant in VARIANTS:
            serp_with_results(project=sbs_project, query_id=f"q-{n}", variant=variant, traffic=10 * (n + 1))
    PoolSerpFactory(project=sbs_project, query_id="q-unpaired", variant="baseline")

    sample(sbs_project, owner, size=4, seed=9)

    tasks = list(Task.objects.filter(project=sbs_project).select_related("serp", "serp_b"))
    assert sorted(t.query_id for t in tasks) == ["q-0", "q-1", "q-2", "q-3"]
    for task in tasks:
        assert (task.serp.query_id, task.serp.variant) == (task.query_id, "baseline")
        assert (task.serp_b.query_id, task.serp_b.variant) == (task.query_id, "experiment")
        assert task.inclusion_probability == 1.0


# (options, exact errors) for a graded project with 3 SERPs
SAMPLE_ERRORS = [
    pytest.param(
        {"strategy": "random"},
        {"strategy": ['"random" is not a strategy; use one of uniform, stratified, traffic_weighted.']},
        id="unknown-strategy",
    ),
    pytest.param(
        {"strategy": "stratified", "strata": ["locale"], "allocation": "optimal"},
        {"allocation": ['"optimal" is not an allocation; use one of proportional, equal.']},
        id="unknown-allocation",
    ),
    pytest.param(
        {"strategy": "stratified"},
        {"strata": ["Stratified sampling needs at least one field to stratify by."]},
        id="stratified-without-strata",
    ),
    pytest.param(
        {"strategy": "stratified", "strata": ["traffic", "doc_id"]},
        {
            "strata": [
                '"traffic" is not a pool field to stratify by; use locale, category, variant.',
                '"doc_id" is not a pool field to stratify by; use locale, category, variant.',
            ]
        },
        id="strata-not-pool-fields",
    ),
    pytest.param(
        {"strategy": "stratified", "strata": ["locale", "locale"]},
        {"strata": ["Stratum field 'locale' is given more than once."]},
        id="stratum-twice",
    ),
    pytest.param(
        {"mode": "append"}, {"mode": ['Use "replace" (redraw every task) or "add" (sample more).']}, id="mode"
    ),
    pytest.param({"size": 4}, {"size": ["The sample asks for 4 units but the pool has 3."]}, id="size-over-the-pool"),
    pytest.param(
        {"strategy": "traffic_weighted", "size": 3, "traffic": [0, 5, 7]},
        {"size": ["The sample asks for 3 units but only 2 units have a positive 'traffic'."]},
        id="traffic-weighted-over-the-trafficked",
    ),
    pytest.param(
        {"size": 0},
        {"size": ["The sample size must be at least 1, got 0."]},
        id="size-0",
    ),
    pytest.param(
        {"seed": -1},
        {"seed": ["The seed must be a non-negative whole number, got -1."]},
        id="negative-seed",
    ),
]


@pytest.mark.parametrize(("options", "expected"), SAMPLE_ERRORS)
def test_tasks_sample_refuses_bad_options_with_a_clear_message(project, owner, options, expected):
    options = dict(options)
    for serp, traffic in zip(pool(project, size=3), options.pop("traffic", [1, 1, 1]), strict=True):
        serp.traffic = traffic
        serp.save()
    options.setdefault("size", 2)

    with pytest.raises(ValidationError) as raised:
        sample(project, owner, **options)

    assert raised.value.message_dict == expected
    assert not Task.objects.exists() and not SamplingRun.objects.exists()


def test_a_side_by_side_project_cannot_stratify_by_variant(sbs_project, owner):
    with pytest.raises(ValidationError) as raised:
        sample(sbs_project, owner, strategy="stratified", strata=["variant"], size=1)

    assert raised.value.message_dict == {
        "strata": ['"variant" is not a pool field to stratify by; use locale, category.']
    }


def test_an_empty_pool_cannot_be_sampled(project, owner):
    with pytest.raises(ValidationError) as raised:
        sample(project, owner, size=1)

    assert raised.value.message_dict == {"size": ["The pool has no SERPs left to sample; import a pool first."]}


def test_sampling_one_project_leaves_another_alone(project, owner, published_version):
    other = ProjectFactory(owner=owner, guideline_version=published_version)
    pool(other, size=3)
    sample(other, owner, size=3, seed=1)
    pool(project, size=3)

    sample(project, owner, size=1, seed=1)

    assert Task.objects.filter(project=other).count() == 3
