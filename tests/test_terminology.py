"""One word for one idea in each catalog (a new-user trial found Portuguese mixing "preparo"
and "prontidão" for readiness, and Spanish saying "preparación" both for readiness and for a
program in the pipeline): readiness is "prontidão" in Portuguese and "preparación" in Spanish;
a program in the pipeline is "en trámite" in Spanish, never "en preparación"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def messages(locale: str) -> list[tuple[str, str]]:
    """(msgid, each msgstr form joined) of the locale's catalog."""
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    found = []
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        found.append((msgid, " ".join(s or "" for s in strings)))
    return found


def test_portuguese_says_prontidao_for_readiness_never_preparo():
    pt = messages("pt_BR")
    assert [(i, s) for i, s in pt if re.search(r"\bpreparo\b", s, re.I)] == []
    said = [s for i, s in pt if re.search(r"\breadiness (board|dashboard|state)\b", i, re.I)]
    assert said
    assert all("prontidão" in s.lower() for s in said), said


def test_spanish_keeps_preparacion_for_readiness_and_en_tramite_for_the_pipeline():
    es = dict(messages("es"))
    assert es["In pipeline"] == "En trámite"
    assert "en trámite" in es["QOPI is in the pipeline, not launched"]
    other = [
        (i, s)
        for i, s in es.items()
        if re.search(r"preparaci[oó]n", s, re.I) and not re.search(r"readiness", i, re.I)
    ]
    assert other == []


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
def test_the_pipeline_status_and_readiness_never_share_a_word(locale):
    strings = dict(messages(locale))
    pipeline = strings["In pipeline"].lower().split()[-1]
    assert pipeline not in strings["Readiness"].lower()
