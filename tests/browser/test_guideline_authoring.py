"""The guideline owner's story, in the browser: write, preview, publish, revise, compare."""

import copy
import json
import re

import pytest
from playwright.sync_api import expect

from guidelines.schema import STARTER_SCHEMA
from tests.factories import GuidelineFactory, VersionFactory

# serialized_rollback: the flush after each live-server test would otherwise drop the role
# groups that a data migration created, and the next test could not give anyone a role.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FRESHNESS = {
    "key": "freshness",
    "label": "Is the result up to date?",
    "type": "categorical",
    "required": True,
    "options": [
        {"value": "current", "label": "Current"},
        {"value": "dated", "label": "Somewhat dated"},
        {"value": "obsolete", "label": "Obsolete"},
    ],
}


def schema_with_freshness() -> dict:
    schema = copy.deepcopy(STARTER_SCHEMA)
    schema["result_questions"].append(copy.deepcopy(FRESHNESS))
    return schema


def as_text(schema: dict) -> str:
    return json.dumps(schema, indent=2)


def preview_of(page):
    return page.get_by_role("region", name="Live preview")


def test_an_owner_writes_publishes_revises_and_compares_a_guideline(page, live_server, sign_in, owner):
    sign_in(owner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guidelines").click()
    expect(page).to_have_url(f"{live_server.url}/guidelines/")

    # Create the guideline; version 1 starts as a draft.
    # The empty list offers the link twice: in the page head and in the "no guidelines yet" line.
    page.get_by_role("link", name="New guideline").first.click()
    page.get_by_label("Name").fill("Web search quality")
    page.get_by_label("Description").fill("How raters judge a results page.")
    page.get_by_role("button", name="Create guideline").click()

    expect(page).to_have_url(f"{live_server.url}/guidelines/web-search-quality/v1/edit/")
    expect(page.get_by_role("heading", level=1, name="Version 1 Draft", exact=True)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(
        "Created Web search quality. Version 1 is a draft: write the SOP and its schema."
    )
    preview = preview_of(page)
    schema_box = page.get_by_label("Rating schema (JSON)")
    expect(preview.get_by_role("group", name=re.compile(r"^Needs met"))).to_be_visible()

    # Their own schema: a categorical result question appears in the live preview.
    schema_box.fill(as_text(schema_with_freshness()))

    freshness = preview.get_by_role("group", name=re.compile(r"^Is the result up to date\?"))
    expect(freshness).to_be_visible()
    expect(freshness.get_by_role("radio")).to_have_count(3)
    for label in ("Current", "Somewhat dated", "Obsolete"):
        expect(freshness.get_by_role("radio", name=label, exact=True)).to_be_visible()

    # Broken JSON: the parser's complaint, with where it is.
    schema_box.fill('{"result_questions": [')

    problems = preview.get_by_test_id("schema-problems")
    expect(problems.get_by_role("listitem")).to_have_text(
        ["The schema is not valid JSON: Expecting value at line 1, column 23."]
    )
    expect(preview.get_by_test_id("rating-controls")).to_have_count(0)

    # Valid JSON, broken schema: every problem is listed with where it is.
    broken = schema_with_freshness()
    broken["result_questions"][1]["options"][1]["value"] = "Somewhat dated"
    broken["result_questions"][1]["options"].append({"value": "current", "label": ""})
    broken["relevant_threshold"] = 9
    schema_box.fill(as_text(broken))

    expect(problems.get_by_role("listitem")).to_have_text(
        [
            'result_questions[1].options[1].value: categorical values must be keys: "Somewhat dated" is not a valid '
            "key; use lower-case letters, digits and underscores, starting with a letter, at most 40 characters",
            "result_questions[1].options[3].label: must not be empty",
            'result_questions[1].options[3].value: "current" is already the value of options[0]',
            'relevant_threshold: 9 is off the scale of result question "relevance" (0 to 4)',
        ]
    )
    expect(preview.get_by_test_id("rating-controls")).to_have_count(0)

    # Fixed: the problems go and the question is back.
    schema_box.fill(as_text(schema_with_freshness()))

    expect(problems).to_have_count(0)
    expect(freshness.get_by_role("radio")).to_have_count(3)

    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages")).to_have_text("Saved draft version 1.")
    expect(preview.get_by_role("group", name=re.compile(r"^Is the result up to date\?"))).to_be_visible()
    assert json.loads(schema_box.input_value()) == schema_with_freshness()

    # Publish, confirming the dialog that says it is for good.
    confirmations = []
    page.once("dialog", lambda dialog: (confirmations.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(f"{live_server.url}/guidelines/web-search-quality/v1/")
    assert confirmations == ["Publish version 1? It can never change after this."]
    expect(page.get_by_test_id("version-status")).to_have_text("Published")
    expect(page.locator(".messages")).to_have_text("Published version 1. It can no longer change.")
    expect(page.get_by_text("this version can no longer change")).to_be_visible()
    expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)

    # Version 2: a copy of version 1 to revise.
    page.get_by_role("link", name="Web search quality").click()
    versions = page.get_by_test_id("versions")
    expect(versions.get_by_role("row").filter(has=page.get_by_role("link", name="v1"))).to_contain_text("Published")
    page.get_by_role("button", name="New version").click()

    expect(page).to_have_url(f"{live_server.url}/guidelines/web-search-quality/v2/edit/")
    expect(page.locator(".messages")).to_have_text("Version 2 is a new draft, copied from the latest version.")
    body_box = page.get_by_label("SOP text (Markdown)")
    old_body = body_box.input_value()
    old_line = "Describe every grade of the relevance scale with an example."
    assert old_line in old_body
    body_box.fill(
        old_body.replace(
            old_line,
            "Grade 0 means the result has nothing to do with the query.\n"
            "Grade 4 means the result fully answers the query.",
        )
    )
    expect(preview.get_by_test_id("sop-preview")).to_contain_text("Grade 4 means the result fully answers the query.")

    revised = schema_with_freshness()
    revised["result_questions"][1]["label"] = "How current is the result?"
    pain_points = next(q for q in revised["page_questions"] if q["key"] == "pain_points")
    pain_points["options"].append({"value": "paywall", "label": "Behind a paywall"})
    schema_box.fill(as_text(revised))

    expect(preview.get_by_role("group", name=re.compile(r"^How current is the result\?"))).to_be_visible()
    expect(preview.get_by_role("checkbox", name="Behind a paywall")).to_be_visible()

    page.get_by_label("What changed").fill("Grades 0 and 4 spelt out; paywalls are a pain point.")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages")).to_have_text("Saved draft version 2.")
    expect(page.get_by_label("What changed")).to_have_value("Grades 0 and 4 spelt out; paywalls are a pain point.")

    # Compare: the text lines added and removed, and the schema changes.
    page.get_by_role("link", name="Compare with the previous version").click()

    expect(page).to_have_url(re.compile(r"/guidelines/web-search-quality/diff/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1 → version 2")
    expect(page.get_by_text("Changelog of v2:")).to_be_visible()

    text_diff = page.get_by_test_id("text-diff")
    removed = text_diff.get_by_role("row").filter(has_text="removed:")
    added = text_diff.get_by_role("row").filter(has_text="added:")
    expect(removed).to_have_count(1)
    expect(removed).to_contain_text(f"- {old_line}")
    expect(added).to_have_count(2)
    expect(added.nth(0)).to_contain_text("+ Grade 0 means the result has nothing to do with the query.")
    expect(added.nth(1)).to_contain_text("+ Grade 4 means the result fully answers the query.")

    schema_diff = page.get_by_test_id("schema-diff")
    changes = schema_diff.locator(":scope > li")
    expect(changes).to_have_count(2)
    expect(changes.nth(0)).to_contain_text("Changed result question freshness")
    expect(changes.nth(0)).to_contain_text('label: "Is the result up to date?" → "How current is the result?"')
    expect(changes.nth(1)).to_contain_text("Changed page question pain_points")
    expect(changes.nth(1).locator("ins")).to_contain_text("Behind a paywall")
    expect(changes.nth(1)).to_contain_text('option "paywall": (none) → "Behind a paywall"')


def test_the_keyboard_alone_can_edit_and_save_a_draft(page, live_server, sign_in, owner):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1, changelog="")
    sign_in(owner)
    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")

    body_box = page.get_by_label("SOP text (Markdown)")
    schema_box = page.get_by_label("Rating schema (JSON)")
    changelog_box = page.get_by_label("What changed")
    save = page.get_by_role("button", name="Save draft")

    def focused(locator) -> bool:
        return locator.evaluate("element => element === document.activeElement")

    # Tab from the top of the page; the fields come in reading order, then Save.
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        for name, locator in (("body", body_box), ("schema", schema_box), ("changelog", changelog_box)):
            if focused(locator) and name not in reached:
                reached.append(name)
        if focused(changelog_box) and not changelog_box.input_value():
            page.keyboard.type("Typed without a mouse.")
        if focused(save):
            break
    expect(save).to_be_focused()
    assert reached == ["body", "schema", "changelog"]

    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_have_text("Saved draft version 1.")
    expect(changelog_box).to_have_value("Typed without a mouse.")


def test_the_save_button_shows_where_the_keyboard_focus_is(page, live_server, sign_in, owner):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1)
    sign_in(owner)
    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")
    page.get_by_label("What changed").focus()

    page.keyboard.press("Tab")

    save = page.get_by_role("button", name="Save draft")
    expect(save).to_be_focused()
    assert save.evaluate("element => element.matches(':focus-visible')")
    expect(save).not_to_have_css("outline-style", "none")


def test_the_live_preview_is_announced_to_screen_readers_in_one_short_line(page, live_server, sign_in, owner):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1)
    sign_in(owner)
    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")
    status = page.locator("#preview-status")
    expect(status).to_have_attribute("aria-live", "polite")

    page.get_by_label("SOP text (Markdown)").fill("# Purpose\n\nRate the freshness of each result.")
    expect(preview_of(page).get_by_test_id("sop-preview")).to_contain_text("Rate the freshness of each result.")
    expect(status).to_have_text("Preview updated.")

    page.get_by_label("Rating schema (JSON)").fill('{"result_questions": []}')
    expect(status).to_have_text("Preview updated: 1 problem in the schema.")
    # The preview itself is not a live region: a reader would hear all of it after every pause.
    expect(page.locator("[aria-live] [data-testid=preview]")).to_have_count(0)


def test_publishing_stays_a_draft_when_the_owner_cancels_the_confirmation(page, live_server, sign_in, owner):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1)
    sign_in(owner)
    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(f"{live_server.url}/guidelines/serp/v1/edit/")
    expect(page.get_by_role("heading", level=1, name="Version 1 Draft", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/guidelines/serp/v1/")
    expect(page.get_by_test_id("version-status")).to_have_text("Draft")


def test_a_draft_with_a_broken_schema_cannot_be_saved_and_says_why(page, live_server, sign_in, owner):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1)
    sign_in(owner)
    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")
    broken = copy.deepcopy(STARTER_SCHEMA)
    broken["result_questions"][0]["type"] = "stars"

    page.get_by_label("Rating schema (JSON)").fill(as_text(broken))
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator('.errorlist[data-field="schema"] li')).to_have_text(
        [
            'result_questions[0].type: "stars" is not a question type; use one of ordinal, categorical, multi, '
            "boolean, text",
            'relevant_threshold: needs an ordinal result question with key "relevance" to apply to',
        ]
    )
    expect(page.locator(".messages")).to_have_count(0)


def test_the_schema_diff_shows_changed_values_as_the_json_the_owner_wrote(page, live_server, sign_in, owner):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1, published=True)
    revised = copy.deepcopy(STARTER_SCHEMA)
    revised["result_questions"][0]["required"] = False
    pain_points = next(q for q in revised["page_questions"] if q["key"] == "pain_points")
    pain_points["options"].append({"value": "paywall", "label": "Behind a paywall"})
    VersionFactory(guideline=guideline, number=2, schema=revised, changelog="Relevance is optional.")
    sign_in(owner)

    page.goto(f"{live_server.url}/guidelines/serp/diff/")

    changes = page.get_by_test_id("schema-diff").locator(":scope > li")
    expect(changes).to_have_count(2)
    expect(changes.nth(0)).to_contain_text("Changed result question relevance")
    # The owner wrote JSON (true/false, double quotes), so the diff speaks JSON, not Python.
    expect(changes.nth(0)).to_contain_text("required: true → false")
    expect(changes.nth(1)).to_contain_text("Changed page question pain_points")
    expect(changes.nth(1)).to_contain_text("Behind a paywall")
    expect(changes.nth(1)).not_to_contain_text("{'value'")
