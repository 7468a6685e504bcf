"""API tokens from the admin page (docs/decisions.md#api-tokens): created for an account with
a label, a scope and an optional expiry, shown once; listed with their last use and scope;
expired and revoked; an expired token gets a 401 that says so. The CLI still creates them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crm.accounts.models import ApiToken
from crm.api import tokens
from crm.audit.models import AuditEvent
from crm.core.clock import org_today
from crm.core.columns import utcnow


@pytest.fixture
def admin(app, client, create_user, login):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    login(user)
    return user


def created_token(client, user, **fields) -> tuple[str, str]:
    """POST the admin form; ``(page, plain token shown on it)``."""
    data = {"user": str(user.id), "label": "Report script", "scope": "read", **fields}
    response = client.post("/staff/admin/tokens", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    plain = re.search(r'value="(iqc_[^"]+)"', page).group(1)
    return page, plain


def api_get(client, plain: str):
    return client.get("/api/v1/countries", headers={"Authorization": f"Bearer {plain}"})


def test_a_token_made_on_the_admin_page_works_once_shown_and_is_never_shown_again(
    client, admin, create_user
):
    owner = create_user("viewer")
    page, plain = created_token(client, owner)
    assert "will not be shown again" in page
    assert response_ok(api_get(client, plain))
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    assert plain not in listing
    assert plain[:12] in listing
    row = ApiToken.query.filter_by(prefix=plain[:12]).one()
    assert plain not in (row.token_hash, row.prefix, row.label)
    assert (row.scope, row.label, row.user_id, row.created_by_id) == (
        "read",
        "Report script",
        owner.id,
        admin.id,
    )


def response_ok(response) -> bool:
    return response.status_code == 200


def test_the_list_shows_last_use_scope_and_expiry(client, admin, create_user, db):
    _page, plain = created_token(client, create_user("staff"), scope="write")
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    row_html = listing[listing.index(plain[:12]) :].split("</tr>")[0]
    assert "Read and write" in row_html
    assert "No end" in row_html
    assert row_html.count("Never") == 1  # never used
    api_get(client, plain)
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    row_html = listing[listing.index(plain[:12]) :].split("</tr>")[0]
    assert row_html.count("Never") == 0


def test_the_last_day_typed_is_the_day_shown(client, admin, create_user, db):
    """An expiry is typed as the last day the token works: the list and the audit trail show
    that day, not the midnight after it in the organization's zone."""
    last_day = org_today() + timedelta(days=40)
    _page, plain = created_token(client, create_user("viewer"), expires_on=last_day.isoformat())
    shown = f"{last_day:%b} {last_day.day}, {last_day.year}"
    next_day = last_day + timedelta(days=1)
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    row_html = listing[listing.index(plain[:12]) :].split("</tr>")[0]
    assert shown in row_html
    assert f"{next_day:%b} {next_day.day}, {next_day.year}" not in row_html
    trail = client.get("/staff/admin/audit?kind=api_token").get_data(as_text=True)
    assert f"Works until: {shown}" in trail


def test_a_token_stops_at_its_expiry(client, admin, create_user, db):
    _page, plain = created_token(client, create_user("viewer"), expires_on=org_today().isoformat())
    row = ApiToken.query.filter_by(prefix=plain[:12]).one()
    assert row.expires_at > utcnow()
    assert tokens.check_token(plain, now=row.expires_at - timedelta(seconds=1)).user is not None
    refused = tokens.check_token(plain, now=row.expires_at)
    assert (refused.user, refused.refusal) == (None, "expired")


def test_an_expired_token_gets_401_saying_so(client, admin, create_user, db):
    row, plain = tokens.create_token(create_user("viewer"), "old")
    row.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    response = api_get(client, plain)
    assert response.status_code == 401
    detail = response.get_json()["error"]["detail"]
    assert "expired on" in detail
    assert "new one" in detail


def test_expire_now_and_revoke_from_the_page(client, admin, create_user, db):
    first, plain_first = tokens.create_token(create_user("viewer"), "a")
    second, plain_second = tokens.create_token(create_user("viewer"), "b")
    db.session.commit()
    assert client.post(f"/staff/admin/tokens/{first.id}/expire").status_code == 303
    assert client.post(f"/staff/admin/tokens/{second.id}/revoke").status_code == 303
    assert "expired on" in api_get(client, plain_first).get_json()["error"]["detail"]
    assert "revoked" in api_get(client, plain_second).get_json()["error"]["detail"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "api_token")
    ).all()
    assert {"api_token.create", "api_token.expire", "api_token.revoke"} <= set(actions)
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    assert "Expired" in listing
    assert "Revoked on" in listing


def test_a_read_token_cannot_write(client, db, create_user):
    _row, plain = tokens.create_token(create_user("staff"), "reader", scope="read")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/countries/CO", headers=headers).status_code == 200
    response = client.put(
        "/api/v1/countries/CO/availability/QOPI", json={"status": "pilot"}, headers=headers
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["detail"] == "This API token may only read."


def test_a_read_token_may_ask_what_if(client, db, create_user):
    """The what-if is a POST that computes and saves nothing: a read token may call it."""
    _row, plain = tokens.create_token(create_user("viewer"), "reader", scope="read")
    db.session.commit()
    response = client.post(
        "/api/v1/readiness/what-if",
        json={"thresholds": {"QOPI": 3}},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": ""}, "Say what the token is for."),
        ({"user": ""}, "Choose the account the token acts as."),
        ({"expires_on": "2000-01-01"}, "Choose today or a later day"),
    ],
)
def test_a_refused_form_says_why_and_creates_nothing(client, admin, create_user, fields, message):
    data = {"user": str(create_user("viewer").id), "label": "x", "scope": "read", **fields}
    response = client.post("/staff/admin/tokens", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert ApiToken.query.count() == 0


def test_staff_cannot_reach_the_token_page(client, create_user, login):
    login(create_user("staff"))
    assert client.get("/staff/admin/tokens").status_code == 403


def test_the_cli_still_creates_a_token(app, db, create_user):
    user = create_user("viewer")
    result = CliRunner().invoke(
        app.cli, ["tokens", "create", "--email", user.email, "--label", "cron"]
    )
    assert result.exit_code == 0, result.output
    plain = result.output.strip()
    assert tokens.check_token(plain).user.id == user.id


@pytest.mark.parametrize(
    ("language", "active"), [("en", "Active"), ("es", "Activo"), ("pt_BR", "Ativo")]
)
def test_a_tokens_state_agrees_with_the_word_token(client, admin, db, language, active):
    """ "El token" and "o token" are masculine: "Activo", "Ativo", while an account ("la
    cuenta", "a conta") stays "Activa", "Ativa"."""
    created_token(client, admin)
    admin.locale = language
    db.session.commit()
    client.get(f"/language/{language}")
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    state = listing[listing.index("data-token=") :].split("</tr>")[0]
    assert re.search(rf">\s*{active}\s*<", state), state
    assert language == "en" or not re.search(r">\s*(Activa|Ativa)\s*<", state)
