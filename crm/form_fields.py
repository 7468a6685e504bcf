"""Form pieces shared by the staff forms and the survey: a date field held to the calendar the
app accepts, and a validator for names that must be matchable."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms import DateField
from wtforms.validators import StopValidation, ValidationError

from crm.clock import EARLIEST_DAY, LATEST_DAY, within_calendar
from crm.practices import normalize_key
from crm.presentation import localized_date


class CalendarDateField(DateField):
    """A date field that refuses days outside :data:`crm.clock.EARLIEST_DAY` ..
    :data:`crm.clock.LATEST_DAY` with an error next to it (a typo such as year 20266)."""

    def pre_validate(self, form: Any) -> None:
        super().pre_validate(form)
        if self.data is not None and not within_calendar(self.data):
            self.data = None
            raise StopValidation(
                _(
                    "Enter a date between %(earliest)s and %(latest)s.",
                    earliest=localized_date(EARLIEST_DAY),
                    latest=localized_date(LATEST_DAY),
                )
            )


class HasLetterOrDigit:
    """Validator: the text keeps at least one letter or digit once normalized for matching
    (``crm.practices.normalize_key``). A name of punctuation alone ("---") has an empty key,
    and every practice so named in a country would be one practice."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not normalize_key(field.data):
            raise ValidationError(str(self.message))
