"""Differences between two versions, on small worked examples."""

import copy

from guidelines.diff import diff_schema, diff_text, unified_text
from guidelines.schema import STARTER_SCHEMA


def starter(**changes):
    schema = copy.deepcopy(STARTER_SCHEMA)
    schema.update(changes)
    return schema


# --- SOP text ---------------------------------------------------------------------------


def test_identical_texts_are_all_equal_lines_numbered_on_both_sides():
    assert diff_text("a\nb", "a\nb") == [
        {"op": "equal", "old": 1, "new": 1, "text": "a"},
        {"op": "equal", "old": 2, "new": 2, "text": "b"},
    ]


def test_an_added_line_has_a_number_only_on_the_new_side():
    assert diff_text("# Title\nLast", "# Title\nNew rule\nLast") == [
        {"op": "equal", "old": 1, "new": 1, "text": "# Title"},
        {"op": "insert", "old": None, "new": 2, "text": "New rule"},
        {"op": "equal", "old": 2, "new": 3, "text": "Last"},
    ]


def test_a_removed_line_has_a_number_only_on_the_old_side():
    assert diff_text("one\ntwo\nthree", "one\nthree") == [
        {"op": "equal", "old": 1, "new": 1, "text": "one"},
        {"op": "delete", "old": 2, "new": None, "text": "two"},
        {"op": "equal", "old": 3, "new": 2, "text": "three"},
    ]


def test_a_changed_line_is_shown_as_removed_then_added():
    assert diff_text("Grade 2: partly\nEnd", "Grade 2: moderately\nEnd") == [
        {"op": "delete", "old": 1, "new": None, "text": "Grade 2: partly"},
        {"op": "insert", "old": None, "new": 1, "text": "Grade 2: moderately"},
        {"op": "equal", "old": 2, "new": 2, "text": "End"},
    ]


def test_an_empty_or_missing_text_diffs_as_no_lines():
    assert diff_text("", "hello") == [{"op": "insert", "old": None, "new": 1, "text": "hello"}]
    assert diff_text(None, None) == []


def test_the_unified_diff_names_both_versions():
    assert unified_text("a\nb", "a\nc", old_name="v1", new_name="v2") == "--- v1\n+++ v2\n@@ -1,2 +1,2 @@\n a\n-b\n+c"


# --- Schema -----------------------------------------------------------------------------


def test_the_same_schema_has_no_differences():
    assert diff_schema(STARTER_SCHEMA, copy.deepcopy(STARTER_SCHEMA)) == {"questions": [], "settings": []}


def test_it_reports_an_added_question():
    new = starter()
    new["page_questions"].append({"key": "freshness", "label": "Fresh?", "type": "boolean"})
    assert diff_schema(STARTER_SCHEMA, new) == {
        "questions": [{"section": "page_questions", "key": "freshness", "change": "added", "fields": []}],
        "settings": [],
    }


def test_it_reports_a_removed_question():
    new = starter()
    new["page_questions"] = [q for q in new["page_questions"] if q["key"] != "comment"]
    assert diff_schema(STARTER_SCHEMA, new) == {
        "questions": [{"section": "page_questions", "key": "comment", "change": "removed", "fields": []}],
        "settings": [],
    }


def test_it_reports_a_changed_question_field_by_field():
    new = starter()
    comment = new["page_questions"][2]
    comment["label"] = "Anything else?"
    comment["max_length"] = 500
    comment["required"] = False
    assert diff_schema(STARTER_SCHEMA, new)["questions"] == [
        {
            "section": "page_questions",
            "key": "comment",
            "change": "changed",
            "fields": [
                {"field": "label", "from": "Comment", "to": "Anything else?"},
                {"field": "max_length", "from": 2000, "to": 500},
                {"field": "required", "from": None, "to": False},
            ],
        }
    ]


def relevance_options(schema):
    return schema["result_questions"][0]["options"]


def test_a_shortened_scale_lists_each_removed_option():
    new = starter()
    del relevance_options(new)[3:]

    [change] = diff_schema(STARTER_SCHEMA, new)["questions"]

    assert (change["section"], change["key"], change["change"]) == ("result_questions", "relevance", "changed")
    assert change["fields"] == [
        {"field": "option 3", "from": "Highly meets", "to": None},
        {"field": "option 4", "from": "Fully meets", "to": None},
    ]


def test_an_added_or_relabelled_option_is_named_by_its_value():
    new = starter()
    relevance_options(new)[2]["label"] = "Partly meets"
    relevance_options(new)[2]["help"] = "Some of the need."
    relevance_options(new).append({"value": 5, "label": "Beyond"})

    [change] = diff_schema(STARTER_SCHEMA, new)["questions"]

    assert change["fields"] == [
        {"field": "option 2", "from": "Moderately meets", "to": "Partly meets"},
        {"field": "option 2 help", "from": None, "to": "Some of the need."},
        {"field": "option 5", "from": None, "to": "Beyond"},
    ]


def test_options_of_a_categorical_question_are_named_by_their_key():
    new = starter()
    pain_points = new["page_questions"][1]["options"]
    pain_points[:] = [o for o in pain_points if o["value"] != "duplicates"]

    [change] = diff_schema(STARTER_SCHEMA, new)["questions"]

    assert (change["key"], change["fields"]) == (
        "pain_points",
        [{"field": 'option "duplicates"', "from": "Duplicate results", "to": None}],
    )


def test_reordered_options_show_the_order_before_and_after():
    new = starter()
    pain_points = new["page_questions"][1]["options"]
    pain_points.reverse()

    [change] = diff_schema(STARTER_SCHEMA, new)["questions"]

    assert change["fields"] == [
        {
            "field": "option order",
            "from": ["irrelevant_top", "outdated", "duplicates", "low_quality"],
            "to": ["low_quality", "duplicates", "outdated", "irrelevant_top"],
        }
    ]


def test_a_question_that_gains_options_shows_the_whole_list():
    old = {"page_questions": [{"key": "topic", "label": "Topic", "type": "text"}]}
    new = {
        "page_questions": [
            {"key": "topic", "label": "Topic", "type": "categorical", "options": [{"value": "news", "label": "News"}]}
        ]
    }

    [change] = diff_schema(old, new)["questions"]

    assert change["fields"] == [
        {"field": "options", "from": None, "to": [{"value": "news", "label": "News"}]},
        {"field": "type", "from": "text", "to": "categorical"},
    ]


def test_it_reports_changed_thresholds_and_reasons_in_settings_order():
    new = starter(satisfied_threshold=3, relevant_threshold=3, cannot_judge_reasons=["did_not_load"])
    assert diff_schema(STARTER_SCHEMA, new)["settings"] == [
        {"setting": "cannot_judge_reasons", "from": STARTER_SCHEMA["cannot_judge_reasons"], "to": ["did_not_load"]},
        {"setting": "satisfied_threshold", "from": 4, "to": 3},
        {"setting": "relevant_threshold", "from": 2, "to": 3},
    ]


def test_a_threshold_that_appears_or_disappears_goes_from_or_to_none():
    old = starter()
    del old["relevant_threshold"]
    assert diff_schema(old, STARTER_SCHEMA)["settings"] == [{"setting": "relevant_threshold", "from": None, "to": 2}]
    assert diff_schema(STARTER_SCHEMA, old)["settings"] == [{"setting": "relevant_threshold", "from": 2, "to": None}]


def test_result_questions_come_first_then_page_questions_by_key():
    new = starter()
    new["result_questions"].append({"key": "freshness", "label": "Fresh?", "type": "boolean"})
    new["page_questions"] = [q for q in new["page_questions"] if q["key"] != "pain_points"]
    new["page_questions"].append({"key": "accessibility", "label": "Accessible?", "type": "boolean"})
    new["page_questions"][0]["label"] = "Satisfaction"
    assert [(q["section"], q["key"], q["change"]) for q in diff_schema(STARTER_SCHEMA, new)["questions"]] == [
        ("result_questions", "freshness", "added"),
        ("page_questions", "accessibility", "added"),
        ("page_questions", "pain_points", "removed"),
        ("page_questions", "satisfaction", "changed"),
    ]


def test_a_question_moved_between_sections_is_removed_from_one_and_added_to_the_other():
    old = {"result_questions": [{"key": "spam", "label": "Spam?", "type": "boolean"}], "page_questions": []}
    new = {"result_questions": [], "page_questions": [{"key": "spam", "label": "Spam?", "type": "boolean"}]}
    assert diff_schema(old, new)["questions"] == [
        {"section": "result_questions", "key": "spam", "change": "removed", "fields": []},
        {"section": "page_questions", "key": "spam", "change": "added", "fields": []},
    ]
