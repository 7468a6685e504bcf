"""A status's day is the day of its change, on every path (docs/domain.md#status-dates).

The edit forms start with the status's day empty, so a day left from the old status never
passes for one chosen for the new; the API takes the body's fields as what was given; a
decision records its own day. One country is driven through every status of its privacy review
and agreement on the screen and through the API, with the clock frozen on different days.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from crm.api.tokens import create_token
from crm.countries.models import (
    AGREEMENT_STATUSES,
    REVIEW_STATUSES,
    CountryAgreement,
    PrivacyReview,
)
from crm.readiness.models import ReadinessChange
from crm.readiness.queries import country_readiness

#: Noon UTC: the same calendar day in New York, the organization's default zone.
NOON = "12:00:00"


class _FormReader(HTMLParser):
    """The fields a browser would send from the first form with a submit button."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attr:
                return
            if kind != "submit":
                self.fields.append((name, attr.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attr:
            self.fields.append((self._select, attr.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.strip()))
            self._textarea = None


def shown_form(client, url: str) -> dict[str, list[str]]:
    """The edit form's fields as the page shows them (what a busy person leaves as it is)."""
    reader = _FormReader()
    reader.feed(client.get(url).get_data(as_text=True))
    fields: dict[str, list[str]] = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    return fields


def save_form(client, url: str, **changed: str) -> None:
    """Submit the edit form as shown, with only ``changed`` fields edited."""
    data = shown_form(client, url) | {name: [value] for name, value in changed.items()}
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:600]


@pytest.fixture
def staff(create_user, login):
    """Logs the client in as staff; call it inside the frozen clock, as a session is dated."""
    user = create_user("staff")
    return lambda: login(user)


@pytest.fixture
def api(client, create_user, db):
    _row, token = create_token(create_user("staff"))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, body: dict | None = None):
        response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    return call


def new_review(db, status: str = "requested", since: date = date(2026, 11, 6)) -> PrivacyReview:
    from crm.countries import operations as pipeline
    from crm.countries.queries import get_country_or_404

    review = pipeline.record_privacy_review(
        get_country_or_404("CO"), programs=["QOPI", "QCP"], status=status, status_since=since
    )
    db.session.commit()
    return review


def new_agreement(db, status: str = "draft", since: date = date(2026, 11, 2)) -> CountryAgreement:
    from crm.countries import operations as pipeline
    from crm.countries.queries import get_country_or_404

    agreement = pipeline.record_country_agreement(
        get_country_or_404("CO"),
        programs=["QOPI", "QCP"],
        counterparty="Sociedad Colombiana de Oncología",
        status=status,
        status_since=since,
    )
    db.session.commit()
    return agreement


# --- the screen -----------------------------------------------------------------------------------


def test_the_edit_form_shows_the_status_day_empty_and_names_it_in_the_help(client, staff, db):
    staff()
    review = new_review(db)
    url = f"/staff/countries/CO/privacy-reviews/{review.id}"
    assert shown_form(client, url)["status_since"] == [""]
    assert "Nov 6, 2026" in client.get(url).get_data(as_text=True)


@freeze_time(f"2026-12-04 {NOON}")
def test_approving_on_the_form_as_shown_starts_and_decides_today(client, staff, db):
    staff()
    review = new_review(db)
    save_form(client, f"/staff/countries/CO/privacy-reviews/{review.id}", status="approved")
    db.session.refresh(review)
    assert (review.status, review.status_since, review.decided_on) == (
        "approved",
        date(2026, 12, 4),
        date(2026, 12, 4),
    )
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert "Privacy review approved on Dec 4, 2026" in html
    assert "Nov 6, 2026" not in html.split('id="privacy-reviews"')[0]


@freeze_time(f"2026-12-04 {NOON}")
def test_a_day_typed_for_the_change_is_kept(client, staff, db):
    staff()
    review = new_review(db)
    url = f"/staff/countries/CO/privacy-reviews/{review.id}"
    save_form(client, url, status="in_review", status_since="2026-11-30")
    db.session.refresh(review)
    assert review.status_since == date(2026, 11, 30)


@freeze_time(f"2026-12-04 {NOON}")
def test_an_edit_that_keeps_the_status_keeps_its_day(client, staff, db):
    staff()
    review = new_review(db)
    save_form(client, f"/staff/countries/CO/privacy-reviews/{review.id}", counsel="Ríos & Co")
    db.session.refresh(review)
    assert (review.status_since, review.counsel) == (date(2026, 11, 6), "Ríos & Co")


@freeze_time(f"2026-12-04 {NOON}")
def test_a_decision_day_kept_from_an_earlier_decision_is_not_this_one(client, staff, db):
    staff()
    review = new_review(db, status="rejected", since=date(2026, 9, 1))
    url = f"/staff/countries/CO/privacy-reviews/{review.id}"
    save_form(client, url, status="approved")
    db.session.refresh(review)
    assert (review.status_since, review.decided_on) == (date(2026, 12, 4), date(2026, 12, 4))


@freeze_time(f"2026-12-04 {NOON}")
def test_signing_on_the_form_as_shown_starts_today_and_records_the_signature(client, staff, db):
    staff()
    agreement = new_agreement(db, status="out_for_signature")
    save_form(client, f"/staff/countries/CO/agreements/{agreement.id}", status="signed")
    db.session.refresh(agreement)
    assert (agreement.status_since, agreement.signed_on) == (date(2026, 12, 4), date(2026, 12, 4))


# --- the API --------------------------------------------------------------------------------------


@freeze_time(f"2026-12-04 {NOON}")
def test_a_patch_of_the_status_alone_starts_it_today(api, db):
    agreement = new_agreement(db)
    body = api("PATCH", f"/agreements/{agreement.id}", {"status": "negotiating"})
    assert (body["status"], body["status_since"]) == ("negotiating", "2026-12-04")


def test_the_api_accepts_the_days_it_returns(api, db):
    created = api(
        "POST",
        "/privacy-reviews",
        {
            "country": "CO",
            "programs": ["QOPI"],
            "status": "approved",
            "status_since": "2026-10-01",
            "requested_on": "2026-08-01",
            "decided_on": "2026-09-30",
        },
    )
    assert (created["status_since"], created["decided_on"]) == ("2026-10-01", "2026-09-30")
    changed = api("PATCH", f"/privacy-reviews/{created['id']}", {"status_since": "2026-10-02"})
    assert changed["status_since"] == "2026-10-02"
    agreement = api(
        "POST",
        "/agreements",
        {
            "country": "CO",
            "programs": ["QOPI"],
            "counterparty": "Sociedad",
            "status": "signed",
            "status_since": "2026-10-05",
            "signed_on": "2026-10-04",
        },
    )
    assert (agreement["status_since"], agreement["signed_on"]) == ("2026-10-05", "2026-10-04")


@freeze_time(f"2026-12-04 {NOON}")
def test_a_decision_through_the_api_records_its_day(api, db):
    review = new_review(db)
    body = api("PATCH", f"/privacy-reviews/{review.id}", {"status": "rejected"})
    assert (body["status_since"], body["decided_on"]) == ("2026-12-04", "2026-12-04")
    body = api(
        "PATCH", f"/privacy-reviews/{review.id}", {"status": "approved", "decided_on": "2026-12-01"}
    )
    assert (body["status_since"], body["decided_on"]) == ("2026-12-01", "2026-12-01")


# --- one country through every status ---------------------------------------------------------

#: Every status of both records, in an order that moves QOPI's readiness back and forth.
STEPS = [
    ("review", "requested"),
    ("review", "in_review"),
    ("review", "approved"),
    ("agreement", "negotiating"),
    ("agreement", "out_for_signature"),
    ("agreement", "signed"),
    ("agreement", "expired"),
    ("agreement", "terminated"),
    ("review", "approved_with_conditions"),
    ("review", "rejected"),
]
#: QOPI's readiness after the steps that change it.
STATE_AFTER = {
    ("review", "approved"): "near_ready",
    ("agreement", "signed"): "ready",
    ("agreement", "expired"): "near_ready",
    ("review", "rejected"): "blocked",
}
PART = {"review": "privacy-reviews", "agreement": "agreements"}
CRITERION = {"review": "privacy_review", "agreement": "country_agreement"}


def test_the_steps_cover_every_status():
    reviews = {status for kind, status in STEPS if kind == "review"} | {"not_started"}
    agreements = {status for kind, status in STEPS if kind == "agreement"} | {"draft"}
    assert (reviews, agreements) == (set(REVIEW_STATUSES), set(AGREEMENT_STATUSES))


def _change(path: str, client, api, kind: str, record_id: int, status: str) -> None:
    extra = {"conditions": "Anonymized exports only"} if status.endswith("conditions") else {}
    if path == "screen":
        save_form(client, f"/staff/countries/CO/{PART[kind]}/{record_id}", status=status, **extra)
    else:
        api("PATCH", f"/{PART[kind]}/{record_id}", {"status": status, **extra})


def _sentence(app, kind: str) -> str:
    from crm.countries.views.countries import explain_criterion

    with app.test_request_context():
        qopi = country_readiness("CO")["QOPI"]
        return next(explain_criterion(c) for c in qopi.criteria if c.key == CRITERION[kind])


@pytest.mark.parametrize("path", ["screen", "api"])
def test_every_status_on_its_own_day(path, client, create_user, login, api, db, app):
    """Each change on its own frozen day: the stored day, the country page's sentence and the
    readiness history all name the day of the change."""
    from tests.responses.helpers import submit_eligible

    user = create_user("staff")
    start = date(2026, 10, 1)
    with freeze_time(f"{start.isoformat()} {NOON}") as frozen:
        submit_eligible(db, 5, "CO")
        records = {
            "review": new_review(db, status="not_started", since=start),
            "agreement": new_agreement(db, status="draft", since=start),
        }
        expected_history = [("blocked", start)]
        for number, (kind, status) in enumerate(STEPS, start=1):
            day = date.fromordinal(start.toordinal() + 3 * number)
            frozen.move_to(f"{day.isoformat()} {NOON}")
            db.session.commit()  # the test's own transaction ends, as a request's would
            login(user)
            record = records[kind]
            _change(path, client, api, kind, record.id, status)
            db.session.refresh(record)
            assert (record.status, record.status_since) == (status, day), (kind, status)
            if (kind, status) != ("agreement", "signed"):  # worded by its expiry instead
                assert f"{day:%b} {day.day}, {day.year}" in _sentence(app, kind), (kind, status)
            if (kind, status) in STATE_AFTER:
                expected_history.append((STATE_AFTER[(kind, status)], day))
    history = db.session.execute(
        select(ReadinessChange.state, ReadinessChange.changed_on)
        .where(ReadinessChange.country_code == "CO", ReadinessChange.program_code == "QOPI")
        .order_by(ReadinessChange.id)
    ).all()
    assert [tuple(row) for row in history] == expected_history
