"""Going back after a form or a language choice never leaves the site."""

from __future__ import annotations

import pytest

from crm.core.redirects import local_path

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    None,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_anything_but_a_local_path_falls_back(target):
    assert local_path(target, "/home") == "/home"


LOCAL = ["/", "/staff/responses?status=new&sort=-submitted", "/es/survey"]


@pytest.mark.parametrize("target", LOCAL)
def test_a_local_path_is_kept(target):
    assert local_path(target, "/home") == target


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "//evil.example"])
def test_the_language_switch_never_redirects_off_site(client, target):
    response = client.get("/language/es", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
