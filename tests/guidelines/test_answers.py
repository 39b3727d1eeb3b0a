import copy

import pytest

from guidelines.answers import validate_answers
from guidelines.schema import STARTER_SCHEMA

SCHEMA = copy.deepcopy(STARTER_SCHEMA)
SCHEMA["page_questions"].append({"key": "fresh", "label": "Fresh?", "type": "boolean"})
SCHEMA["page_questions"].append(
    {"key": "intent", "label": "Intent", "type": "categorical",
     "options": [{"value": "learn", "label": "Learn"}, {"value": "buy", "label": "Buy"}]}
)  # fmt: skip
DOCS = ["v-1", "v-2"]
GOOD_PAGE = {"satisfaction": 4}
GOOD_RESULTS = {"v-1": {"relevance": 3}, "v-2": {"relevance": 0}}

# (id, page, results, cannot_judge, complete, messages)
BAD = [
    ("ordinal off the scale", {"satisfaction": 9}, GOOD_RESULTS, None, True,
     ["page.satisfaction: 9 is not one of 1, 2, 3, 4, 5"]),
    ("ordinal as text", {"satisfaction": "4"}, GOOD_RESULTS, None, True,
     ['page.satisfaction: "4" is not one of 1, 2, 3, 4, 5']),
    ("ordinal as boolean", {"satisfaction": True}, GOOD_RESULTS, None, True,
     ["page.satisfaction: true is not one of 1, 2, 3, 4, 5"]),
    ("unknown page question", {**GOOD_PAGE, "mood": 1}, GOOD_RESULTS, None, True,
     ["page.mood: is not a question here; the questions are satisfaction, pain_points, comment, fresh, intent"]),
    ("required page answer missing", {}, GOOD_RESULTS, None, True, ["page.satisfaction: is required"]),
    ("multi not a list", {**GOOD_PAGE, "pain_points": "outdated"}, GOOD_RESULTS, None, True,
     ['page.pain_points: must be a list of choices, got "outdated"']),
    ("multi unknown choice", {**GOOD_PAGE, "pain_points": ["slow"]}, GOOD_RESULTS, None, True,
     ['page.pain_points: "slow" is not one of "irrelevant_top", "outdated", "duplicates", "low_quality"']),
    ("multi twice", {**GOOD_PAGE, "pain_points": ["outdated", "outdated"]}, GOOD_RESULTS, None, True,
     ["page.pain_points: a choice is listed twice"]),
    ("boolean as text", {**GOOD_PAGE, "fresh": "yes"}, GOOD_RESULTS, None, True,
     ['page.fresh: must be true or false, got "yes"']),
    ("categorical unknown", {**GOOD_PAGE, "intent": "sell"}, GOOD_RESULTS, None, True,
     ['page.intent: "sell" is not one of "learn", "buy"']),
    ("text too long", {**GOOD_PAGE, "comment": "x" * 2001}, GOOD_RESULTS, None, True,
     ["page.comment: is 2001 characters long; at most 2000 are allowed"]),
    ("text not text", {**GOOD_PAGE, "comment": 5}, GOOD_RESULTS, None, True, ["page.comment: must be text, got 5"]),
    ("page not an object", [], GOOD_RESULTS, None, True,
     ["page: must be an object of answers by question key, got a list"]),
    ("result for a doc not on the page", GOOD_PAGE, {**GOOD_RESULTS, "v-9": {"relevance": 1}}, None, True,
     ['results["v-9"]: is not a result on this page']),
    ("a result not rated", GOOD_PAGE, {"v-1": {"relevance": 3}}, None, True, ['results["v-2"]: is not rated']),
    ("result grade off the scale", GOOD_PAGE, {"v-1": {"relevance": 5}, "v-2": {"relevance": 0}}, None, True,
     ['results["v-1"].relevance: 5 is not one of 0, 1, 2, 3, 4']),
    ("results not an object", GOOD_PAGE, [1], None, True,
     ["results: must be an object of answers by doc_id, got a list"]),
    ("unknown cannot-judge reason", {}, {}, "too_long", True,
     ['cannot_judge: "too_long" is not one of did_not_load, foreign_language, needs_expertise, sensitive_opt_out']),
    ("partial answers are still checked", {"satisfaction": 0}, {}, None, False,
     ["page.satisfaction: 0 is not one of 1, 2, 3, 4, 5"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("page", "results", "cannot_judge", "complete", "messages"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_it_refuses_answers_that_do_not_fit_the_schema(page, results, cannot_judge, complete, messages):
    problems = validate_answers(
        SCHEMA, page=page, results=results, doc_ids=DOCS, cannot_judge=cannot_judge, complete=complete
    )
    assert [str(problem) for problem in problems] == messages


@pytest.mark.parametrize(
    ("page", "results", "cannot_judge", "complete"),
    [
        (GOOD_PAGE, GOOD_RESULTS, None, True),
        ({**GOOD_PAGE, "pain_points": ["outdated"], "fresh": False, "intent": "buy", "comment": "ok"}, GOOD_RESULTS,
         None, True),
        ({}, {}, "did_not_load", True),
        ({"satisfaction": 2}, {}, None, False),
        ({"comment": None, **GOOD_PAGE}, GOOD_RESULTS, None, True),
    ],
    ids=["complete", "every question", "cannot judge instead", "partial gold", "null optional answer"],
)  # fmt: skip
def test_it_accepts_answers_that_fit(page, results, cannot_judge, complete):
    assert (
        validate_answers(SCHEMA, page=page, results=results, doc_ids=DOCS, cannot_judge=cannot_judge, complete=complete)
        == []
    )
