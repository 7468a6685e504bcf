"""Import and export screens (blueprint ``data``): upload → columns → answers → preview →
commit with the test client, bad files, permissions, and exports that carry the list's filters."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from flask.testing import EnvironBuilder
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.data.models import ImportBatch
from crm.responses.intake import intake_response
from crm.responses.models import Contact, Practice, SurveyResponse
from tests.data.spreadsheets import (
    BAD_FILES,
    GOOD_ROW,
    changed_row,
    csv_bytes,
    legacy_rows,
)


@pytest.fixture
def staff(client, create_user, login):
    login(create_user("staff"))
    return client


@pytest.fixture
def viewer(client, create_user, login):
    login(create_user("viewer"))
    return client


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (ImportBatch, SurveyResponse, Practice, Contact)
    }


def upload(client, content: bytes, name: str = "legacy.csv", **fields):
    # The request body is closed afterwards: werkzeug spools a large one to a temporary file
    # that stays open when the app refuses the request unread (413).
    builder = EnvironBuilder(
        client.application,
        "/staff/data/import",
        method="POST",
        data={"file": (io.BytesIO(content), name), "header_rows": "auto", **fields},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def text(response) -> str:
    return response.get_data(as_text=True)


def selected_options(html: str) -> dict[str, str]:
    """Each select's name → its selected value, as the browser would post it."""
    found = {}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def test_upload_to_commit(staff, db):
    content = csv_bytes(legacy_rows(GOOD_ROW, changed_row(Country="Narnia", Email="b@x.example")))
    response = upload(staff, content)
    assert response.status_code == 303
    columns_url = response.headers["Location"]

    columns_page = staff.get(columns_url)
    assert "Read as CSV, text encoding UTF-8, separator “,”." in text(columns_page)
    response = staff.post(columns_url, data=selected_options(text(columns_page)))
    assert response.status_code == 303
    values_url = response.headers["Location"]
    assert values_url.endswith("/values")

    values_page = staff.get(values_url)
    assert "Muito interessado" in text(values_page)
    response = staff.post(values_url, data=selected_options(text(values_page)))
    preview_url = response.headers["Location"]

    preview = text(staff.get(preview_url))
    assert "Country: “Narnia” is not a country code or name we recognise." in preview
    assert counts(db)["SurveyResponse"] == 0

    # The list of imports says how many rows are ready, not "ready to import" for a file
    # whose rows all have errors.
    assert "Rows checked: 1 ready to import, 1 with errors" in text(staff.get("/staff/data/"))
    staff.get("/language/es?next=/staff/")
    spanish = text(staff.get("/staff/data/"))
    assert "Filas revisadas: 1 lista para importar, 1 con errores" in spanish
    staff.get("/language/en?next=/staff/")

    refused = staff.post(f"{preview_url}/commit", data={}, follow_redirects=True)
    assert "1 of 2 rows have errors. Nothing was stored" in text(refused)
    assert counts(db)["SurveyResponse"] == 0

    done = staff.post(f"{preview_url}/commit", data={"skip_invalid": "y"}, follow_redirects=True)
    assert "Imported 1 response." in text(done)
    assert counts(db) | {"SurveyResponse": 1, "Practice": 1, "Contact": 1} == counts(db)


def test_columns_page_preselects_the_suggestions(staff, db):
    response = upload(staff, csv_bytes(legacy_rows(GOOD_ROW)))
    chosen = selected_options(text(staff.get(response.headers["Location"])))
    assert (chosen["target_practice_name"], chosen["target_email"], chosen["target_role"]) == (
        "0",
        "4",
        "",
    )


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_gets_its_message_and_changes_nothing(staff, db, name):
    content, message = BAD_FILES[name]
    before = counts(db)
    response = upload(staff, content)
    assert response.status_code == 422
    assert message in text(response)
    assert counts(db) == before


def test_no_file_chosen(staff):
    response = staff.post("/staff/data/import", data={"header_rows": "auto"})
    assert response.status_code == 422
    assert "Choose a file to upload." in text(response)


def test_a_file_over_the_size_limit_gets_the_upload_form_with_the_limit(app, staff, db):
    app.config["IMPORT_MAX_BYTES"] = 2 * 1024 * 1024
    before = counts(db)
    response = upload(staff, b"a,b\n" + b"1,2\n" * 700_000)
    assert response.status_code == 413
    assert "The file is larger than the largest file accepted, 2 MB." in text(response)
    assert counts(db) == before


def test_a_file_over_the_size_limit_with_csrf_on(app, staff):
    # CSRFProtect reads the form before the view: the 413 comes from there.
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024, WTF_CSRF_ENABLED=True)
    response = upload(staff, b"x" * 2 * 1024 * 1024)
    assert response.status_code == 413
    assert "largest file accepted" in text(response)


def test_wrong_columns_are_said_and_the_mapping_needs_the_required_ones(staff, db):
    response = upload(staff, csv_bytes([["Fruit", "Colour"], ["apple", "red"]]))
    columns_url = response.headers["Location"]
    page = text(staff.get(columns_url))
    assert "No column looks like a practice name or a country." in page
    response = staff.post(columns_url, data={"language": "en", "date_order": "auto"})
    assert response.status_code == 422
    assert (
        "Choose the column that holds this answer, or give the same value for every row: "
        "it is required." in text(response)
    )
    assert counts(db)["SurveyResponse"] == 0


def test_a_mapping_without_consent_is_said_at_the_columns_step(staff, db):
    # Before, step 2 took it and the preview then refused every row for want of consent.
    response = upload(staff, csv_bytes([["Practice", "Country"], ["Clínica Sol", "Peru"]]))
    columns_url = response.headers["Location"]
    data = selected_options(text(staff.get(columns_url)))
    assert not data.get("target_consent")
    response = staff.post(columns_url, data=data)
    assert response.status_code == 422
    page = text(response)
    assert "Choose the column that holds the consent to the privacy notice" in page
    assert selected_options(page)["target_country"] == data["target_country"]  # choices kept
    stated_outside = {"target_consent": "fixed", "fixed_consent": "yes"}
    stated = staff.post(columns_url, data=data | stated_outside)
    assert stated.status_code == 303


def test_one_column_for_two_answers_is_refused(staff):
    response = upload(staff, csv_bytes(legacy_rows(GOOD_ROW)))
    columns_url = response.headers["Location"]
    data = selected_options(text(staff.get(columns_url))) | {"target_city": "0"}
    response = staff.post(columns_url, data=data)
    assert response.status_code == 422
    assert "This column is already chosen for “Practice name”." in text(response)


def test_preview_speaks_the_users_language(staff, db):
    content = csv_bytes(legacy_rows(changed_row(**{"Practice name": ""})))
    columns_url = upload(staff, content).headers["Location"]
    staff.post(columns_url, data=selected_options(text(staff.get(columns_url))))
    batch = db.session.scalar(select(ImportBatch))
    staff.post(f"/staff/data/import/{batch.id}/values", data={"value_interest_qopi_0": "very"})
    staff.get("/language/es")
    page = text(staff.get(f"/staff/data/import/{batch.id}"))
    assert "Nombre del centro: falta el dato." in page


def test_discard_deletes_the_upload(staff, db):
    columns_url = upload(staff, csv_bytes(legacy_rows(GOOD_ROW))).headers["Location"]
    batch_id = int(columns_url.split("/")[-2])
    response = staff.post(f"/staff/data/import/{batch_id}/discard")
    assert response.status_code == 303
    assert db.session.get(ImportBatch, batch_id) is None


def test_unknown_import_is_404(staff):
    assert staff.get("/staff/data/import/999").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/staff/data/",
        "/staff/data/import",
        "/staff/data/export/responses",
        "/staff/data/export/responses.csv",
        "/staff/data/export/practices.xlsx",
    ],
)
def test_viewers_cannot_reach_personal_data(viewer, url):
    assert viewer.get(url).status_code == 403


@pytest.mark.parametrize(
    "query", ["to=9999-12-31", "from=0001-01-01", "from=2026-01-01&to=9999-12-31"]
)
def test_export_dates_outside_the_calendar_are_refused_not_failed(staff, query):
    page = staff.get(f"/staff/data/export/responses?{query}")
    assert page.status_code == 200
    assert "Enter a date between" in page.get_data(as_text=True)
    download = staff.get(f"/staff/data/export/responses.csv?{query}&labels=codes")
    assert download.status_code == 200
    assert download.get_data().startswith(b"\xef\xbb\xbfresponse_id")


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/staff/data/export/responses.csv")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def add_response(db, country: str, language: str = "es") -> None:
    intake_response(
        {
            "practice_name": f"Clínica {uuid.uuid4().hex[:6]}",
            "country": country,
            "name": "Ana",
            "email": f"{uuid.uuid4().hex[:6]}@x.example",
            "comments": "=1+1",
        },
        language=language,
        submission_token=uuid.uuid4().hex,
        consent_at=datetime(2026, 11, 1, tzinfo=UTC),
        privacy_notice_version="2026-11",
    )
    db.session.commit()


def test_csv_export_download(staff, db):
    add_response(db, "BR")
    with staff.get("/staff/data/export/responses.csv?country=BR&labels=codes") as response:
        body = response.get_data()
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="responses-')
    assert body.startswith(b"\xef\xbb\xbfresponse_id,")
    assert b"'=1+1" in body


def test_export_carries_the_filters(staff, db):
    add_response(db, "BR")
    add_response(db, "AR")
    with staff.get("/staff/data/export/responses.csv?country=AR&status=new&labels=codes") as r:
        lines = r.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2
    assert ",AR," in lines[1]


def test_export_without_a_status_shows_new_responses_as_the_list_does(staff, db):
    add_response(db, "BR")
    db.session.scalar(select(SurveyResponse)).triage_status = "spam"
    db.session.commit()
    with staff.get("/staff/data/export/responses.csv") as response:
        assert len(response.get_data(as_text=True).strip().splitlines()) == 1
    with staff.get("/staff/data/export/responses.csv?status=all") as response:
        assert len(response.get_data(as_text=True).strip().splitlines()) == 2


def test_each_export_of_personal_data_is_audited(staff, db):
    add_response(db, "AR")
    with staff.get("/staff/data/export/responses.xlsx?country=AR&language=es") as response:
        response.get_data()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.responses"))
    assert event.changes == {
        "format": [None, "xlsx"],
        "filters": [None, {"status": "new", "country": "AR", "language": "es", "labels": "en"}],
        "rows": [None, 1],
    }
    assert event.country_code == "AR"


def test_xlsx_export_download_opens(staff, db):
    add_response(db, "BR")
    with staff.get("/staff/data/export/practices.xlsx") as response:
        workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert workbook.active.max_row == 2


def test_export_page_links_carry_the_filters(staff, db):
    page = text(staff.get("/staff/data/export/responses?status=spam&country=BR&junk=1"))
    link = "status=spam&amp;country=BR&amp;labels=en"
    assert f'href="/staff/data/export/responses.csv?{link}"' in page
    assert f'href="/staff/data/export/responses.xlsx?{link}"' in page


def test_practice_export_links_carry_the_list_filters(staff, db):
    page = text(staff.get("/staff/data/export/practices?q=san+jose&program=QOPI"))
    assert (
        'href="/staff/data/export/practices.csv?q=san+jose&amp;program=QOPI&amp;labels=en"' in page
    )


def test_unknown_export_format_is_404(staff):
    assert staff.get("/staff/data/export/responses.pdf").status_code == 404


def test_index_lists_recent_imports(staff, db):
    upload(staff, csv_bytes(legacy_rows(GOOD_ROW)), name="old-tool.csv")
    page = text(staff.get("/staff/data/"))
    assert "old-tool.csv" in page
    assert "Uploaded" in page


def wait_for(staff, progress_url: str, status: str) -> dict:
    """Poll the progress the preview page's script reads until the batch reaches ``status``."""
    import time

    for _attempt in range(200):
        progress = staff.get(progress_url).get_json()
        if progress["status"] == status:
            return progress
        time.sleep(0.05)
    raise AssertionError(f"still {progress}")


def test_a_larger_file_is_checked_and_imported_in_the_background_with_progress(app, staff, db):
    app.config["IMPORT_INLINE_ROWS"] = 2
    rows = [
        changed_row(**{"Practice name": f"Clínica {n}", "Email": f"c{n}@x.example"})
        for n in range(5)
    ]
    columns_url = upload(staff, csv_bytes(legacy_rows(*rows))).headers["Location"]
    values_url = staff.post(
        columns_url, data=selected_options(text(staff.get(columns_url)))
    ).headers["Location"]
    preview_url = staff.post(
        values_url, data=selected_options(text(staff.get(values_url)))
    ).headers["Location"]
    db.session.close()
    wait_for(staff, f"{preview_url}/progress", "previewed")
    assert "import-progress" not in text(staff.get(preview_url))  # done: the rows are shown
    staff.post(f"{preview_url}/commit", data={})
    wait_for(staff, f"{preview_url}/progress", "committed")
    db.session.close()
    assert counts(db)["SurveyResponse"] == 5
    # The background commit acted for the person who started it, as a request would.
    actors = db.session.scalars(
        select(AuditEvent.actor).where(AuditEvent.action == "import_batch.commit")
    ).all()
    assert actors
    assert all(actor.startswith("staff-") for actor in actors)


def test_the_preview_says_which_rule_matched_an_existing_practice(staff, db):
    intake_response(
        {"practice_name": "CLINICA SAO JOSE", "country": "BR", "city": "Recife",
         "email": "ana@saojose.example", "name": "Ana Souza", "consent": True},
        language="pt_BR", submission_token=uuid.uuid4().hex,
        consent_at=datetime(2026, 11, 1, tzinfo=UTC), privacy_notice_version="2026-11",
    )  # fmt: skip
    db.session.commit()
    columns_url = upload(staff, csv_bytes(legacy_rows(GOOD_ROW))).headers["Location"]
    values_url = staff.post(
        columns_url, data=selected_options(text(staff.get(columns_url)))
    ).headers["Location"]
    preview_url = staff.post(
        values_url, data=selected_options(text(staff.get(values_url)))
    ).headers["Location"]
    page = text(staff.get(f"{preview_url}?show=all"))
    assert "Same practice as “CLINICA SAO JOSE”" in page
    assert "the same name and city; its contact with this email is updated" in page


def test_a_preview_page_past_any_row_shows_none_rather_than_failing(staff, db):
    columns_url = upload(staff, csv_bytes(legacy_rows(GOOD_ROW))).headers["Location"]
    values_url = staff.post(
        columns_url, data=selected_options(text(staff.get(columns_url)))
    ).headers["Location"]
    preview_url = staff.post(
        values_url, data=selected_options(text(staff.get(values_url)))
    ).headers["Location"]
    for page in ("99999", str(10**22), "-3", "x"):
        assert staff.get(f"{preview_url}?show=all&page={page}").status_code == 200


@pytest.mark.parametrize("typed", ["²", "٣", "12a", "-1"])
def test_a_whole_number_is_typed_in_ascii_digits(app, typed):
    from wtforms.validators import ValidationError

    from crm.data.forms.imports import _whole_number

    field = SimpleNamespace(data=typed)
    with pytest.raises(ValidationError):
        _whole_number(0, 100)(None, field)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1,000 of 5,000 rows, about 4 minutes left"),
        ("es", "1.000 de 5.000 filas; tiempo restante aproximado: 4 minutos"),
        ("pt_BR", "1.000 de 5.000 linhas; tempo restante aproximado: 4 minutos"),
    ],
)
def test_a_long_step_says_how_long_it_has_left_in_the_readers_language(
    client, create_user, login, db, language, expected
):
    user = create_user("staff")
    user.locale = language
    db.session.commit()
    staff = login(user)
    columns_url = upload(staff, csv_bytes(legacy_rows(GOOD_ROW))).headers["Location"]
    batch_id = int(columns_url.rstrip("/").split("/")[-2])
    batch = db.session.get(ImportBatch, batch_id)
    now = datetime.now(UTC)
    batch.status = "committing"
    batch.progress = {"step": "commit", "done": 1000, "total": 5000,
                      "previous_done": 0, "previous_at": (now - timedelta(seconds=60)).isoformat(),
                      "updated_at": now.isoformat()}  # fmt: skip
    db.session.commit()
    progress = staff.get(f"/staff/data/import/{batch_id}/progress").get_json()
    assert progress["text"] == expected
    page = text(staff.get(f"/staff/data/import/{batch_id}"))
    assert expected in page


@pytest.mark.parametrize("language", ["en", "es", "pt_BR"])
def test_the_export_language_filter_names_languages_as_every_other_filter(staff, language):
    """One vocabulary for languages (``crm.core.i18n.LANGUAGE_NAMES``): each by its own name,
    in every reader's language, as the dashboard's and the inbox's filters name them."""
    staff.get(f"/language/{language}")
    page = text(staff.get("/staff/data/export/responses"))
    form = page[page.index('name="language"') :].split("</select>")[0]
    for name in ("English", "Español", "Português"):
        assert f">{name}</option>" in form
    for translated in ("Spanish", "Portuguese", "Inglés", "Portugués", "Espanhol", "Inglês"):
        assert translated not in form
