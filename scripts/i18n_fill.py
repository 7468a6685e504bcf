"""Fill msgstr entries of the es and pt_BR catalogs from a JSON file of translations.

Usage: ``python scripts/i18n_fill.py FILE.json [--report]``. The JSON maps a locale to
``{msgid: msgstr}``; a plural entry's msgstr is a list with every plural form (es and pt_BR
have three in current Babel); a message with a context (``pgettext``) is keyed
``"context\u0004msgid"``, as gettext keys it. Existing translations are replaced only when the
JSON gives one.
``--report`` prints what is still untranslated or fuzzy, per catalog.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("es", "pt_BR")


def catalog_path(locale: str) -> Path:
    return ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


def fill(locale: str, translations: dict[str, object]) -> int:
    """Write ``translations`` into the locale's catalog; returns how many entries changed."""
    path = catalog_path(locale)
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    changed = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and message.context:
            key = f"{message.context}\x04{key}"
        if not key or key not in translations:
            continue
        value = translations[key]
        if isinstance(message.id, tuple):
            forms = list(value) if isinstance(value, list) else [value]
            forms += [forms[-1]] * (catalog.num_plurals - len(forms))
            message.string = tuple(forms[: catalog.num_plurals])
        else:
            message.string = value
        message.flags.discard("fuzzy")
        changed += 1
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return changed


def report(locale: str) -> list[str]:
    """Message ids still untranslated or fuzzy in the locale's catalog."""
    with catalog_path(locale).open("rb") as f:
        catalog = read_po(f, locale=locale)
    todo = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            todo.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return todo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    if args.file:
        data = json.loads(args.file.read_text(encoding="utf-8"))
        for locale in LOCALES:
            print(f"{locale}: {fill(locale, data.get(locale, {}))} entries filled")
    if args.report or not args.file:
        for locale in LOCALES:
            todo = report(locale)
            print(f"{locale}: {len(todo)} to translate")
            for msgid in todo:
                print(f"  {msgid!r}")


if __name__ == "__main__":
    main()
