"""The survey questionnaire (``docs/domain.md#survey``) as one WTForms form, every text
through ``_l``.

Answer keys and allowed values come from ``crm.responses.questionnaire``; status titles from
``crm.labels``; the number and country fields from ``surveys.fields``. Error messages are our
own, specific to each question ("Enter your email address"), so every error reads naturally
in the page's language.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from crm import labels
from crm.core.i18n import LANGUAGE_NAMES
from crm.responses import questionnaire
from crm.responses.forms import HasLetterOrDigit
from surveys.fields import (
    CheckboxesField,
    CountryField,
    WholeNumberField,
    WithinBounds,
    country_choices,
    offered_codes,
)

#: The one-time token of a rendered form (``secrets.token_urlsafe(24)`` gives 32 characters).
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{20,64}$"  # noqa: S105  (a format, not a secret)
#: A draft's resume token (``crm.drafts.queries.TOKEN_PATTERN``).
DRAFT_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # noqa: S105  (a format, not a secret)
#: Fields that are not answers: the tokens, the draft and invitation links, the honeypot.
NOT_ANSWERS = frozenset({"submission_token", "invitation", "draft", "website", "csrf_token"})
#: What a draft never keeps: consent is given on the page that sends (docs/domain.md#drafts).
NOT_SAVED = NOT_ANSWERS | {"consent"}
#: What the survey's stamp signs: it carries nothing but its time.
STAMP_SALT = "surveys.submission-stamp"

YES_NO = {"yes": _l("Yes"), "no": _l("No")}
YES_NO_UNSURE = {**YES_NO, "unsure": _l("Not sure")}
EHR_USE = {
    "full": _l("Yes, for all patient records"),
    "partial": _l("Partly: some records are still on paper"),
    "none": _l("No, our records are on paper"),
}
QTP_FORMATS = {
    "six_month": _l("The six-month course"),
    "one_day": _l("The one-day course"),
    "train_the_trainer": _l("Training local trainers in my country (train-the-trainer)"),
}
LICENSING = {
    "qtp_content": _l("Licensing the QTP course materials to run our own training"),
    "quality_symposium": _l(
        "Licensing the Quality of Care Symposium to hold a local “ASCO Direct Highlights” event"
    ),
}
CHOOSE_OFFERED = _l("Choose one of the options shown.")
CSRF_EXPIRED = _l(
    "For your security, this page stops accepting answers after a while. Your answers are "
    "still here: please check them and send them again."
)
TOKEN_INVALID = _l(
    "This form could not be sent as it was. Please check your answers and send it again."
)


def new_submission_token() -> str:
    """A fresh one-time token for a rendered survey form (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


class SubmissionStamp(CSRF):
    """The survey's CSRF token: signed with the app's secret and dated, tied to no session,
    valid ``SURVEY_DRAFT_DAYS`` (``docs/decisions.md#survey-stamp``).

    Flask-WTF's token lasts an hour and lives in the session cookie: a survey sent again hours
    later, after a lost connection, a reload or a browser restart, would be refused. This one
    outlives all of them and needs no cookie; every other form keeps Flask-WTF's token. A
    stamp is not one-time: the submission token is (``docs/decisions.md#double-submits``).
    """

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.meta.csrf_secret, salt=STAMP_SALT)

    def generate_csrf_token(self, csrf_token_field) -> str:
        """A stamp of this instant."""
        return self._serializer().dumps(1)

    def validate_csrf_token(self, form, field) -> None:
        """Raise ``ValidationError`` for a missing, altered or older stamp than
        ``SURVEY_DRAFT_DAYS``."""
        max_age = current_app.config["SURVEY_DRAFT_DAYS"] * 86400
        try:
            self._serializer().loads(field.data or "", max_age=max_age)
        except BadData:
            raise ValidationError(str(CSRF_EXPIRED)) from None


def _choices(values: Iterable[str], titles: dict) -> list[SelectChoice]:
    """One choice per value, in the vocabulary's order; every value must have a title."""
    return [SelectChoice(value, titles[value]) for value in values]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _text(
    label, key: str, *, required: str | None = None, validators: Sequence = (), **kwargs
) -> StringField:
    """A free-text field capped at ``questionnaire.TEXT_LIMITS[key]`` characters, then checked
    by any further ``validators``."""
    field_class = kwargs.pop("field_class", StringField)
    first = DataRequired(message=required) if required else Optional()
    limit = Length(
        max=questionnaire.TEXT_LIMITS[key], message=_l("Use no more than %(max)d characters.")
    )
    return field_class(label, validators=[first, limit, *validators], filters=[_strip], **kwargs)


def _radio(label, key: str, titles: dict, *, required: str | None = None, **kwargs) -> RadioField:
    """A radio group offering exactly the vocabulary of ``questionnaire.CHOICES[key]``."""
    first = InputRequired(message=required) if required else Optional()
    return RadioField(
        label,
        choices=_choices(questionnaire.CHOICES[key], titles),
        validators=[first],
        invalid_choice_message=CHOOSE_OFFERED,
        **kwargs,
    )


def _number(label, key: str, *, required: str | None = None, **kwargs) -> WholeNumberField:
    first = InputRequired(message=required) if required else Optional()
    return WholeNumberField(
        label,
        validators=[first, WithinBounds()],
        bounds=questionnaire.NUMBER_BOUNDS[key],
        **kwargs,
    )


def _interest(program: str) -> RadioField:
    return _radio(
        _l("How interested is your practice in %(program)s?", program=program),
        questionnaire.INTEREST_KEYS[program],
        labels.INTEREST_LEVEL,
        required=_l("Choose how interested your practice is in %(program)s.", program=program),
    )


class SurveyForm(FlaskForm):
    """The International Interest Survey (``docs/domain.md#survey``), one field per
    ``crm.responses.questionnaire`` key.

    ``countries`` are ``(ISO code, localized name)`` pairs in display order; only those codes
    are accepted. ``form.data`` of a valid form feeds ``surveys.operations.survey_answers``.
    """

    # About you
    name = _text(
        _l("Your full name"),
        "name",
        required=_l("Enter your name."),
        validators=[HasLetterOrDigit(_l("Your name needs at least one letter or digit."))],
        render_kw={"autocomplete": "name"},
    )
    role = _text(
        _l("Your role at the practice"),
        "role",
        description=_l("For example: medical oncologist, nurse, practice manager."),
        render_kw={"autocomplete": "organization-title"},
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(
                max=questionnaire.TEXT_LIMITS["email"],
                message=_l("Use no more than %(max)d characters."),
            ),
            Email(message=_l("Enter an email address in the form name@example.com.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    phone = _text(
        _l("Phone number"),
        "phone",
        field_class=TelField,
        description=_l("Include the country code, for example +55 11 5555 0100."),
        render_kw={"autocomplete": "tel"},
    )
    preferred_language = RadioField(
        _l("Which language should we use when we write to you?"),
        choices=[
            SelectChoice(code, LANGUAGE_NAMES[code], {"lang": code.replace("_", "-")})
            for code in questionnaire.CHOICES["preferred_language"]
        ],
        validators=[InputRequired(message=_l("Choose a language."))],
        invalid_choice_message=CHOOSE_OFFERED,
    )

    # Your practice
    practice_name = _text(
        _l("Name of your practice or institution"),
        "practice_name",
        required=_l("Enter the name of your practice."),
        validators=[
            HasLetterOrDigit(_l("The name of your practice needs at least one letter or digit."))
        ],
        render_kw={"autocomplete": "organization"},
    )
    country = CountryField(
        _l("Country"),
        validators=[InputRequired(message=_l("Choose the country where your practice is."))],
        invalid_choice_message=_l("Choose a country from the list."),
        render_kw={"autocomplete": "country"},
    )
    city = _text(_l("City"), "city", render_kw={"autocomplete": "address-level2"})
    practice_type = _radio(
        _l("What type of practice is it?"),
        "practice_type",
        labels.PRACTICE_TYPE,
        required=_l("Choose the type of practice."),
    )
    outpatient_hem_onc = _radio(
        _l("Does your practice provide outpatient hematology-oncology care?"),
        "outpatient_hem_onc",
        YES_NO,
        required=_l("Choose whether your practice provides outpatient hematology-oncology care."),
    )
    oncologists_count = _number(
        _l("How many oncologists work at your practice?"), "oncologists_count"
    )
    new_patients_per_year = _number(
        _l("About how many new cancer patients does your practice see each year?"),
        "new_patients_per_year",
    )
    asco_members_count = _number(
        _l("How many people at your practice are active ASCO members?"),
        "asco_members_count",
        required=_l("Enter the number of active ASCO members at your practice (0 if none)."),
        description=_l("Enter 0 if there are none. QOPI needs at least one."),
    )
    ehr_use = _radio(_l("Does your practice use electronic health records?"), "ehr_use", EHR_USE)

    # The programs
    interest_qopi = _interest("QOPI")
    interest_qcp = _interest("QCP")
    interest_qtp = _interest("QTP")
    qtp_formats = CheckboxesField(
        _l("Which QTP formats would suit your team?"),
        choices=_choices(questionnaire.QTP_FORMATS, QTP_FORMATS),
        description=_l("Choose all that apply."),
        invalid_choice_message=CHOOSE_OFFERED,
    )
    licensing = CheckboxesField(
        _l("Would your organization like to license any of these?"),
        choices=_choices(questionnaire.LICENSING, LICENSING),
        description=_l("Choose all that apply."),
        invalid_choice_message=CHOOSE_OFFERED,
    )
    reads_english = _radio(
        _l(
            "Can the staff who would enter QOPI data read and understand the QOPI measures "
            "in English?"
        ),
        "reads_english",
        YES_NO,
        required=_l("Choose whether your staff can read the QOPI measures in English."),
        description=_l("QOPI data are entered in English."),
    )
    willing_to_sign_agreement = _radio(
        _l("Would your practice be willing to sign a QOPI participation agreement?"),
        "willing_to_sign_agreement",
        YES_NO_UNSURE,
    )
    willing_to_pay_qcp_fee = _radio(
        _l("Would your practice be willing to pay the QCP fee?"),
        "willing_to_pay_qcp_fee",
        YES_NO_UNSURE,
        description=_l("The fee is based on what it costs to certify your practice."),
    )
    timeframe = _radio(_l("When would your practice like to start?"), "timeframe", labels.TIMEFRAME)

    # Anything else, consent
    comments = _text(
        _l("Is there anything else you would like to tell us?"),
        "comments",
        field_class=TextAreaField,
        render_kw={"rows": 5},
    )
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that my answers are stored and used as "
            "it describes."
        ),
        validators=[
            DataRequired(message=_l("To send the survey, please accept the privacy notice."))
        ],
    )
    permission_to_contact = BooleanField(
        _l("You may contact me about these programs by email or phone."),
    )

    # Not questions: the one-time token (double submits), an invitation's token, a honeypot.
    submission_token = HiddenField(
        validators=[
            InputRequired(message=TOKEN_INVALID),
            Regexp(TOKEN_PATTERN, message=TOKEN_INVALID),
        ]
    )
    #: A personal invitation's link token; an unusable one is simply ignored.
    invitation = HiddenField(validators=[Optional(), Length(max=64)])
    website = StringField(
        _l("Leave this field empty"),
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )

    #: The resume link of the draft this page continues (``crm.drafts``); saving again
    #: updates that draft, sending deletes it.
    draft = HiddenField(validators=[Optional(), Regexp(DRAFT_TOKEN_PATTERN, message=TOKEN_INVALID)])

    class Meta:
        csrf_class = SubmissionStamp

    def __init__(self, *args, countries: Sequence[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        countries = tuple(countries)
        self.country.choices = list(country_choices(countries))
        self.country.offered = offered_codes(countries)
        if not self.submission_token.data:
            self.submission_token.data = new_submission_token()

    def validate(self, extra_validators=None) -> bool:
        """Validate every field; a failed CSRF check gets our translated, reassuring message."""
        valid = super().validate(extra_validators)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            csrf_field.errors[:] = [str(CSRF_EXPIRED)]
        return valid

    def validate_for_saving(self) -> bool:
        """Check what a save needs, not the answers: the stamp, the one-time token and the
        draft's link. A save keeps what was typed, finished or not (``docs/domain.md#drafts``)."""
        fields = [self.submission_token, self.draft]
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None:
            fields.append(csrf_field)
        return all([field.validate(self) for field in fields])

    def typed_answers(self) -> dict[str, Any]:
        """What was typed, as a draft keeps it (``docs/domain.md#drafts``): each question's
        text as typed (numbers included, in the page's style), the offered choices of a
        choice question (a list for several), unanswered questions left out; never the consent
        or a token."""
        answers: dict[str, Any] = {}
        for field in self:
            if field.name in NOT_SAVED or not field.raw_data:
                continue
            values = [value for value in field.raw_data if isinstance(value, str) and value]
            if isinstance(field, SelectFieldBase):
                offered = {str(value) for value, *_rest in field.choices}
                values = [value for value in values if value in offered]
            if isinstance(field, CheckboxesField):
                answers[field.name] = values
            elif values and values[0].strip():
                answers[field.name] = values[0]
        return {key: value for key, value in answers.items() if value}

    def carry_numbers_over(self, typed_in: str) -> None:
        """After a language switch, show every whole number typed on the ``typed_in`` page
        (a locale) in the current page's style (``WholeNumberField.carry_over``)."""
        for field in self:
            if isinstance(field, WholeNumberField):
                field.carry_over(typed_in)

    @property
    def honeypot_filled(self) -> bool:
        """True when the field no person sees was filled (a bot)."""
        return bool((self.website.data or "").strip())

    def tampered(self) -> bool:
        """True when the request is not one our page sends: an option that was never offered,
        a missing or malformed one-time token, or a failed CSRF check. The view answers it with
        status 400, still showing the form with every answer kept."""
        for field in self:
            if isinstance(field, SelectFieldBase) and field.raw_data:
                offered = {str(value) for value, *_rest in field.choices}
                if any(value not in offered for value in field.raw_data if value):
                    return True
        csrf_field = getattr(self, "csrf_token", None)
        return bool(self.submission_token.errors or (csrf_field is not None and csrf_field.errors))

    def renew_token_if_invalid(self) -> None:
        """Give a form whose one-time token was malformed a fresh one, so it can be sent."""
        if self.submission_token.errors:
            self.submission_token.data = new_submission_token()
            self.submission_token.raw_data = [self.submission_token.data]
