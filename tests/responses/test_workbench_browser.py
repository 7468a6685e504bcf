"""The staff workbench in Chromium: the header search reached and used with the keyboard alone,
triage opening the next response of the same list, and every new page passing axe (WCAG 2.1 AA)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.responses.helpers import T0, eligible_answers, submit_response
from tests.test_staff_accessibility import log_in, violations

pytestmark = pytest.mark.browser


@pytest.fixture
def workbench(db, create_user):
    """A staff account, a suggested duplicate pair, a likely-spam response and three new
    Colombian responses; the test's transaction ended so the browser can write."""
    user = create_user("staff")
    user.name = "Inés Duarte"
    first = eligible_answers(
        1, name="Ángela Núñez", practice_name="Clínica Santa María", email="a@csm.example"
    )
    submit_response(db, first)
    second = eligible_answers(2, practice_name="Clín. Sta. María", email="b@csm.example",
                              city="Cali")  # fmt: skip
    submit_response(db, second, at=T0 + timedelta(hours=2))
    submit_response(db, eligible_answers(3, practice_name="Pills www.cheap.example"),
                    at=T0 + timedelta(hours=1))  # fmt: skip
    db.session.commit()
    email, password = user.email, user.test_password
    db.session.close()
    return email, password


def test_the_header_search_is_reached_and_used_with_the_keyboard(app_server, browser_page,
                                                                   workbench):  # fmt: skip
    page = browser_page
    log_in(page, app_server, *workbench)
    page.goto(app_server + "/staff/tasks")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "header-search-q":
            break
    assert page.evaluate("document.activeElement.id") == "header-search-q"
    page.keyboard.type("nunez")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/search?q=nunez")
    assert page.inner_html("#results-contacts + ul").count("<mark>Núñez</mark>") == 1
    assert violations(page) == []


def test_triage_opens_the_next_response_of_the_list_in_the_page(app_server, browser_page,
                                                                 workbench):  # fmt: skip
    page = browser_page
    log_in(page, app_server, *workbench)
    page.goto(app_server + "/staff/responses?country=CO&sort=-submitted")
    assert violations(page) == []
    names = page.eval_on_selector_all(
        "tbody tr td:nth-child(3) > a", "s => s.map(a => a.textContent)"
    )
    assert names[:2] == ["Clín. Sta. María", "Pills www.cheap.example"]
    page.click("text=Clín. Sta. María")
    assert violations(page) == []
    page.click("button:has-text('Keep as a separate practice')")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Response from Pills www.cheap.example"
    assert "list=country%3DCO" in page.url
    assert "Likely spam" in page.inner_text("main")


def test_triage_from_the_plain_inbox_opens_the_next_response(app_server, browser_page,
                                                              workbench):  # fmt: skip
    page = browser_page
    log_in(page, app_server, *workbench)
    page.goto(app_server + "/staff/responses")
    page.click("text=Pills www.cheap.example")
    page.wait_for_load_state()
    assert "After each choice the next response of this list opens." in page.inner_text("main")
    page.click("button:has-text('Confirm as its own practice')")
    page.wait_for_load_state()
    # The next of the default list (new, newest first): the oldest response.
    assert page.inner_text("h1") == "Response from Clínica Santa María"
    assert "list=status%3Dnew" in page.url


@pytest.mark.parametrize(
    "path",
    ["/staff/practices/duplicates?country=CO", "/staff/tasks?owner=anyone",
     "/staff/practices", "/staff/countries/"],
)  # fmt: skip
def test_the_new_pages_pass_axe(app_server, browser_page, workbench, path):
    page = browser_page
    log_in(page, app_server, *workbench)
    page.goto(app_server + path)
    assert violations(page) == []


def _tab_to(page, name: str, presses: int = 120) -> None:
    """Press Tab until the focused element's text or id is ``name``; fails otherwise."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.innerText, document.activeElement.id]")
        if name in ((focused[0] or "").strip(), focused[1]):
            return
    raise AssertionError(f"{name!r} is not reached with Tab")


def test_fifty_responses_marked_spam_in_one_action_with_the_keyboard_alone(
    app_server, browser_page, db, create_user
):
    from sqlalchemy import select

    from crm.audit.models import AuditEvent
    from crm.responses.models import SurveyResponse

    user = create_user("staff")
    for n in range(50):
        submit_response(db, eligible_answers(n), at=T0 + timedelta(minutes=n))
    submit_response(db, eligible_answers(99, country="PE"))
    db.session.commit()
    email, password = user.email, user.test_password
    db.session.close()

    page = browser_page
    log_in(page, app_server, email, password)
    page.goto(app_server + "/staff/responses?country=CO")
    _tab_to(page, "Select every response on this page")
    page.keyboard.press("Enter")
    page.wait_for_url("**select=page**")
    assert page.locator("tbody input[type=checkbox]:checked").count() == 50
    assert violations(page) == []
    _tab_to(page, "action")
    while page.evaluate("document.activeElement.value") != "spam":
        page.keyboard.press("ArrowDown")
    _tab_to(page, "Apply to the selected")
    with page.expect_navigation():  # waits for the answer to the post, however slow
        page.keyboard.press("Enter")
    assert "50 responses changed." in page.inner_text("main")
    assert "select=page" not in page.url
    assert "country=CO" in page.url

    statuses = db.session.execute(
        select(SurveyResponse.country_code, SurveyResponse.triage_status)
    ).all()  # fmt: skip
    assert sorted(set(statuses)) == [("CO", "spam"), ("PE", "new")]
    spam = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.spam"))
    assert len(spam.all()) == 50


#: Numbers of the response page in each language (the answers' 1200 and 1000 as readers write).
NUMBERS = {"en": ("1,200", "1,000"), "es": ("1.200", "1.000"), "pt_BR": ("1.200", "1.000")}
#: The selected option's own width beside the select's: the select is cut when narrower.
SELECT_CUT = """s => {
  const probe = s.cloneNode(false);
  probe.appendChild(s.options[s.selectedIndex].cloneNode(true));
  probe.style.width = 'auto'; probe.style.maxWidth = 'none'; probe.style.minWidth = '0';
  probe.style.position = 'absolute';
  document.body.appendChild(probe);
  const natural = probe.getBoundingClientRect().width;
  probe.remove();
  return natural - s.getBoundingClientRect().width;
}"""
BOX = "e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }"


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
def test_the_inbox_and_a_response_read_well_on_a_phone(app_server, browser, db, create_user,
                                                       locale, tmp_path):  # fmt: skip
    user = create_user("staff")
    user.locale = locale
    answers = eligible_answers(1, new_patients_per_year=1200, oncologists_count=1000)
    response_id = submit_response(db, answers).id
    db.session.commit()
    email, password = user.email, user.test_password
    db.session.close()
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    log_in(page, app_server, email, password)
    page.goto(app_server + "/staff/responses")
    for width in (360, 480):  # one column of filters, then two
        page.set_viewport_size({"width": width, "height": 780})
        page.screenshot(path=str(tmp_path / f"inbox-{locale}-{width}.png"), full_page=True)
        assert page.eval_on_selector("#assigned", SELECT_CUT) <= 0, width  # not "… ningué"
        assert page.eval_on_selector("#suggested", BOX) == page.eval_on_selector(
            "#likely_spam", BOX)  # fmt: skip
    page.goto(app_server + f"/staff/responses/{response_id}")
    answers_text = page.inner_text("table.answers")
    context.close()
    for number in NUMBERS[locale]:
        assert number in answers_text


def test_a_merge_from_the_scan_is_confirmed_first_without_javascript(app_server, browser,
                                                                     workbench, db):  # fmt: skip
    from sqlalchemy import func, select

    from crm.audit.models import AuditEvent

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, app_server, *workbench)
    page.goto(app_server + "/staff/practices/duplicates?country=CO")
    page.click("button:has-text('Merge, keeping Clínica Santa María')")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Merge Clín. Sta. María into Clínica Santa María?"
    page.click("text=Cancel")
    page.wait_for_load_state()
    assert "/staff/practices/duplicates?country=CO" in page.url
    page.click("button:has-text('Merge, keeping Clínica Santa María')")
    page.click("button:has-text('Confirm the merge')")
    page.wait_for_load_state()
    assert page.inner_text("h1").startswith("Clínica Santa María")
    context.close()
    merges = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "practice.merge")  # fmt: skip
    assert db.session.scalar(merges) == 1
