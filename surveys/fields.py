"""The survey's own fields: whole numbers read in the page's language
(``docs/domain.md#numbers``), the country select, and checkbox lists."""

from __future__ import annotations

import functools
import re

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

#: Spaces a person may type for a locale whose grouping is a (narrow) no-break space.
SPACES = (" ", "\u00a0", "\u202f")
#: Most digits a whole-number answer may have (every bound is far below 10**15).
MAX_DIGITS = 15
#: The number shown in the "whole number" message, formatted for the page ("1,500", "1.500").
EXAMPLE_NUMBER = 1500


@functools.lru_cache(maxsize=32)
def country_choices(countries: tuple[tuple[str, str], ...]) -> tuple[SelectChoice, ...]:
    """The country question's options for ``(code, name)`` pairs, made once per list."""
    return (
        SelectChoice("", _l("Choose a country")),
        *(SelectChoice(code, name) for code, name in countries),
    )


class CountryField(SelectField):
    """The country select: the submitted code is looked up in a set of the offered codes
    (WTForms compares option by option: with 250 countries, a twentieth of a submit's time)."""

    offered: frozenset[str] = frozenset()

    def pre_validate(self, form) -> None:
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in self.offered:
            raise ValidationError(self.invalid_choice_message)


@functools.lru_cache(maxsize=32)
def offered_codes(countries: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """The values the country question offers for ``(code, name)`` pairs ("" included)."""
    return frozenset(["", *(code for code, _name in countries)])


def read_whole_number(text: str, locale: str | Locale) -> int | None:
    """The whole number ``text`` means on a page in ``locale``, or None when it is not one.

    Thousands may be grouped only in the locale's own style, at the right places (CLDR data
    through Babel's strict parsing): "1,500" is 1500 in ``en`` and "1.500" in ``es`` and
    ``pt_BR``; plain digits ("1500", or digits of any script) are read in every locale; a
    locale that groups with a no-break space also takes a plain or narrow space. A decimal
    separator is never accepted, so "1.500" on an English page and "1,500" on a Spanish one,
    which one reader means as 1500 and another as 1.5, are refused instead of guessed
    (docs/domain.md#numbers). Leading "-" or "+" is kept: bounds are checked by the caller.
    Raises nothing.
    """
    group = get_group_symbol(locale)
    text = text.strip()
    if group in SPACES:
        for space in SPACES:
            text = text.replace(space, group)
    shape = rf"[-+]?\d+(?:{re.escape(group)}\d+)*"
    if get_decimal_symbol(locale) in text or not re.fullmatch(shape, text):
        return None
    try:
        number = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        return None
    return int(number)


def whole_number_message() -> str:
    """The error for text that is not a whole number in the page's style, with an example
    formatted for the page's language ("Enter a whole number, without decimals, for example
    1,500.")."""
    return _(
        "Enter a whole number, without decimals, for example %(example)s.",
        example=format_number(EXAMPLE_NUMBER),
    )


class WholeNumberField(StringField):
    """A whole number typed as text (``inputmode="numeric"``): keeps what was typed on error.

    The text is read in the page's locale by ``read_whole_number``. ``type="number"`` is not
    used: browsers read it in the browser's own locale and send an empty value for grouping
    they dislike, so what was typed would be lost without a word (docs/domain.md#numbers).
    ``data`` is an int, None when empty; the raw text stays for re-display. Text that is not a
    whole number gets ``whole_number_message``; more than ``MAX_DIGITS`` digits get the same
    message as a number out of ``bounds``.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, bounds: tuple[int, int], **kwargs):
        render_kw = {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.bounds = bounds

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        raw = valuelist[0].strip()
        if not raw:
            return
        number = read_whole_number(raw, get_locale() or "en")
        if number is None:
            raise ValueError(whole_number_message())
        if abs(number) >= 10**MAX_DIGITS:
            raise ValueError(bounds_message(*self.bounds))
        self.data = number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def carry_over(self, typed_in: str) -> None:
        """Rewrite the text typed on a page in locale ``typed_in`` in the current page's style
        ("1.500" typed in Spanish shows as "1,500" in English), so that a language switch never
        hands a number to a reader of another style. Text that was no whole number there stays
        as typed."""
        if not self.raw_data or not self.raw_data[0].strip():
            return
        number = read_whole_number(self.raw_data[0], typed_in)
        if number is None or abs(number) >= 10**MAX_DIGITS:
            return
        self.data = number
        self.raw_data = [format_number(number)]
        self.process_errors = []


def bounds_message(low: int, high: int) -> str:
    """The error for a number outside ``low``..``high``, formatted for the page's language
    ("Enter a whole number from 0 to 10,000.")."""
    return _(
        "Enter a whole number from %(low)s to %(high)s.",
        low=format_number(low),
        high=format_number(high),
    )


class WithinBounds:
    """Validator: the field's int is within its inclusive ``bounds`` (skips None)."""

    def __call__(self, form, field) -> None:
        low, high = field.bounds
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(bounds_message(low, high))


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (no JavaScript needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
