"""The form that saves a list's view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length


class SaveViewForm(FlaskForm):
    """A name for the list's current filters and sort, and whether the team sees it."""

    name = StringField(_l("Name of the view"), validators=[DataRequired(), Length(max=100)])
    shared = BooleanField(_l("Share with the team"))
    list_name = HiddenField()
    #: The list's query string when the form was shown.
    query = HiddenField()
