"""The audit log in words (docs/domain.md#audit-in-words): every kind of event a sentence in the
reader's language, with no raw code or Python literal; the record linked; staff by name; the
log's filters and its CSV export."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from crm.audit import operations as audit
from crm.audit.models import AuditEvent
from crm.audit.objects import audit_entries
from crm.audit.vocabulary import SENTENCES
from crm.audit.wording import Context, describe
from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)

#: Action → (kind of record, the changes its operation records), as the operations write them.
SAMPLES: dict[str, tuple[str, dict]] = {
    "availability.update": (
        "availability",
        {
            "program": ["QOPI", "QOPI"],
            "status": ["not_available", "pilot"],
            "since": [None, "2026-11-03"],
            "source": ["seed 001", "staff"],
        },
    ),
    "privacy_review.create": (
        "privacy_review",
        {
            "programs": [None, ["QOPI", "QCP"]],
            "status": [None, "requested"],
            "requested_on": [None, "2026-11-01"],
        },
    ),
    "privacy_review.update": (
        "privacy_review",
        {"status": ["in_review", "approved"], "decided_on": [None, "2026-11-02"]},
    ),
    "country_agreement.create": (
        "country_agreement",
        {"counterparty": [None, "MinSalud"], "status": [None, "draft"]},
    ),
    "country_agreement.update": (
        "country_agreement",
        {"status": ["negotiating", "signed"], "expires_on": [None, "2029-12-31"]},
    ),
    "threshold.set": (
        "country_threshold",
        {
            "program": ["QOPI", "QOPI"],
            "min_eligible_practices": [None, 3],
            "reason": [None, "Small country"],
        },
    ),
    "threshold.clear": (
        "country_threshold",
        {"program": ["QCP", "QCP"], "min_eligible_practices": [4, None]},
    ),
    "program.update": ("program", {"default_threshold": [5, 6], "capacity": [6, 7]}),
    "user.create": (
        "user",
        {"email": [None, "ana@example.org"], "role": [None, "viewer"], "name": [None, "Ana"]},
    ),
    "user.update": ("user", {"role": ["viewer", "staff"]}),
    "user.deactivate": ("user", {"active": [True, False]}),
    "user.reactivate": ("user", {"active": [False, True]}),
    "user.unlock": (
        "user",
        {"failed_logins": [5, 0], "locked_until": ["2026-11-03T14:15:00+00:00", None]},
    ),
    "user.lock": ("user", {"locked_until": [None, "2026-11-03T14:15:00+00:00"]}),
    "user.reset_two_factor": ("user", {"two_factor": ["authenticator", None]}),
    "user.two_factor": ("user", {"two_factor": [None, "authenticator"]}),
    "user.password_change": ("user", {"password": ["***", "***"]}),
    "user.end_sessions": ("user", {"sessions": [None, 2]}),
    "sessions.end": ("user", {"sessions": [None, 2]}),
    "user.preferences": ("user", {"locale": ["en", "pt_BR"], "digest": ["none", "weekly"]}),
    "invitation.create": ("invitation", {"contact_id": [None, 4], "language": [None, "es"]}),
    "contact.unsubscribe": ("contact", {"permission_to_contact": [True, False]}),
    "contact.update": (
        "contact",
        {"phone": [None, "+57 601 555 0100"], "preferred_language": ["en", "es"]},
    ),
    "country.owner": ("country", {"owner": [None, "owner@example.org"]}),
    "api_token.create": (
        "api_token",
        {
            "user": [None, "owner@example.org"],
            "prefix": [None, "iqc_abcdefgh"],
            "scope": [None, "read"],
            "expires_at": [None, "2027-01-01T05:00:00+00:00"],
        },
    ),
    "api_token.revoke": ("api_token", {"revoked": [False, True]}),
    "api_token.expire": ("api_token", {"expires_at": [None, "2026-11-03T14:00:00+00:00"]}),
    "activity.create": (
        "activity",
        {
            "kind": [None, "call"],
            "subject": [None, "First call"],
            "occurred_on": [None, "2026-11-02"],
        },
    ),
    "task.create": (
        "task",
        {
            "title": [None, "Send the agreement"],
            "owner": [None, "owner@example.org"],
            "due_on": [None, "2026-12-01"],
            "status": [None, "open"],
        },
    ),
    "task.status": ("task", {"status": ["open", "done"]}),
    "practice.update": (
        "practice",
        {"practice_type": ["other", "private_practice"], "city": [None, "Bogotá"]},
    ),
    "practice.merge": (
        "practice",
        {
            "merged_practice_id": [8, 9],
            "deleted_practice": ["8: Clínica Vieja", None],
            "moved_responses": [None, [3, 4]],
            "moved_contacts": [None, 1],
        },
    ),
    "practice.not_duplicate": ("practice", {"not_the_same_as": [None, 9]}),
    "saved_view.create": (
        "saved_view",
        {
            "list_name": [None, "responses"],
            "name": [None, "Spanish, new"],
            "query": [None, "language=es&status=new"],
            "shared": [None, True],
        },
    ),
    "saved_view.update": ("saved_view", {"shared": [False, True]}),
    "saved_view.delete": ("saved_view", {"name": ["Spanish, new", None]}),
    "response.assign": ("survey_response", {"assigned_to_id": [None, 1]}),
    "response.link": (
        "survey_response",
        {"practice_id": [None, 9], "triage_status": ["new", "linked"]},
    ),
    "response.unlink": ("survey_response", {"practice_id": [8, 9]}),
    "response.duplicate": ("survey_response", {"triage_status": ["new", "duplicate"]}),
    "response.spam": ("survey_response", {"triage_status": ["new", "spam"]}),
    "response.restore": ("survey_response", {"triage_status": ["spam", "new"]}),
    "response.dismiss_suggestion": (
        "survey_response",
        {"suggested_practice_id": [9, None], "suggestion_score": [91.5, None]},
    ),
    "response.confirm_own": ("survey_response", {"triage_status": ["new", "linked"]}),
    "import_batch.create": (
        "import_batch",
        {"filename": [None, "old.csv"], "rows": [None, 40], "columns": [None, 12]},
    ),
    "import_batch.map": (
        "import_batch",
        {
            "columns": [{}, {"practice_name": 0, "country": 1}],
            "language": ["en", "es"],
            "fixed": [None, {"country": "PE"}],
        },
    ),
    "import_batch.map_values": (
        "import_batch",
        {"values": [{}, {"interest_qopi": {"si": "very"}}]},
    ),
    "import_batch.commit": (
        "import_batch",
        {"status": ["previewed", "committed"], "imported": [None, 38], "skipped": [None, 2]},
    ),
    "import_batch.discard": ("import_batch", {"filename": ["old.csv", None]}),
    "import_batch.undo": (
        "import_batch",
        {"status": ["committed", "undone"], "removed": [None, 38], "kept": [None, 1]},
    ),
    "import_template.save": ("import_template", {"name": [None, "LimeSurvey 2019"]}),
    "export.responses": (
        "export",
        {
            "format": [None, "xlsx"],
            "filters": [None, {"status": "all", "country": "PE", "labels": "es"}],
            "rows": [None, 120],
        },
    ),
    "export.practices": (
        "export",
        {
            "format": [None, "csv"],
            "filters": [None, {"program": "QOPI", "labels": "codes"}],
            "rows": [None, 3],
        },
    ),
    "export.contacts": (
        "export",
        {"format": [None, "csv"], "filters": [None, {"permission": "yes"}], "rows": [None, 3]},
    ),
    "export.audit": ("audit", {"rows": [None, 30]}),
    "export.search": (
        "export",
        {"format": [None, "api"], "filters": [None, {"q": "nunez"}], "rows": [None, 3]},
    ),
    "privacy.erase": ("data_subject", {"erased": [None, {"responses": 2, "contacts": 1}]}),
    "privacy.export": ("data_subject", {"records": [None, 3]}),
    "retention.purge": ("survey_response", {"deleted": [None, {"responses": 4}]}),
    "retention.drafts": ("survey_draft", {"deleted": [None, 2]}),
    "outbox.retry_failed": (
        "outbox_message",
        {"requeued": [None, 3], "kinds": [None, ["invitation", "reminder"]]},
    ),
    "demo.load": ("database", {"responses": [None, 300], "seed": [None, 7]}),
}
#: Raw codes and literals a reader must never see: snake_case words, Python's None/True/False,
#: brackets and braces of a list or dict, quotes of a repr.
RAW = re.compile(r"\b(?!iqc_)[a-z]+_[a-z_]+\b|\bNone\b|\bTrue\b|\bFalse\b|[\[\]{}]|'[a-z_]+'")


def recorded_actions() -> set[str]:
    """The actions the code records: the first argument of every ``...record(...)`` call that
    is a dotted name, and the actions built from a record kind's name."""
    found = set()
    for path in (ROOT / "crm").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0]
            if (
                "record" in name
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and re.fullmatch(r"[a-z_]+\.[a-z_]+", first.value)
            ):
                found.add(first.value)
    built = {
        f"{kind}.{verb}"
        for kind in ("privacy_review", "country_agreement")
        for verb in ("create", "update")
    }
    return found | built | {"export.responses", "export.practices", "export.contacts"}


def test_every_recorded_action_has_its_own_sentence():
    missing = recorded_actions() - set(SENTENCES)
    assert not missing, (
        f"add a sentence to crm/audit/vocabulary.py SENTENCES for: {sorted(missing)}"
    )


def test_every_sentence_has_a_sample_here():
    assert set(SENTENCES) == set(SAMPLES)


def event_of(action: str) -> AuditEvent:
    entity_type, changes = SAMPLES[action]
    return AuditEvent(
        id=1,
        occurred_at=AT,
        actor="ana@example.org",
        actor_id=1,
        action=action,
        entity_type=entity_type,
        entity_id="7",
        country_code="KE",
        changes=changes,
    )


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_each_kind_of_event_is_a_sentence_with_no_raw_code(app, action, locale):
    context = Context(
        actors={1: "Ana Ruiz"}, people={"owner@example.org": "Olga Díaz"}, users={1: "Ana Ruiz"}
    )
    with app.test_request_context(), force_locale(locale):
        entry = describe(event_of(action), context)
    assert "Ana Ruiz" in entry.text or action in ("user.lock", "contact.unsubscribe")
    assert not RAW.findall(entry.text), entry.text
    assert "owner@example.org" not in entry.text
    assert "%(" not in entry.text


def test_the_sentences_are_in_the_readers_language(app):
    context = Context(actors={1: "Ana Ruiz"})
    event = event_of("country_agreement.update")
    with app.test_request_context():
        with force_locale("es"):
            spanish = describe(event, context).text
        with force_locale("pt_BR"):
            portuguese = describe(event, context).text
    assert spanish.startswith("Ana Ruiz firmó ")
    assert "Estado: En negociación → Firmado" in spanish
    assert portuguese.startswith("Ana Ruiz assinou ")


def test_signing_an_agreement_reads_as_the_screens_say_it(client, app, db, create_user, login):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    user.name = "Ana Ruiz"
    db.session.commit()
    login(user)
    agreement = pipeline.record_country_agreement(
        get_country_or_404("KE"),
        programs=["QOPI"],
        counterparty="Kenyan oncology society",
        status="negotiating",
    )
    db.session.commit()
    client.post(
        f"/staff/countries/KE/agreements/{agreement.id}",
        data={
            "programs": "QOPI",
            "counterparty": "Kenyan oncology society",
            "status": "signed",
            "expires_on": "2029-12-31",
        },
    )
    html = client.get("/staff/admin/audit?kind=country_agreement").get_data(as_text=True)
    assert (
        '<strong>Ana Ruiz</strong> signed <a href="/staff/countries/KE">the agreement with Kenyan '
        "oncology society (Kenya)</a>: "
    ) in html
    assert "Status: Negotiating → Signed" in html
    assert "Expires: Dec 31, 2029" in html


def test_a_viewer_sees_staff_by_name_only_on_a_country_page(client, db, create_user, login):
    named, unnamed = create_user("staff"), create_user("staff")
    named.name = "Ana Ruiz"
    db.session.commit()
    country = get_country_or_404("KE")
    for user, status in ((named, "in_pipeline"), (unnamed, "pilot")):
        login(user)
        client.post("/staff/countries/KE/availability/QOPI", data={"status": status})
    owner_change = AuditEvent(
        actor=named.email,
        actor_id=named.id,
        action="country.owner",
        entity_type="country",
        entity_id="KE",
        country_code="KE",
        changes={"owner": [None, unnamed.email]},
    )
    db.session.add(owner_change)
    db.session.commit()
    login(create_user("viewer"))
    html = client.get(f"/staff/countries/{country.code}").get_data(as_text=True)
    trail = html[html.index('id="audit"') :].split("</section>")[0]
    assert "Ana Ruiz" in trail
    assert "A staff member" in trail
    assert named.email not in trail
    assert unnamed.email not in trail
    assert "@" not in trail


@pytest.fixture
def admin(app, client, create_user, login, db):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    user.name = "Ada Admin"
    db.session.commit()
    login(user)
    return user


def add_event(db, actor, action, entity_type, country, at, changes):
    db.session.add(
        AuditEvent(
            actor=actor.email,
            actor_id=actor.id,
            action=action,
            entity_type=entity_type,
            entity_id="1",
            country_code=country,
            changes=changes,
            occurred_at=at,
        )
    )
    db.session.commit()


def test_the_log_filters_by_person_kind_country_and_period(client, admin, create_user, db):
    other = create_user("staff")
    other.name = "Olga Díaz"
    db.session.commit()
    add_event(
        db,
        admin,
        "threshold.set",
        "country_threshold",
        "KE",
        datetime(2026, 5, 1, 15, tzinfo=UTC),
        {"program": ["QOPI", "QOPI"], "reason": [None, "Reason-Alpha"]},
    )
    add_event(
        db,
        other,
        "threshold.set",
        "country_threshold",
        "PE",
        datetime(2026, 6, 1, 15, tzinfo=UTC),
        {"program": ["QOPI", "QOPI"], "reason": [None, "Reason-Beta"]},
    )
    add_event(
        db,
        other,
        "program.update",
        "program",
        None,
        datetime(2026, 6, 2, 15, tzinfo=UTC),
        {"capacity": [6, 9]},
    )

    def shown(query: str) -> set[str]:
        html = client.get(f"/staff/admin/audit?{query}").get_data(as_text=True)
        return {word for word in ("Reason-Alpha", "Reason-Beta", "Capacity") if word in html}

    assert shown("") == {"Reason-Alpha", "Reason-Beta", "Capacity"}
    assert shown(f"person={other.id}") == {"Reason-Beta", "Capacity"}
    assert shown("kind=country_threshold") == {"Reason-Alpha", "Reason-Beta"}
    assert shown("country=KE") == {"Reason-Alpha"}
    assert shown("occurred_from=2026-05-15&occurred_to=2026-06-01") == {"Reason-Beta"}
    page = client.get("/staff/admin/audit").get_data(as_text=True)
    assert '<option value="country_threshold">Thresholds</option>' in page
    assert f'<option value="{other.id}">Olga Díaz</option>' in page


def test_the_log_has_its_own_csv_export_in_the_readers_language(client, admin, db):
    add_event(
        db,
        admin,
        "threshold.set",
        "country_threshold",
        "KE",
        datetime(2026, 5, 1, 15, tzinfo=UTC),
        {"program": ["QOPI", "QOPI"], "reason": [None, "=cmd"]},
    )
    response = client.get("/staff/admin/audit.csv?country=KE")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "When (UTC)",
        "When (America/New_York)",
        "Who",
        "What",
        "Kind of record",
        "Country",
    ]
    assert rows[1][:3] == ["2026-05-01 15:00:00", "2026-05-01 11:00:00", "Ada Admin"]
    assert rows[1][3].startswith("Ada Admin set the QOPI threshold of Kenya: ")
    assert "Reason: =cmd" in rows[1][3]
    assert rows[1][4:] == ["Thresholds", "Kenya"]
    exported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.audit")
    ).one()
    assert exported.changes == {"rows": [None, 1]}


def test_entries_for_a_deleted_record_still_read_as_a_sentence(app, db):
    audit.record("task.status", "task", 999999, {"status": ["open", "done"]}, country_code="KE")
    db.session.commit()
    event = db.session.scalars(select(AuditEvent)).one()
    with app.test_request_context():
        (entry,) = audit_entries([event], reader="staff")
    assert entry.text == "The command line changed the status of a task: Status: Open → Done"


def test_a_saved_views_filters_and_a_seed_read_as_words(app):
    context = Context(actors={1: "Ana Ruiz"})
    with app.test_request_context(), force_locale("es"):
        saved = describe(event_of("saved_view.create"), context).text
    assert "Filtros y orden: Idioma: Español, Estado: Nueva" in saved
    assert "language=" not in saved
    event = event_of("saved_view.create")
    event.entity_type, event.action = "database", "demo.load"
    event.changes = {"responses": [None, 300], "seed": [None, 2026]}
    with app.test_request_context(), force_locale("es"):
        demo = describe(event, context).text
    assert "2026" in demo
    assert "2.026" not in demo
    assert "300" in demo


# --- Grammar of the sentences in every language (a new-user trial found "de el archivo",
# "de o arquivo", "de a revisão de privacidade de Egito") ---------------------------------

#: A preposition glued to a phrase that starts with its own article: Spanish contracts "de"
#: with "el", Portuguese "de", "em" and "por" with every article. No sentence may put one of
#: them right before ``%(object)s``; a sentence about a part of a record says ``%(of_object)s``.
GLUED = {"es": re.compile(r"\bde %\(object\)s"), "pt_BR": re.compile(r"\b(de|em|por) %\(object\)s")}
#: In Portuguese, a country's name takes an article ("do Egito", "no Brasil") that the name
#: itself does not carry: no record's phrase glues a preposition to it.
GLUED_COUNTRY = re.compile(r"\b(de|em|por) %\(country\)s")


def catalog(locale: str):
    from babel.messages.pofile import read_po

    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
def test_no_sentence_glues_a_preposition_to_the_records_article(locale):
    glued = [
        (m.id, m.string)
        for m in catalog(locale)
        if isinstance(m.id, str) and "%(object)s" in m.id and GLUED[locale].search(m.string)
    ]
    assert glued == []


def test_no_portuguese_record_phrase_glues_a_preposition_to_a_country():
    sources = (ROOT / "crm" / "audit" / "objects.py").read_text()
    glued = [
        (m.id, m.string)
        for m in catalog("pt_BR")
        if isinstance(m.id, str) and f'"{m.id}"' in sources and GLUED_COUNTRY.search(m.string)
    ]
    assert glued == []


def test_every_sentence_about_a_part_of_a_record_takes_the_records_of_phrase():
    from crm.audit.vocabulary import STATUS_SENTENCES, VERB_SENTENCES

    sentences = [*SENTENCES.values(), *STATUS_SENTENCES.values(), *VERB_SENTENCES.values()]
    assert [str(s) for s in sentences if " of %(object)s" in str(s)] == []


def _import_and_review_events(db):
    from crm.data.models import ImportBatch

    batch = ImportBatch(filename="legacy.csv")
    db.session.add(batch)
    review = pipeline.record_privacy_review(
        get_country_or_404("EG"), programs=["QOPI", "QCP"], status="in_review"
    )
    db.session.flush()
    audit.record("import_batch.map", "import_batch", batch.id, {"columns": [None, {"country": 0}]})
    audit.record(
        "privacy_review.update",
        "privacy_review",
        review.id,
        {"status": ["in_review", "approved_with_conditions"]},
        country_code="EG",
    )
    db.session.commit()
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(["import_batch.map", "privacy_review.update"]))
        .order_by(AuditEvent.id)
    ).all()


@pytest.mark.parametrize(
    ("locale", "mapped", "approved", "wrong"),
    [
        (
            "en",
            "mapped the columns of the file “legacy.csv”",
            "recorded the approval with conditions of the privacy review of Egypt (QOPI and QCP)",
            ["of of"],
        ),
        (
            "es",
            "asignó las columnas del archivo “legacy.csv”",
            "registró la aprobación con condiciones de la revisión de privacidad de Egipto",
            ["de el ", "de la el"],
        ),
        (
            "pt_BR",
            "associou as colunas do arquivo “legacy.csv”",
            "registrou a aprovação com condições da revisão de privacidade (Egito: QOPI e QCP)",
            ["de o ", "de a ", "de Egito", "em Egito"],
        ),
    ],
)
def test_the_audit_log_reads_grammatically_in_every_language(
    app, db, locale, mapped, approved, wrong
):
    events = _import_and_review_events(db)
    with app.test_request_context(), force_locale(locale):
        texts = [entry.text for entry in audit_entries(events, reader="admin")]
    assert mapped in texts[0]
    assert approved in texts[1]
    for text in texts:
        assert not [w for w in wrong if w in text], text


def test_the_part_of_phrase_is_the_linked_object(app, db):
    events = _import_and_review_events(db)
    with app.test_request_context(), force_locale("pt_BR"):
        entry = audit_entries(events[:1], reader="admin")[0]
    assert ("object", "do arquivo “legacy.csv”") in entry.parts
    assert entry.url


def test_a_deleted_record_still_has_its_of_phrase(app, db):
    audit.record("import_batch.undo", "import_batch", 999999, {"removed": [None, 3]})
    db.session.commit()
    event = db.session.scalars(select(AuditEvent)).one()
    for locale, expected in (
        ("en", "undid the import of an imported file"),
        ("es", "deshizo la importación de un archivo importado"),
        ("pt_BR", "desfez a importação de um arquivo importado"),
    ):
        with app.test_request_context(), force_locale(locale):
            (entry,) = audit_entries([event], reader="staff")
        assert expected in entry.text


# --- An import's mapping in words: columns counted as columns, fixed values named ----------


def _mapping_text(app, locale: str, action: str, changes: dict) -> str:
    event = AuditEvent(
        id=1,
        occurred_at=AT,
        actor="ana@example.org",
        actor_id=1,
        action=action,
        entity_type="import_batch",
        entity_id="7",
        changes=changes,
    )
    with app.test_request_context(), force_locale(locale):
        return describe(event, Context(actors={1: "Ana Ruiz"})).text


def test_mapping_columns_counts_columns_never_answers(app):
    changes = {
        "columns": [{"practice_name": 0}, {"practice_name": 0, "country": 1, "city": 2, "email": 3}]
    }
    assert _mapping_text(app, "en", "import_batch.map", changes).endswith("Columns mapped: 1 → 4")
    assert "Columnas asignadas: 1 → 4" in _mapping_text(app, "es", "import_batch.map", changes)
    assert "Colunas associadas: 1 → 4" in _mapping_text(app, "pt_BR", "import_batch.map", changes)
    for locale in ("en", "es", "pt_BR"):
        text = _mapping_text(app, locale, "import_batch.map", changes)
        assert not re.search(r"\b(answers?|respuestas?|respostas?)\b", text), text


def test_remapping_as_many_columns_says_how_many_changed(app):
    changes = {"columns": [{"practice_name": 0, "country": 1}, {"practice_name": 0, "country": 2}]}
    text = _mapping_text(app, "en", "import_batch.map", changes)
    assert text.endswith("Columns mapped: 2, 1 of them changed")


def test_a_value_for_every_row_names_the_answer_and_the_value(app):
    changes = {"fixed": [{}, {"country": "PE", "language": "es"}]}
    assert _mapping_text(app, "en", "import_batch.map", changes).endswith(
        "Same value for every row: Country: Peru; Response language: Español"
    )
    spanish = _mapping_text(app, "es", "import_batch.map", changes)
    assert spanish.endswith(
        "Mismo valor para todas las filas: País: Perú; Idioma de la respuesta: Español"
    )
    assert "respuesta →" not in spanish


def test_mapping_answers_names_each_question_and_its_answers(app):
    changes = {
        "values": [
            {"practice_type": {"hospital": "hospital"}},
            {
                "practice_type": {"hospital": "hospital"},
                "interest_qopi": {"si": "very", "no": "no"},
            },
        ]
    }
    assert _mapping_text(app, "en", "import_batch.map_values", changes).endswith(
        "Answers mapped: Interest in QOPI (2 answers of the file)"
    )
    assert "Interés en QOPI (2 respuestas del archivo)" in _mapping_text(
        app, "es", "import_batch.map_values", changes
    )
    assert "(2 respostas do arquivo)" in _mapping_text(
        app, "pt_BR", "import_batch.map_values", changes
    )


# --- Who acted when no person did ---------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "The demo data generator loaded the demo data"),
        ("es", "El generador de datos de demostración cargó los datos de demostración"),
        ("pt_BR", "O gerador de dados de demonstração carregou os dados de demonstração"),
    ],
)
def test_the_demo_data_is_loaded_by_a_readable_actor(app, db, locale, expected):
    from flask import g

    with app.app_context():
        g.cli_actor = "demo"
        audit.record("demo.load", "database", "demo", {"responses": [None, 3]})
        db.session.commit()
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.actor == "demo"
    with app.test_request_context(), force_locale(locale):
        (entry,) = audit_entries([event], reader="admin")
    assert entry.text.startswith(expected)
    assert entry.actor != "demo"


def test_an_unknown_process_label_reads_as_the_system(app, db):
    audit.record("retention.drafts", "survey_draft", "all", {"deleted": [None, 2]})
    db.session.commit()
    event = db.session.scalars(select(AuditEvent)).one()
    event.actor = "nightly-job"
    with app.test_request_context(), force_locale("es"):
        (entry,) = audit_entries([event], reader="admin")
    assert entry.actor == "El sistema"
