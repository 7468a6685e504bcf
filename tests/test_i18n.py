"""Catalogs stay complete: every message in code and templates is translated in es and pt_BR."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("es", "pt_BR")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "_n": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def catalog(locale: str):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def scanned_directory(path: str) -> bool:
    """Every folder but hidden ones: Babel's default also skips ``_*`` (``templates/_macros``)."""
    name = os.path.basename(path)
    return not name.startswith(".") and name not in {"__pycache__", "node_modules"}


def extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    ids = set()
    for *_ignored, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=scanned_directory
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def ids_of(cat) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in cat if m.id}


@pytest.fixture(scope="module")
def in_code() -> set[str]:
    return extracted_ids()


def test_extraction_finds_messages(in_code):
    assert "Skip to main content" in in_code


def test_extraction_reads_folders_starting_with_an_underscore(in_code):
    assert "Please check your answers" in in_code  # templates/_macros/forms.html


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_code_is_in_the_catalog(locale, in_code):
    missing = sorted(in_code - ids_of(catalog(locale)))
    assert missing == [], "run `make i18n-update` and translate these"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_fully_translated_without_fuzzy(locale):
    cat = catalog(locale)
    problems = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
        if isinstance(message.id, tuple) and len(strings) != cat.num_plurals:
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_match(locale):
    mismatched = []
    for message in catalog(locale):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(source[-1])) | set(PLACEHOLDER.findall(source[0]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - wanted:
                mismatched.append((message.id, text))
            if not isinstance(message.id, tuple) and set(PLACEHOLDER.findall(text)) != wanted:
                mismatched.append((message.id, text))
    assert mismatched == []
