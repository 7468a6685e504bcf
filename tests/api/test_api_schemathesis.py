"""Schemathesis fuzzes every operation of /api/v1/openapi.json: no server error, and every
answer matches the document (status codes, content types, response schemas).

The operations are driven from one test with Hypothesis directly: schemathesis' pytest
fixture integration does not run under pytest 9.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.api.tokens import create_token

EXAMPLES_PER_OPERATION = 30
#: No server error and no answer that breaks the document. Left out: "positive data
#: acceptance", since schema-valid data can still break a business rule (an agreement that
#: takes effect before it is signed is a documented 422).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def test_every_operation_conforms_to_the_document(app, db, create_user):
    _row, token = create_token(create_user("admin"))
    db.session.commit()
    # The in-process transport hands the body over as sent: ask for it uncompressed.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            finally:
                # The test's app context outlives each call, so one failed flush would
                # otherwise fail every later operation with PendingRollbackError.
                db.session.rollback()

        try:
            check()
        except Exception as error:  # noqa: BLE001  (collect every operation's failure)
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert failures == []
