"""Fixtures for the survey tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.surveys.support import valid_form


@pytest.fixture
def post_survey(client: FlaskClient) -> Callable[..., object]:
    """``post_survey(lang="pt", **overrides)`` posts a valid survey with ``overrides`` applied
    (None removes a field); returns the response, redirects not followed."""

    def post(lang: str = "pt", **overrides):
        return client.post(f"/{lang}/survey", data=valid_form(**overrides))

    return post
