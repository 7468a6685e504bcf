"""The import wizard in Chromium (docs/domain.md#imports): a Google Forms file without a country
column gets past the mapping with "every row is from Peru", is checked, imported, saved as a
template and undone; every page passes axe (WCAG 2.1 AA) in English and Spanish."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.data.spreadsheets import csv_bytes

pytestmark = pytest.mark.browser

LONG = (
    "Según tu forma de ser ¿Cuál de las siguientes frases describe mejor tu forma de ser y pensar?"
)
FILE = csv_bytes(
    [
        ["Marca temporal", "Nombre del consultorio", "Número de miembros de ASCO",
         "¿Su personal puede leer y entender inglés?", "Interés en QOPI", "Consentimiento",
         f"{LONG} [Soy reservado]", f"{LONG} [Soy sociable]"],
        ["9/08/2021 12:23:46", "Clínica Miraflores", "cerca de 4", "Sí", "Muy interesado", "Sí",
         "1", "0"],
        ["10/08/2021 09:00:00", "Oncosalud", "no sabe", "Sí", "Algo interesado", "Sí", "0", "1"],
    ]
)  # fmt: skip


def violations(page) -> list[tuple[str, list]]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_import_wizard_from_upload_to_undo_passes_axe(
    app_server, browser_page, create_user, db, language
):
    from crm.responses.models import SurveyResponse

    user = create_user("staff")
    email, password = user.email, user.test_password
    db.session.close()
    page = browser_page
    page.goto(app_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click(".staff-form button[type=submit]")
    page.wait_for_url("**/staff/**")
    page.goto(f"{app_server}/language/{language}")
    found = {}

    page.goto(app_server + "/staff/data/import")
    found["upload"] = violations(page)
    page.set_input_files(
        "#file", {"name": "formulario.csv", "mimeType": "text/csv", "buffer": FILE}
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/columns")
    found["columns"] = violations(page)
    # Each choice keeps the end that tells two long headings apart.
    labels = page.locator("#target_practice_name option").all_inner_texts()
    assert any(label.endswith("[Soy reservado]") for label in labels)
    assert page.locator("#language").input_value() == "es"
    page.select_option("#target_country", "fixed")
    page.select_option("#fixed_country", "PE")
    page.click("form.import-mapping button[type=submit]")
    page.wait_for_url("**/values")
    found["values"] = violations(page)
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/import/*")
    found["preview"] = violations(page)
    page.click("form.import-commit button[type=submit]")
    page.wait_for_url("**/import/*")
    found["committed"] = violations(page)
    db.session.close()
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 2
    db.session.close()
    page.click("form[action$='/undo'] button")
    page.wait_for_url("**/import/*")
    found["undone"] = violations(page)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    db.session.close()
    assert {step: v for step, v in found.items() if v} == {}
