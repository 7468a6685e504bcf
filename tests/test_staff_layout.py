"""The staff screens fit a 360-pixel phone: only a wide table scrolls, inside its own box,
never the whole page (long names, addresses and file names wrap); a scrolled table shows a
shadow where more of it lies and keeps its caption in view."""

from __future__ import annotations

from datetime import date

import pytest

from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404
from tests.data.spreadsheets import csv_bytes
from tests.test_staff_accessibility import log_in

pytestmark = pytest.mark.browser

LONG_EMAIL = "bruno.lima@nucleodehematologiaeoncologiadoriograndedosul.example"
#: An export's name, one word longer than a phone's line.
LONG_FILENAME = "hospitals_excel_csv_semicolon_cp1252_registry_export.csv"
IMPORT_FILE = csv_bytes(
    [
        ["Marca temporal", "Nombre del consultorio", "Ciudad", "Interés en QOPI", "Consentimiento"],
        ["9/08/2021 12:23:46", "Clínica Miraflores", "Lima", "Muy interesado", "Sí"],
        ["10/08/2021 09:00:00", "Oncosalud", "Lima", "Algo interesado", "Sí"],
    ]
)  # fmt: skip


def import_to_preview(page, app_server: str) -> tuple[str, str]:
    """Uploads a file with a long name and goes through the wizard to its preview; the paths of
    step 2 (the columns) and of the preview."""
    page.goto(app_server + "/staff/data/import")
    page.set_input_files(
        "#file", {"name": LONG_FILENAME, "mimeType": "text/csv", "buffer": IMPORT_FILE}
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/columns")
    columns = page.url.removeprefix(app_server)
    page.select_option("#target_country", "fixed")
    page.select_option("#fixed_country", "PE")
    page.click("form.import-mapping button[type=submit]")
    page.wait_for_url("**/values")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/import/*")
    return columns, page.url.removeprefix(app_server)


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
def test_staff_pages_do_not_scroll_sideways_on_a_phone(
    app_server, browser, create_user, db, submit_response, locale
):
    response = submit_response(email=LONG_EMAIL, practice_name="Núcleo de Hematologia e Oncologia")
    pipeline.record_privacy_review(
        get_country_or_404("CO"),
        programs=["QOPI"],
        status="approved",
        applicable_law="Ley 1581 de 2012",
        counsel="Outside counsel",
        requested_on=date(2026, 10, 1),
        decided_on=date(2026, 11, 2),
    )
    user = create_user("staff")
    user.locale = locale
    db.session.commit()
    practice_id, email, password = response.practice_id, user.email, user.test_password
    db.session.close()  # the server thread writes the session row
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    log_in(page, app_server, email, password)
    import_columns, import_preview = import_to_preview(page, app_server)
    wide = {}
    for path in (
        "/staff/countries/CO",
        f"/staff/practices/{practice_id}",
        "/staff/search?q=nucleo",
        "/staff/responses?status=all",
        "/staff/dashboard/",
        import_columns,
        import_preview,
    ):
        page.goto(app_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide[path] = overflow
    context.close()
    assert wide == {}


#: Each caption inside a table's scrolling box, as far as it reaches past the box's right
#: edge (a caption as wide as its table is cut off on a phone); and whether the box paints
#: the scroll shadows (covers attached to the content, shadows to the box).
CAPTIONS_AND_SHADOWS = """() => [...document.querySelectorAll('.table-wrap')].map(wrap => {
  const box = wrap.getBoundingClientRect();
  const captions = [...wrap.querySelectorAll('caption:not(.visually-hidden)')];
  const past = captions.map(c => Math.round(c.getBoundingClientRect().right - box.right));
  const attachments = getComputedStyle(wrap).backgroundAttachment;
  return {past, shadows: attachments.includes('local') && attachments.includes('scroll')};
})"""


@pytest.mark.parametrize("locale", ["en", "pt_BR"])
def test_scrolled_tables_keep_their_captions_in_view_and_show_shadows(
    app_server, browser, create_user, db, submit_response, locale
):
    submit_response(practice_name="Centro Oncológico del Oriente")
    user = create_user("staff")
    user.locale = locale
    db.session.commit()
    email, password = user.email, user.test_password
    db.session.close()
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    log_in(page, app_server, email, password)
    page.goto(app_server + "/staff/countries/CO")
    boxes = page.evaluate(CAPTIONS_AND_SHADOWS)
    context.close()
    assert any(box["past"] for box in boxes)  # the page has captioned tables
    assert [box for box in boxes if any(p > 0 for p in box["past"])] == []
    assert all(box["shadows"] for box in boxes)


def test_the_import_preview_buttons_do_not_touch(app_server, browser, create_user, db):
    user = create_user("staff")
    email, password = user.email, user.test_password
    db.session.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, app_server, email, password)
    import_to_preview(page, app_server)
    save = page.locator("form.import-template button[type=submit]").bounding_box()
    discard = page.locator("form[action$='/discard'] button").bounding_box()
    context.close()
    assert discard["y"] - (save["y"] + save["height"]) >= 8
