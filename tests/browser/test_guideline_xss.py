"""A guideline body never runs in the browser, on the published page or in the live preview."""

import pytest
from playwright.sync_api import expect

from tests.factories import GuidelineFactory, VersionFactory

# serialized_rollback: the flush after each live-server test would otherwise drop the role
# groups that a data migration created, and the next test could not give anyone a role.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAYLOAD = """# Rate the page

<script>alert(1)</script>

<img src=x onerror="alert(2)">

Read the [click](javascript:alert(3)) rules and <a href="javascript:alert(4)">x</a> too.

<svg onload=alert(5)>

Judge every result.
"""

ELEMENTS_WITH_HANDLERS = """
() => Array.from(document.querySelectorAll("*"))
  .filter(element => Array.from(element.attributes).some(attribute => attribute.name.toLowerCase().startsWith("on")))
  .map(element => element.outerHTML)
"""


def assert_inert(page, sop, dialogs):
    """Nothing in `sop` can run: no script, no handler, no javascript: link, no dialog even when clicked."""
    expect(sop.locator("script")).to_have_count(0)
    expect(sop.locator("svg")).to_have_count(0)
    assert page.evaluate(ELEMENTS_WITH_HANDLERS) == []
    expect(page.locator('[href^="javascript:" i], [src^="javascript:" i]')).to_have_count(0)
    links = sop.locator("a")
    expect(links).to_have_count(2)
    for index in range(links.count()):
        links.nth(index).click()
    assert dialogs == []
    # The text around the payload still reads as the author wrote it.
    expect(sop).to_contain_text("Judge every result.")
    expect(sop.get_by_text("click", exact=True)).to_be_visible()


def test_the_published_version_page_renders_a_hostile_body_inert(page, live_server, sign_in, owner, dialogs):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1, published=True, body_markdown=PAYLOAD)
    sign_in(owner)

    # goto waits for the load event, after the broken image has failed (and onerror would have run).
    page.goto(f"{live_server.url}/guidelines/serp/v1/")

    expect(page.get_by_test_id("version-status")).to_have_text("Published")
    assert_inert(page, page.get_by_test_id("sop"), dialogs)
    assert page.url == f"{live_server.url}/guidelines/serp/v1/"
    assert page.context.pages == [page]


def test_a_reviewer_reading_the_guideline_sees_it_inert_too(page, live_server, sign_in, reviewer, dialogs):
    VersionFactory(guideline__slug="serp", number=1, published=True, body_markdown=PAYLOAD)
    sign_in(reviewer)

    page.goto(f"{live_server.url}/guidelines/serp/v1/")

    assert_inert(page, page.get_by_test_id("sop"), dialogs)


def test_the_live_preview_renders_a_typed_hostile_body_inert(page, live_server, sign_in, owner, dialogs):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1)
    sign_in(owner)
    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")
    preview = page.get_by_role("region", name="Live preview")
    sop = preview.get_by_test_id("sop-preview")
    expect(sop).to_contain_text("Judge every result.")

    page.get_by_label("SOP text (Markdown)").fill(PAYLOAD)

    expect(sop).to_contain_text("Read the click rules and x too.")
    expect(page.locator("#preview")).to_have_attribute("data-state", "fresh")
    # The preview is swapped in after load: wait until the broken image has given up.
    sop.locator("img").evaluate(
        "image => image.complete || new Promise(done => image.addEventListener('error', done, { once: true }))"
    )
    assert_inert(page, sop, dialogs)
    assert page.url == f"{live_server.url}/guidelines/serp/v1/edit/"
    assert page.context.pages == [page]


def test_the_editor_renders_a_saved_hostile_draft_inert(page, live_server, sign_in, owner, dialogs):
    guideline = GuidelineFactory(owner=owner, slug="serp", name="SERP satisfaction")
    VersionFactory(guideline=guideline, number=1, body_markdown=PAYLOAD)
    sign_in(owner)

    page.goto(f"{live_server.url}/guidelines/serp/v1/edit/")

    assert_inert(page, page.get_by_test_id("sop-preview"), dialogs)
    # The textarea shows the payload as text for the author to fix.
    expect(page.get_by_label("SOP text (Markdown)")).to_have_value(PAYLOAD)


def test_the_dialog_watch_does_catch_an_alert(page, live_server, sign_in, owner, dialogs):
    # Guards the tests above: if the watch were broken, "no dialog" would prove nothing.
    sign_in(owner)

    page.evaluate("alert('control')")

    assert dialogs == ["control"]
