"""The rating schema validator: every bad schema gets the exact messages an author will read."""

# The tables below keep one case to a line, so they read as a list of rules.
# ruff: noqa: E501

import copy

import pytest

from guidelines.schema import STARTER_SCHEMA, validate_schema

KEY_RULE = "use lower-case letters, digits and underscores, starting with a letter, at most 40 characters"
TYPES = "ordinal, categorical, multi, boolean, text"
QUESTION_FIELDS = "key, label, type, required, help, options, max_length"
SETTINGS = "cannot_judge_reasons, page_questions, relevant_threshold, result_questions, satisfied_threshold"
PREFERENCE_SCALE = "the side-by-side preference scale must be the whole numbers -3 (left much better) to 3 (right much better), in order"


# Leaves a field out of a question built with q().
OMIT = object()


def opts(*values):
    """Options with these values, each labelled."""
    return [{"value": value, "label": f"Option {index}"} for index, value in enumerate(values)]


def q(key="relevance", type="ordinal", label="A question", **fields):
    """A question; ordinal, categorical and multi questions get a valid scale unless told otherwise."""
    question = {"key": key, "label": label, "type": type, **fields}
    if type == "ordinal":
        question.setdefault("options", opts(0, 1, 2, 3, 4))
    elif type in ("categorical", "multi"):
        question.setdefault("options", opts("yes", "no"))
    return {name: value for name, value in question.items() if value is not OMIT}


def result(*questions, **settings):
    return {"result_questions": list(questions), **settings}


def page(*questions, **settings):
    return {"page_questions": list(questions), **settings}


COMMENT = q("comment", "text", "Comment")
SATISFACTION = q("satisfaction", "ordinal", "Overall satisfaction", options=opts(1, 2, 3, 4, 5))

# fmt: off
BAD_SCHEMAS = [
    # --- the document as a whole
    pytest.param([], ["the schema must be a JSON object, got a list"], id="a-list-instead-of-an-object"),
    pytest.param("schema", ['the schema must be a JSON object, got "schema"'], id="a-string-instead-of-an-object"),
    pytest.param(None, ["the schema must be a JSON object, got null"], id="null-instead-of-an-object"),
    pytest.param({}, ["the schema has no questions; add at least one result or page question"], id="no-questions-at-all"),
    pytest.param(
        {"result_questions": [], "page_questions": []},
        ["the schema has no questions; add at least one result or page question"],
        id="both-question-lists-empty",
    ),
    pytest.param(page(COMMENT, thresholds=3), [f"thresholds: unknown setting; expected one of {SETTINGS}"], id="unknown-top-level-setting"),
    pytest.param({"result_questions": {"key": "relevance"}}, ["result_questions: must be a list of questions, got an object"], id="questions-not-a-list"),
    pytest.param({"page_questions": "comment"}, ['page_questions: must be a list of questions, got "comment"'], id="page-questions-a-string"),
    pytest.param(page("comment"), ['page_questions[0]: each question must be an object, got "comment"'], id="question-not-an-object"),
    pytest.param(
        page(*[q(f"comment_{n}", "text") for n in range(31)]),
        ["page_questions: has 31 questions; at most 30 are allowed"],
        id="too-many-questions",
    ),
    # --- keys
    pytest.param(page(q(OMIT, "text")), ["page_questions[0].key: is required"], id="key-missing"),
    pytest.param(page(q("Comment", "text")), [f'page_questions[0].key: "Comment" is not a valid key; {KEY_RULE}'], id="key-with-capitals"),
    pytest.param(page(q("2nd_comment", "text")), [f'page_questions[0].key: "2nd_comment" is not a valid key; {KEY_RULE}'], id="key-starting-with-a-digit"),
    pytest.param(page(q("pain-points", "text")), [f'page_questions[0].key: "pain-points" is not a valid key; {KEY_RULE}'], id="key-with-a-hyphen"),
    pytest.param(page(q("a" * 41, "text")), [f'page_questions[0].key: "{"a" * 37}..." is not a valid key; {KEY_RULE}'], id="key-too-long"),
    pytest.param(page(q(7, "text")), ["page_questions[0].key: must be text, got 7"], id="key-a-number"),
    pytest.param(
        result(q("relevance"), q("relevance")),
        ['result_questions[1].key: "relevance" is already used by result_questions[0]'],
        id="duplicate-keys",
    ),
    pytest.param(
        {"result_questions": [q("relevance")], "page_questions": [q("relevance")]},
        ['page_questions[0].key: "relevance" is already used by result_questions[0]'],
        id="duplicate-keys-across-sections",
    ),
    # --- question fields
    pytest.param(page(q("comment", "text", hint="Be kind")), [f"page_questions[0].hint: unknown field; a question has {QUESTION_FIELDS}"], id="unknown-question-field"),
    pytest.param(page(q("comment", "text", label=OMIT)), ["page_questions[0].label: is required"], id="missing-label"),
    pytest.param(page(q("comment", "text", label="   ")), ["page_questions[0].label: must not be empty"], id="blank-label"),
    pytest.param(page(q("comment", "text", label=["Comment"])), ["page_questions[0].label: must be text, got a list"], id="label-a-list"),
    pytest.param(page(q("comment", "text", label="x" * 201)), ["page_questions[0].label: is longer than 200 characters"], id="label-too-long"),
    pytest.param(page(q("comment", "text", help="x" * 2001)), ["page_questions[0].help: is longer than 2000 characters"], id="help-too-long"),
    pytest.param(page(q("comment", "text", required="yes")), ['page_questions[0].required: must be true or false, got "yes"'], id="required-a-string"),
    pytest.param(page(q("comment", "text", required=1)), ["page_questions[0].required: must be true or false, got 1"], id="required-a-number"),
    pytest.param(page(q("comment", OMIT)), ["page_questions[0].type: is required"], id="type-missing"),
    pytest.param(page(q("comment", "scale")), [f'page_questions[0].type: "scale" is not a question type; use one of {TYPES}'], id="unknown-type"),
    pytest.param(page(q("comment", "Text")), [f'page_questions[0].type: "Text" is not a question type; use one of {TYPES}'], id="type-with-a-capital"),
    # --- options
    pytest.param(result(q(options=OMIT)), ["result_questions[0].options: is required for ordinal questions"], id="ordinal-without-options"),
    pytest.param(page(q("topic", "categorical", options=OMIT)), ["page_questions[0].options: is required for categorical questions"], id="categorical-without-options"),
    pytest.param(result(q(options=[])), ["result_questions[0].options: must not be empty"], id="empty-options"),
    pytest.param(page(q("tags", "multi", options=[])), ["page_questions[0].options: must not be empty"], id="empty-multi-options"),
    pytest.param(result(q(options={"0": "Bad"})), ["result_questions[0].options: must be a list of options, got an object"], id="options-an-object"),
    pytest.param(
        result(q(options=[0, {"value": 1, "label": "Good"}])),
        ["result_questions[0].options[0]: each option must be an object with value and label, got 0"],
        id="option-not-an-object",
    ),
    pytest.param(
        result(q(options=[{"value": 0, "label": "Bad", "color": "red"}, {"value": 1, "label": "Good"}])),
        ["result_questions[0].options[0].color: unknown field; an option has value, label, help"],
        id="unknown-option-field",
    ),
    pytest.param(
        result(q(options=[{"value": 0, "label": "Bad"}, {"label": "Good"}])),
        ["result_questions[0].options[1].value: is required"],
        id="option-value-missing",
    ),
    pytest.param(
        result(q(options=[{"value": 0, "label": "Bad"}, {"value": 1}])),
        ["result_questions[0].options[1].label: is required"],
        id="option-label-missing",
    ),
    pytest.param(page(q("flag", "boolean", options=opts("yes", "no"))), ["page_questions[0].options: boolean questions take no options"], id="options-on-a-boolean-question"),
    pytest.param(page(q("comment", "text", options=opts("a"))), ["page_questions[0].options: text questions take no options"], id="options-on-a-text-question"),
    pytest.param(
        page(q("topic", "categorical", options=opts(*[f"topic_{n}" for n in range(51)]))),
        ["page_questions[0].options: has 51 options; at most 50 are allowed"],
        id="too-many-options",
    ),
    # --- ordinal scales
    pytest.param(result(q(options=opts(0))), ["result_questions[0].options: an ordinal scale needs at least 2 options"], id="ordinal-with-one-option"),
    pytest.param(result(q(options=opts(0, "high"))), ['result_questions[0].options[1].value: ordinal values must be numbers, got "high"'], id="non-numeric-ordinal-value"),
    pytest.param(result(q(options=opts(0, "1"))), ['result_questions[0].options[1].value: ordinal values must be numbers, got "1"'], id="ordinal-value-a-numeric-string"),
    pytest.param(result(q(options=opts(False, True))), [
        "result_questions[0].options[0].value: ordinal values must be numbers, got false",
        "result_questions[0].options[1].value: ordinal values must be numbers, got true",
    ], id="bool-used-as-ordinal-value"),
    pytest.param(result(q(options=opts(0, None))), ["result_questions[0].options[1].value: ordinal values must be numbers, got null"], id="null-ordinal-value"),
    pytest.param(result(q(options=opts(0, float("nan")))), ["result_questions[0].options[1].value: must be a finite number"], id="nan-ordinal-value"),
    pytest.param(result(q(options=opts(0, float("inf")))), ["result_questions[0].options[1].value: must be a finite number"], id="infinite-ordinal-value"),
    pytest.param(result(q(options=opts(2, 1, 0))), ["result_questions[0].options: ordinal options must be listed from the lowest value to the highest"], id="unsorted-ordinal"),
    pytest.param(result(q(options=opts(0, 1, 1))), ["result_questions[0].options[2].value: 1 is already the value of options[1]"], id="duplicate-ordinal-values"),
    pytest.param(result(q(options=opts(0, 1, 1.0))), ["result_questions[0].options[2].value: 1.0 is already the value of options[1]"], id="duplicate-ordinal-values-int-and-float"),
    # --- categorical and multi values
    pytest.param(
        page(q("topic", "categorical", options=opts("news", "Very Bad"))),
        [f'page_questions[0].options[1].value: categorical values must be keys: "Very Bad" is not a valid key; {KEY_RULE}'],
        id="categorical-value-not-a-key",
    ),
    pytest.param(
        page(q("tags", "multi", options=opts("outdated", 3))),
        ["page_questions[0].options[1].value: multi values must be keys: must be text, got 3"],
        id="multi-value-a-number",
    ),
    pytest.param(
        page(q("topic", "categorical", options=opts("news", "sport", "news"))),
        ['page_questions[0].options[2].value: "news" is already the value of options[0]'],
        id="duplicate-categorical-values",
    ),
    # --- max_length
    pytest.param(page(q("comment", "text", max_length=0)), ["page_questions[0].max_length: must be a whole number from 1 to 10000, got 0"], id="max-length-zero"),
    pytest.param(page(q("comment", "text", max_length=10_001)), ["page_questions[0].max_length: must be a whole number from 1 to 10000, got 10001"], id="max-length-too-big"),
    pytest.param(page(q("comment", "text", max_length="500")), ['page_questions[0].max_length: must be a whole number from 1 to 10000, got "500"'], id="max-length-a-string"),
    pytest.param(page(q("comment", "text", max_length=12.5)), ["page_questions[0].max_length: must be a whole number from 1 to 10000, got 12.5"], id="max-length-a-fraction"),
    pytest.param(page(q("comment", "text", max_length=True)), ["page_questions[0].max_length: must be a whole number from 1 to 10000, got true"], id="max-length-a-bool"),
    pytest.param(page(q("satisfaction", "ordinal", max_length=10)), ["page_questions[0].max_length: only text questions take max_length"], id="max-length-on-an-ordinal"),
    # --- side-by-side preference
    pytest.param(page(q("preference", options=opts(1, 2, 3, 4, 5))), [f"page_questions[0].options: {PREFERENCE_SCALE}"], id="preference-not-minus-3-to-3"),
    pytest.param(page(q("preference", options=opts(-2, -1, 0, 1, 2))), [f"page_questions[0].options: {PREFERENCE_SCALE}"], id="preference-too-short"),
    pytest.param(page(q("preference", options=opts(-3, -2, -1, 0, 1, 2, 3, 4))), [f"page_questions[0].options: {PREFERENCE_SCALE}"], id="preference-too-long"),
    pytest.param(
        result(q("preference", options=opts(-3, -2, -1, 0, 1, 2, 3))),
        ["result_questions[0].key: the side-by-side preference is a page question; move it to page_questions"],
        id="preference-as-a-result-question",
    ),
    pytest.param(
        page(q("preference", "categorical", options=opts("left", "same", "right"))),
        ["page_questions[0].type: the side-by-side preference must be an ordinal question"],
        id="preference-not-ordinal",
    ),
    # --- cannot-judge reasons
    pytest.param(page(COMMENT, cannot_judge_reasons="did_not_load"), ['cannot_judge_reasons: must be a list of reason keys, got "did_not_load"'], id="reasons-not-a-list"),
    pytest.param(
        page(COMMENT, cannot_judge_reasons=["did_not_load", "foreign_language", "did_not_load"]),
        ['cannot_judge_reasons[2]: "did_not_load" is listed twice'],
        id="duplicate-cannot-judge-reason",
    ),
    pytest.param(page(COMMENT, cannot_judge_reasons=["Did not load"]), [f'cannot_judge_reasons[0]: "Did not load" is not a valid key; {KEY_RULE}'], id="reason-not-a-key"),
    pytest.param(page(COMMENT, cannot_judge_reasons=[3]), ["cannot_judge_reasons[0]: must be text, got 3"], id="reason-a-number"),
    # --- thresholds
    pytest.param(page(COMMENT, satisfied_threshold=4), ['satisfied_threshold: needs an ordinal page question with key "satisfaction" to apply to'], id="satisfied-threshold-without-its-question"),
    pytest.param(page(COMMENT, relevant_threshold=2), ['relevant_threshold: needs an ordinal result question with key "relevance" to apply to'], id="relevant-threshold-without-its-question"),
    pytest.param(
        result(SATISFACTION, satisfied_threshold=4),
        ['satisfied_threshold: needs an ordinal page question with key "satisfaction" to apply to'],
        id="threshold-question-in-the-wrong-section",
    ),
    pytest.param(
        page(q("satisfaction", "categorical", options=opts("happy", "unhappy")), satisfied_threshold=1),
        ['satisfied_threshold: needs an ordinal page question with key "satisfaction" to apply to'],
        id="threshold-on-a-categorical-question",
    ),
    pytest.param(result(q("relevance"), relevant_threshold=5), ['relevant_threshold: 5 is off the scale of result question "relevance" (0 to 4)'], id="threshold-above-the-scale"),
    pytest.param(page(SATISFACTION, satisfied_threshold=0.5), ['satisfied_threshold: 0.5 is off the scale of page question "satisfaction" (1 to 5)'], id="threshold-below-the-scale"),
    pytest.param(page(SATISFACTION, satisfied_threshold="4"), ['satisfied_threshold: must be a number, got "4"'], id="threshold-a-string"),
    pytest.param(page(SATISFACTION, satisfied_threshold=True), ["satisfied_threshold: must be a number, got true"], id="threshold-a-bool"),
    pytest.param(page(SATISFACTION, satisfied_threshold=None), ["satisfied_threshold: must be a number, got null"], id="threshold-null"),
    # --- several problems at once, in document order
    pytest.param(
        {
            "result_questions": [q("Relevance", options=opts(1, 0))],
            "page_questions": [q("comment", "text", options=[]), q("flag", "yes_no")],
            "cannot_judge_reasons": ["x", "x"],
            "colour": "blue",
        },
        [
            f"colour: unknown setting; expected one of {SETTINGS}",
            f'result_questions[0].key: "Relevance" is not a valid key; {KEY_RULE}',
            "result_questions[0].options: ordinal options must be listed from the lowest value to the highest",
            "page_questions[0].options: text questions take no options",
            f'page_questions[1].type: "yes_no" is not a question type; use one of {TYPES}',
            'cannot_judge_reasons[1]: "x" is listed twice',
        ],
        id="several-problems-in-document-order",
    ),
]
# fmt: on


@pytest.mark.parametrize(("schema", "messages"), BAD_SCHEMAS)
def test_it_names_every_problem_of_a_bad_schema(schema, messages):
    assert [str(problem) for problem in validate_schema(schema)] == messages


SIDE_BY_SIDE = {
    "page_questions": [
        {
            "key": "preference",
            "label": "Which page is better?",
            "type": "ordinal",
            "required": True,
            "options": [
                {"value": -3, "label": "Left much better"},
                {"value": -2, "label": "Left better"},
                {"value": -1, "label": "Left slightly better"},
                {"value": 0, "label": "About the same"},
                {"value": 1, "label": "Right slightly better"},
                {"value": 2, "label": "Right better"},
                {"value": 3, "label": "Right much better"},
            ],
        },
        {"key": "why", "label": "Why?", "type": "text", "max_length": 500},
    ],
    "cannot_judge_reasons": ["did_not_load"],
}

EVERY_TYPE = {
    "result_questions": [
        {
            "key": "relevance",
            "label": "Relevance",
            "type": "ordinal",
            "options": opts(0, 0.5, 1),
            "help": "Half grades allowed.",
        },
        {"key": "is_spam", "label": "Spam?", "type": "boolean", "required": False},
    ],
    "page_questions": [
        {"key": "topic", "label": "Topic", "type": "categorical", "options": opts("news", "sport")},
        {"key": "pain_points", "label": "Pain points", "type": "multi", "options": opts("outdated", "duplicates")},
        {"key": "comment", "label": "Comment", "type": "text", "max_length": 10_000},
    ],
    "relevant_threshold": 0,
}

GOOD_SCHEMAS = [
    pytest.param(STARTER_SCHEMA, id="the-starter-schema"),
    pytest.param(SIDE_BY_SIDE, id="a-side-by-side-schema"),
    pytest.param({"page_questions": [{"key": "comment", "label": "Comment", "type": "text"}]}, id="a-minimal-schema"),
    pytest.param({"result_questions": [{"key": "r", "label": "R", "type": "boolean"}]}, id="a-single-result-question"),
    pytest.param(EVERY_TYPE, id="every-question-type"),
    pytest.param(
        {**STARTER_SCHEMA, "satisfied_threshold": 5, "relevant_threshold": 0}, id="thresholds-on-the-ends-of-the-scale"
    ),
    pytest.param({**STARTER_SCHEMA, "satisfied_threshold": 3.5}, id="a-fractional-threshold-within-the-scale"),
]


@pytest.mark.parametrize("schema", GOOD_SCHEMAS)
def test_it_accepts_a_good_schema(schema):
    assert validate_schema(copy.deepcopy(schema)) == []


def test_it_does_not_change_the_schema_it_checks():
    schema = copy.deepcopy(STARTER_SCHEMA)
    validate_schema(schema)
    assert schema == STARTER_SCHEMA
