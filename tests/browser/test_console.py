"""A rater works the console in the browser: keyboard first, no reloads, nothing lost, nothing unsafe."""

import copy
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evalconsole.demo import SBS_SCHEMA, SBS_SOP, SERP_SOP
from guidelines.schema import STARTER_SCHEMA, validate_schema
from projects.models import PoolResult
from raters import engine
from raters.models import Assignment, Judgment, RaterProfile, ResultAnswer, SensitiveReveal
from tests.browser.console_data import console_project, dress_results, serve_thumbnails
from tests.factories import GuidelineFactory, VersionFactory
from tests.raters.helpers_sbs import doc_ids, side_by_side_project

# serialized_rollback: the flush after each live-server test would otherwise drop the role groups.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# test-results/ is emptied by every pytest-playwright session; point this elsewhere to keep them.
SCREENSHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "test-results")
SCREENS = [(1366, 768), (1920, 1080)]


def save_screenshots(page, name):
    """The console as a laptop and a desktop show it, saved for a person to look at (test-results/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SCREENSHOTS / f"console-{name}-{width}x{height}.png")
    page.set_viewport_size(before)


@pytest.fixture
def version(owner):
    guideline = GuidelineFactory(owner=owner, slug="serp-satisfaction", name="SERP satisfaction")
    return VersionFactory(guideline=guideline, body_markdown=SERP_SOP, published=True)


@pytest.fixture
def sbs_version(owner):
    guideline = GuidelineFactory(owner=owner, slug="side-by-side", name="Side-by-side preference")
    return VersionFactory(guideline=guideline, schema=SBS_SCHEMA, body_markdown=SBS_SOP, published=True)


def qualify(rater, *versions):
    rater.rater_profile.qualifications.add(*(version.guideline for version in versions))
    return rater


@pytest.fixture
def open_console(page, live_server, sign_in):
    def open_as(rater, project):
        serve_thumbnails(page)
        sign_in(rater)
        page.goto(f"{live_server.url}/console/projects/{project.pk}/")
        expect(page.locator("#task, [data-testid=queue-empty], [data-testid=unavailable]")).to_be_visible()
        return page

    return open_as


def on_screen(page) -> int:
    """The assignment the console shows."""
    return int(page.locator("#task").get_attribute("data-assignment"))


def next_task_loaded(page, previous: int):
    expect(page.locator("#task")).not_to_have_attribute("data-assignment", str(previous))
    expect(page.locator("#console-status")).to_contain_text("Next task loaded.")


def tab_until(page, selector: str, limit: int = 12):
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def checked(page, name: str) -> str | None:
    chosen = page.locator(f"input[name='{name}']:checked")
    return chosen.get_attribute("value") if chosen.count() else None


# --- Keyboard, drafts, retries ------------------------------------------------------------


def test_a_rater_completes_three_tasks_by_keyboard_alone_without_a_page_reload(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=4, results=3)
    page = open_console(qualify(rater, version), project)
    # A full page load would wipe this; swapping in the next task must not.
    page.evaluate("window.sameDocument = 'yes'")
    typed = {}
    for n in range(3):
        expect(page.get_by_test_id("done-today")).to_have_text(str(n))
        assignment = on_screen(page)
        # The console starts on the first result: digits rate it, j moves on.
        expect(page.locator(".serp-result").first).to_be_focused()
        grades = [(n + i) % 5 for i in range(3)]
        for i, grade in enumerate(grades):
            if i:
                page.keyboard.press("j")
            page.keyboard.press(str(grade))
        page.keyboard.press("k")
        expect(page.locator(".serp-result").nth(1)).to_be_focused()
        page.keyboard.press("p")
        page.keyboard.press(str(5 - n))  # satisfaction
        page.keyboard.press("Tab")  # into the pain points
        page.keyboard.press("2")  # tick the second tag
        comment = ""
        if n < 2:
            tab_until(page, "textarea")
            comment = f"Task {n + 1}: the top results are old."
            page.keyboard.type(comment)
        if n == 0:
            save_screenshots(page, "graded-answered")
        if n == 0:
            page.keyboard.press("Control+Enter")  # submit from the comment box
        elif n == 1:
            page.keyboard.press("Escape")  # leave the box, then a plain Enter submits
            expect(page.locator("textarea")).not_to_be_focused()
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Enter")  # from the pain-point checkbox
        next_task_loaded(page, assignment)
        typed[assignment] = {"grades": grades, "satisfaction": 5 - n, "comment": comment}

    expect(page.get_by_test_id("done-today")).to_have_text("3")
    assert page.evaluate("window.sameDocument") == "yes"
    judgments = Judgment.objects.filter(rater=rater).order_by("pk")
    assert [judgment.assignment_id for judgment in judgments] == list(typed)
    for judgment in judgments:
        expected = typed[judgment.assignment_id]
        page_answers = {"satisfaction": expected["satisfaction"], "pain_points": ["outdated"]}
        if expected["comment"]:
            page_answers["comment"] = expected["comment"]
        assert judgment.page == page_answers
        assert judgment.cannot_judge == ""
        assert judgment.active_ms > 0
        grades = ResultAnswer.objects.filter(judgment=judgment, question="relevance").order_by("doc_id")
        assert [answer.value for answer in grades] == expected["grades"]


def test_a_reload_mid_task_keeps_the_draft_and_the_same_assignment(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=2, results=2)
    page = open_console(qualify(rater, version), project)
    assignment = on_screen(page)
    page.keyboard.press("3")
    page.keyboard.press("j")
    page.keyboard.press("1")
    page.keyboard.press("p")
    page.keyboard.press("4")
    save_screenshots(page, "graded-page-question-focused")
    tab_until(page, "textarea")
    page.keyboard.type("Half done, then the power went.")
    submission_id = page.evaluate(f"JSON.parse(localStorage.getItem('evalconsole:draft:{assignment}')).submission_id")

    page.reload()

    expect(page.locator("#task")).to_have_attribute("data-assignment", str(assignment))
    expect(page.locator("#console-status")).to_have_text("Your unsent answers for this task were restored.")
    assert [checked(page, "r1-relevance"), checked(page, "r2-relevance"), checked(page, "page-satisfaction")] == [
        "3",
        "1",
        "4",
    ]
    expect(page.locator("textarea")).to_have_value("Half done, then the power went.")
    assert Assignment.objects.filter(rater=rater).count() == 1

    page.keyboard.press("Enter")
    next_task_loaded(page, assignment)
    judgment = Judgment.objects.get(assignment_id=assignment)
    assert str(judgment.submission_id) == submission_id
    assert judgment.page == {"satisfaction": 4, "comment": "Half done, then the power went."}
    grades = ResultAnswer.objects.filter(judgment=judgment).order_by("doc_id").values_list("value", flat=True)
    assert list(grades) == [3, 1]


def test_a_submit_whose_answer_was_lost_is_sent_again_with_the_same_id_and_makes_one_judgment(
    open_console, rater, owner, version
):
    project = console_project(owner=owner, version=version, tasks=2, results=1)
    page = open_console(qualify(rater, version), project)
    sent = []

    def lose_the_first_answer(route):
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fetch()  # the server stores the judgment...
            route.abort("connectionreset")  # ...and its answer never reaches the browser
        else:
            route.continue_()

    page.route("**/api/v1/assignments/*/submit/", lose_the_first_answer)
    assignment = on_screen(page)
    page.keyboard.press("2")
    page.keyboard.press("p")
    page.keyboard.press("3")
    page.keyboard.press("Enter")

    next_task_loaded(page, assignment)
    assert len(sent) == 2
    assert sent[0]["submission_id"] == sent[1]["submission_id"]
    judgment = Judgment.objects.get(rater=rater)
    assert (judgment.assignment_id, str(judgment.submission_id)) == (assignment, sent[0]["submission_id"])
    assert judgment.page == {"satisfaction": 3}


def test_a_refused_submission_says_what_to_fix_in_the_raters_words_and_keeps_the_task(
    open_console, rater, owner, version
):
    project = console_project(owner=owner, version=version, tasks=2, results=2)
    page = open_console(qualify(rater, version), project)
    assignment = on_screen(page)
    page.keyboard.press("3")  # the first result only; the page not at all

    page.keyboard.press("Enter")

    errors = page.get_by_test_id("task-errors")
    expect(errors).to_contain_text("Not sent yet. Please fix:")
    expect(errors.locator("li")).to_have_text(["Overall satisfaction: is required", "Result 2: is not rated"])
    expect(page.locator(".serp-result").nth(1)).to_have_class(re.compile(r"\binvalid\b"))
    expect(page.locator("input[name=page-satisfaction]").first).to_be_focused()
    assert on_screen(page) == assignment
    assert not Judgment.objects.exists()

    page.keyboard.press("4")
    page.keyboard.press("j")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    next_task_loaded(page, assignment)
    assert Judgment.objects.get(assignment_id=assignment).page == {"satisfaction": 4}


def test_a_lease_that_ran_out_on_screen_is_said_and_the_next_task_is_one_key_away(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=2, results=1)
    page = open_console(qualify(rater, version), project)
    assignment = on_screen(page)
    page.keyboard.press("2")
    page.keyboard.press("p")
    page.keyboard.press("4")
    Assignment.objects.filter(pk=assignment).update(expires_at=timezone.now() - timedelta(seconds=1))

    page.keyboard.press("Enter")

    expect(page.get_by_test_id("task-errors")).to_contain_text("Your lease on this task ended at")
    take_next = page.get_by_role("button", name="Take the next task")
    expect(take_next).to_be_focused()
    assert page.evaluate(f"localStorage.getItem('evalconsole:draft:{assignment}')") is None
    page.keyboard.press("Enter")
    next_task_loaded(page, assignment)
    assert not Judgment.objects.exists()
    assert Assignment.objects.get(pk=assignment).status == Assignment.Status.EXPIRED


def test_s_skips_the_task_and_an_empty_queue_says_so(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=1, results=2)
    page = open_console(qualify(rater, version), project)
    assignment = on_screen(page)
    page.keyboard.press("3")

    page.keyboard.press("s")

    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing left here for you")).to_be_focused()
    expect(page.locator("#console-status")).to_have_text("Skipped. Nothing left in this project for you.")
    assert Assignment.objects.get(pk=assignment).status == Assignment.Status.SKIPPED
    assert not Judgment.objects.exists()
    assert page.evaluate(f"localStorage.getItem('evalconsole:draft:{assignment}')") is None
    save_screenshots(page, "queue-empty")


def test_reaching_the_daily_quota_is_said_in_place_of_the_next_task(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=3, results=1)
    RaterProfile.objects.filter(user=qualify(rater, version)).update(daily_quota=1)
    page = open_console(rater, project)
    expect(page.get_by_test_id("quota-left")).to_have_text("1")
    page.keyboard.press("2")
    page.keyboard.press("p")
    page.keyboard.press("4")
    page.keyboard.press("Enter")

    unavailable = page.get_by_test_id("unavailable")
    expect(unavailable).to_contain_text("You have reached today's quota of 1 task.")
    expect(page.locator("#task")).to_have_count(0)
    assert Judgment.objects.filter(rater=rater).count() == 1
    assert Assignment.objects.filter(rater=rater).count() == 1


def test_question_mark_lists_every_shortcut_and_escape_closes_the_list(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=1, results=2)
    page = open_console(qualify(rater, version), project)
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_hidden()

    page.keyboard.press("?")

    expect(shortcuts).to_be_visible()
    save_screenshots(page, "shortcuts")
    keys = set(shortcuts.locator("kbd").all_text_contents())
    assert {"0", "9", "j", "k", "p", "r", "g", "Enter", "Ctrl", "s", "Esc", "Tab", "Shift", "?"} <= keys
    # While the list is open, keys do not rate behind it.
    page.keyboard.press("3")
    assert checked(page, "r1-relevance") is None
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    page.keyboard.press("3")
    assert checked(page, "r1-relevance") == "3"

    # g folds the guideline away for more room, and back.
    guideline = page.get_by_test_id("sop")
    expect(guideline).to_be_visible()
    page.keyboard.press("g")
    expect(guideline).to_be_hidden()
    save_screenshots(page, "guideline-folded")
    page.keyboard.press("g")
    expect(guideline).to_be_visible()


def test_active_time_stops_while_the_tab_is_hidden(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=2, results=1)
    started = time.monotonic()
    page = open_console(qualify(rater, version), project)
    assignment = on_screen(page)
    page.keyboard.press("2")
    page.keyboard.press("p")
    page.keyboard.press("4")
    # Headless Chromium has no other tab to switch to: tell the page it was hidden, as the browser would.
    set_hidden = """hidden => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
        const state = hidden ? 'hidden' : 'visible';
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(set_hidden, True)
    page.wait_for_timeout(3000)
    page.evaluate(set_hidden, False)
    page.keyboard.press("Enter")
    next_task_loaded(page, assignment)
    elapsed_ms = (time.monotonic() - started) * 1000

    judgment = Judgment.objects.get(assignment_id=assignment)
    assert 0 < judgment.active_ms <= elapsed_ms - 2900


# --- Sensitive results, side by side, untrusted text -----------------------------------------


def test_a_sensitive_result_stays_blurred_until_revealed_and_the_reveal_is_logged(open_console, rater, owner, version):
    project = console_project(owner=owner, version=version, tasks=1, results=3, sensitive=(2,))
    page = open_console(qualify(rater, version), project)
    assignment = on_screen(page)
    sensitive = page.locator(".serp-result").nth(1)
    title = "Carbonara without cream — chef explains every step"

    for part in (sensitive.locator(".serp-text"), sensitive.locator(".thumb")):
        assert re.match(r"blur\([1-9]\d*px\)", part.evaluate("el => getComputedStyle(el).filter"))
    save_screenshots(page, "graded-sensitive")
    # Nor can a keyboard or screen reader reach what is hidden from the eye.
    expect(sensitive.get_by_role("link", name=title)).to_have_count(0)
    expect(sensitive.get_by_role("button", name="Show sensitive result")).to_be_visible()
    page.keyboard.press("r")  # on the first result, which is not sensitive: nothing happens
    page.wait_for_timeout(300)
    assert not SensitiveReveal.objects.exists()

    page.keyboard.press("j")
    with page.expect_response("**/reveal/") as logged:
        page.keyboard.press("r")
    assert logged.value.status == 201

    expect(sensitive).to_have_class(re.compile(r"\brevealed\b"))
    assert sensitive.locator(".serp-text").evaluate("el => getComputedStyle(el).filter") == "none"
    expect(sensitive.get_by_role("link", name=title)).to_be_visible()
    expect(sensitive).to_be_focused()
    reveal = SensitiveReveal.objects.get()
    assert (reveal.assignment_id, reveal.doc_id) == (assignment, "q-0-v-2")


@pytest.mark.parametrize("swapped", [True, False], ids=["second-variant-left", "first-variant-left"])
def test_a_side_by_side_task_records_which_side_was_which_and_stores_the_preference_derandomised(
    open_console, rater, owner, sbs_version, swapped
):
    project = side_by_side_project(owner=owner, version=sbs_version, tasks=2)
    dress_results(project)
    qualify(rater, sbs_version)
    # Which page goes left is the engine's coin toss; fix it here so both ways are tested.
    leased = engine.lease_next(rater=rater, project=project)
    Assignment.objects.filter(pk=leased.pk).update(swapped=swapped)
    first, second = doc_ids(leased.task.serp), doc_ids(leased.task.serp_b)

    page = open_console(rater, project)
    assert on_screen(page) == leased.pk
    left, right = page.locator(".task-page[data-side=left]"), page.locator(".task-page[data-side=right]")
    expect(page.get_by_test_id("side-left")).to_have_text("Left")
    shown_left = [doc for doc in left.locator(".serp-result").evaluate_all("els => els.map(e => e.dataset.doc)")]
    shown_right = [doc for doc in right.locator(".serp-result").evaluate_all("els => els.map(e => e.dataset.doc)")]
    assert (shown_left, shown_right) == ((second, first) if swapped else (first, second))
    # The rater must not learn which ranking is which.
    for name in ("baseline", "experiment"):
        expect(page.locator("#task")).not_to_contain_text(name)
    if swapped:
        save_screenshots(page, "side-by-side")

    if swapped:
        page.get_by_label("Left much better").check()
        page.get_by_role("button", name="Submit").click()
    else:
        # By keyboard: no result is rated one by one here, so digits answer the preference by position.
        page.keyboard.press("1")
        expect(page.get_by_label("Left much better")).to_be_checked()
        page.keyboard.press("Enter")
    next_task_loaded(page, leased.pk)

    judgment = Judgment.objects.get(assignment_id=leased.pk)
    assert Assignment.objects.get(pk=leased.pk).swapped is swapped
    # -3 means "the first variant much better": the left page was the second variant when swapped.
    assert judgment.page["preference"] == (3 if swapped else -3)


def test_long_pool_text_wraps_inside_its_card_on_a_laptop_and_a_desktop(open_console, rater, owner, guideline):
    schema = copy.deepcopy(STARTER_SCHEMA)
    schema["result_questions"].append({"key": "spam", "label": "Spam or scam", "type": "boolean"})
    assert validate_schema(schema) == []
    version = VersionFactory(guideline=guideline, schema=schema, body_markdown=SERP_SOP, published=True)
    project = console_project(
        owner=owner, version=version, tasks=1, results=4, serp_fields={"query": "carbonara " * 90},
        title="Carbonara" * 55, snippet="Guanciale, pecorino, eggs. " * 70,
        url="https://videos.example/" + "watch" * 400, media_type="live stream replay",
    )  # fmt: skip
    page = open_console(qualify(rater, version), project)

    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        phone = page.locator(".phone").bounding_box()
        for card in page.locator(".serp-result").all():
            box = card.bounding_box()
            assert phone["x"] <= box["x"] and box["x"] + box["width"] <= phone["x"] + phone["width"]
    save_screenshots(page, "long-text")


XSS = {
    "query": '<script>alert("query")</script>',
    "title": '<img src=x onerror=alert("title")>',
    "snippet": '"><svg onload=alert("snippet")>',
    "media_type": "<b onmouseover=alert(1)>",
    "thumbnail_url": "https://thumbs.example/t.png\" onerror=\"alert('thumb')",
}
BAD_URLS = [
    "javascript:alert('url')",
    " JavaScript:alert('url')",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/",
]


def test_pool_text_holding_scripts_renders_as_text_and_links_are_http_only(
    open_console, rater, owner, version, dialogs
):
    project = console_project(
        owner=owner, version=version, tasks=2, results=5, serp_fields={"query": XSS["query"]},
        **{key: value for key, value in XSS.items() if key != "query"},
    )  # fmt: skip
    for rank, url in enumerate(BAD_URLS, start=2):
        PoolResult.objects.filter(serp__project=project, rank=rank).update(url=url)
    page = open_console(qualify(rater, version), project)

    for n in range(2):  # the first page as served, the second as swapped in by console.js
        task = page.locator("#task")
        expect(page.get_by_test_id("serp-query")).to_have_text(XSS["query"])
        expect(task.locator(".serp-title").first).to_have_text(XSS["title"])
        expect(task.locator(".serp-snippet").first).to_have_text(XSS["snippet"])
        expect(task.locator(".serp-host").first).to_contain_text(XSS["media_type"])
        expect(task.locator("script, svg, img[src=x], b")).to_have_count(0)
        for image in task.locator("img").all():
            assert image.get_attribute("onerror") is None
        links = task.locator("a")
        expect(links).to_have_count(1)  # only the first result's URL is http(s)
        for link in links.all():
            assert re.match(r"https?://", link.get_attribute("href"))
            assert link.get_attribute("rel") == "noopener noreferrer"
        for _ in range(5):
            page.keyboard.press("2")
            page.keyboard.press("j")
        task.hover()
        if n == 0:
            assignment = on_screen(page)
            page.keyboard.press("p")
            page.keyboard.press("3")
            page.keyboard.press("Enter")
            next_task_loaded(page, assignment)

    assert dialogs == []
    assert Judgment.objects.filter(rater=rater).count() == 1
