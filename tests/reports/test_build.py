"""A report built from judgments made through the engine: each figure against a computation by hand."""

import uuid

import numpy as np
import pytest
import pytrec_eval

from evalconsole.models import Job
from guidelines.schema import PREFERENCE_KEY
from raters import engine, services
from reports import services as report_services
from tests.factories import VersionFactory
from tests.raters.engine_fixtures import qualified_rater
from tests.raters.helpers_sbs import SIDE_BY_SIDE_SCHEMA, side_by_side_project
from tests.reports.judged import INCLUSION, LOCALES, grade_of, judged_project, satisfaction_of

pytestmark = pytest.mark.django_db

TASKS, RATERS, GOLD, RESULTS = 11, 3, 2, 3
SAMPLED = range(TASKS - GOLD)  # the last GOLD tasks are gold


def report_of(project, owner) -> dict:
    job = Job.objects.create(kind="report", created_by=owner, params={"project": project.pk})
    return report_services.report_build_run(job_id=job.pk)


@pytest.fixture
def version(guideline):
    return VersionFactory(guideline=guideline, number=1, published=True)


@pytest.fixture
def snapshot(owner, version):
    project = judged_project(owner=owner, version=version, tasks=TASKS, raters=RATERS, gold=GOLD, results=RESULTS)
    return report_of(project, owner)


def weight(n):
    return 1 / INCLUSION[LOCALES[n % 2]]


def weighted_mean(values: dict) -> float:
    return sum(weight(n) * value for n, value in values.items()) / sum(weight(n) for n in values)


def page_scores(tasks=SAMPLED):
    return {n: np.mean([satisfaction_of(n, r) for r in range(RATERS)]) for n in tasks}


def test_satisfaction_is_the_design_weighted_mean_of_each_serps_mean_score(snapshot):
    satisfaction = snapshot.data["overall"]["satisfaction"]

    assert satisfaction["mean"] == pytest.approx(weighted_mean(page_scores()), abs=1e-4)
    satisfied = {n: float(score >= 4) for n, score in page_scores().items()}
    assert satisfaction["share_satisfied"] == pytest.approx(weighted_mean(satisfied), abs=1e-4)
    assert satisfaction["weighting"] == "stratified"
    low, high = satisfaction["ci95"]
    assert low < satisfaction["mean"] < high


def test_gold_tasks_count_for_raters_but_not_in_the_estimates(snapshot):
    assert snapshot.data["overall"]["serps"] == len(SAMPLED)
    assert snapshot.data["overall"]["judgments"] == len(SAMPLED) * RATERS
    assert snapshot.judgments == (len(SAMPLED) + GOLD) * RATERS


def test_each_segment_holds_its_own_serps(snapshot):
    locales = snapshot.data["segments"]["locale"]

    assert set(locales) == set(LOCALES)
    for locale in LOCALES:
        mine = [n for n in SAMPLED if LOCALES[n % 2] == locale]
        assert locales[locale]["serps"] == len(mine)
        expected = np.mean(list(page_scores(mine).values()))  # one locale, one weight
        assert locales[locale]["satisfaction"]["mean"] == pytest.approx(expected, abs=1e-4)
    assert set(snapshot.data["segments"]["category"]) == {"food", "travel", "news"}
    assert set(snapshot.data["segments"]["guideline_version"]) == {"1"}


def test_ndcg_per_query_matches_trec_eval_on_the_consensus_grades(snapshot):
    qrels = {f"q{n}": {f"q{n}-d{rank}": grade_of(rank, n) for rank in range(1, RESULTS + 1)} for n in SAMPLED}
    run = {f"q{n}": {f"q{n}-d{rank}": float(RESULTS - rank) for rank in range(1, RESULTS + 1)} for n in SAMPLED}
    # P@10 counts grades >= the schema's relevant_threshold (2), as trec_eval's -l 2 does.
    expected = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "P.10"}, relevance_level=2).evaluate(run)

    per_query = snapshot.per_query
    ndcg = dict(zip(per_query["query_id"], per_query["ndcg@10"], strict=True))
    precision = dict(zip(per_query["query_id"], per_query["p@10"], strict=True))
    assert ndcg == pytest.approx({query: figures["ndcg_cut_10"] for query, figures in expected.items()}, abs=1e-9)
    assert precision == pytest.approx({query: figures["P_10"] for query, figures in expected.items()}, abs=1e-9)
    mean = weighted_mean({n: expected[f"q{n}"]["ndcg_cut_10"] for n in SAMPLED})
    assert snapshot.data["overall"]["relevance"]["ndcg@10"]["mean"] == pytest.approx(mean, abs=1e-4)
    assert "trec_eval" in snapshot.data["methods"]["ndcg"]


def test_pain_points_come_in_pareto_order_with_example_queries(snapshot):
    pains = snapshot.data["overall"]["pain_points"]

    outdated = {n: float(n % 3 == 0) for n in SAMPLED}
    duplicates = {n: float(n % 4 == 0) for n in SAMPLED}
    assert list(pains)[:2] == ["outdated", "duplicates"]
    assert pains["outdated"]["share"] == pytest.approx(weighted_mean(outdated), abs=1e-4)
    assert pains["duplicates"]["share"] == pytest.approx(weighted_mean(duplicates), abs=1e-4)
    assert pains["low_quality"]["share"] == 0
    examples = pains["outdated"]["examples"]
    assert [example["query_id"] for example in examples] == ["q0", "q3", "q6"]  # q9 is gold
    assert examples[0] == {"query_id": "q0", "query": "query number 0", "comment": "comment 0/0"}


def test_agreement_is_krippendorffs_alpha_at_each_questions_level(snapshot):
    agreement = snapshot.data["overall"]["agreement"]

    # Every rater gave every result the same grade; satisfaction differs on some pages.
    assert agreement["relevance"] == {"krippendorff_alpha": 1.0, "level": "ordinal"}
    assert agreement["satisfaction"]["level"] == "ordinal"
    assert 0.5 < agreement["satisfaction"]["krippendorff_alpha"] < 1.0


def test_raters_get_their_volume_gold_accuracy_and_time(snapshot):
    raters = {row["rater"]: row for row in snapshot.data["raters"]}

    assert set(raters) == {"judge0", "judge1", "judge2"}
    assert {name: row["judgments"] for name, row in raters.items()} == dict.fromkeys(raters, TASKS)
    assert {name: row["gold_judgments"] for name, row in raters.items()} == dict.fromkeys(raters, GOLD)
    # judge2 is a point more generous on odd tasks: the gold task 9 catches it.
    assert {name: row["gold_accuracy"] for name, row in raters.items()} == {"judge0": 1.0, "judge1": 1.0, "judge2": 0.5}
    assert {name: row["median_active_s"] for name, row in raters.items()} == {
        "judge0": 20.0, "judge1": 21.0, "judge2": 22.0,
    }  # fmt: skip


def test_operations_count_cost_and_progress(snapshot):
    operations = snapshot.data["operations"]

    assert operations["cost"] == TASKS * RATERS * 0.5
    assert operations["judgments_target"] == len(SAMPLED) * RATERS
    assert operations["progress"] == 1.0
    assert operations["cost_per_serp"] == round(TASKS * RATERS * 0.5 / len(SAMPLED), 2)
    assert [day["cumulative"] for day in operations["daily"]][-1] == TASKS * RATERS


def test_cannot_judge_is_counted_and_not_scored(owner, version):
    project = judged_project(owner=owner, version=version, tasks=6, raters=3, cannot_judge_every=2, name="CJ")

    overall = report_of(project, owner).data["overall"]

    assert overall["cannot_judge"] == {"did_not_load": 3}
    # Tasks 0, 2, 4 lost their first rater's score: the page's mean comes from the other two.
    scores = {n: np.mean([satisfaction_of(n, r) for r in range(3) if not (n % 2 == 0 and r == 0)]) for n in range(6)}
    weights = {n: 1 / INCLUSION[LOCALES[n % 2]] for n in range(6)}
    expected = sum(weights[n] * scores[n] for n in scores) / sum(weights.values())
    assert overall["satisfaction"]["mean"] == pytest.approx(expected, abs=1e-4)


def test_side_by_side_counts_wins_for_the_second_variant_whichever_side_it_showed(owner, guideline):
    version = VersionFactory(guideline=guideline, number=2, published=True, schema=SIDE_BY_SIDE_SCHEMA)
    project = side_by_side_project(owner=owner, version=version, tasks=20)
    rater = qualified_rater(version, username="sbs-judge")
    swapped = 0
    while (assignment := engine.lease_next(rater=rater, project=project)) is not None:
        # The rater always prefers the experiment's page, wherever it was shown.
        swapped += assignment.swapped
        services.judgment_submit(
            assignment=assignment, submission_id=uuid.uuid4(), active_ms=1000, results={},
            page={PREFERENCE_KEY: -2 if assignment.swapped else 2},
        )  # fmt: skip

    data = report_of(project, owner).data

    assert 0 < swapped < 20, "the sides should have been shuffled"
    sbs = data["overall"]["side_by_side"]
    assert (sbs["wins"], sbs["ties"], sbs["losses"]) == (20, 0, 0)
    assert sbs["favoured_if_positive"] == "experiment"
    assert sbs["mean_preference"] == 2.0
    assert sbs["p_value"] == pytest.approx(2 * 0.5**20, rel=1e-5)
    assert sbs["test"] == "sign"
    assert data["overall"]["satisfaction"] is None and data["overall"]["relevance"] is None
    assert data["segments"]["variant"] == {}
