"""The public survey pages: questionnaire, language switch, saved drafts and their resume
links, thank-you page, privacy notice.

URLs carry the language (``/en/survey``, ``/es/survey``, ``/pt/survey``,
``docs/domain.md#survey``); anything else under ``/<lang>/`` is a 404. Every page works without
JavaScript.

Abuse and mistakes, decided here: a form that fails validation comes back with every answer
kept (status 200, or 400 when it holds something our page never sends: an option not offered,
a bad one-time token, a failed CSRF check); a filled honeypot stores nothing and gets a neutral
"not sent" page (200) telling a person how to send again; the submit rate limit (per client
address) shows the form again with its answers and a note to wait (429); a body over
``MAX_SURVEY_BYTES`` and a non-form POST get the bad-request page (400) in the page's language,
the first saying that the form was too large.
"""

from __future__ import annotations

import functools

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from crm.core.access import public
from crm.core.errors import render_error
from crm.core.extensions import csrf, db, limiter
from crm.core.i18n import (
    LANGUAGE_NAMES,
    LOCALES,
    SEGMENT_OF,
    URL_SEGMENTS,
    select_locale,
    sorted_countries,
)
from crm.countries.availability import program_outcomes, program_reach
from crm.countries.models import Country
from crm.drafts.models import SurveyDraft
from crm.drafts.queries import LinkState as DraftState
from crm.drafts.queries import invitation_draft, open_draft
from crm.outreach.queries import LinkState, open_link, prefill
from crm.privacy import notice as privacy_notice
from crm.responses.models import SurveyResponse
from surveys import operations
from surveys.forms import SurveyForm

blueprint = Blueprint("surveys", __name__)

LANG = "<any(en, es, pt):lang>"
#: Largest survey request body. Every answer at its longest, in a 4-byte script and
#: percent-encoded, stays under 80 KiB.
MAX_SURVEY_BYTES = 128 * 1024
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
COUNTRY_CODES_KEY = "surveys.country_codes"


def submit_rate_limit() -> str:
    return current_app.config["SURVEY_SUBMIT_RATE_LIMIT"]


@blueprint.before_request
def accept_only_form_posts() -> None:
    """Survey POSTs are HTML form posts of a bounded size: anything else is a 400 (a body over
    the size is refused when the form is read: ``form_too_large``)."""
    if request.method == "POST":
        request.max_content_length = MAX_SURVEY_BYTES
        if request.mimetype not in FORM_TYPES:
            abort(400)


@functools.lru_cache(maxsize=32)
def countries_in(locale: str, codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``(code, name)`` pairs sorted for ``locale``; kept per process, since sorting 250 CLDR
    names on every request was a sixth of a survey submit's time (README "Performance")."""
    return tuple(sorted_countries(codes, locale))


def country_codes() -> tuple[str, ...]:
    """ISO codes of every country, read once per app: reference data ``flask seed`` writes
    before the app serves. A survey POST that reads nothing before intake holds SQLite's write
    lock only while it writes (README "Performance")."""
    codes = current_app.extensions.get(COUNTRY_CODES_KEY)
    if not codes:
        codes = tuple(db.session.scalars(select(Country.code).order_by(Country.code)))
        current_app.extensions[COUNTRY_CODES_KEY] = codes
    return codes


def survey_form(formdata=None) -> SurveyForm:
    """The questionnaire with the country list in the page's language (``formdata`` kept)."""
    form = SurveyForm(formdata=formdata, countries=countries_in(select_locale(), country_codes()))
    if formdata is None:
        form.preferred_language.data = select_locale()
    return form


def render_survey(form: SurveyForm, status: int = 200, **context):
    """The survey page; its language buttons re-show the same answers in another language,
    telling the next page which language the numbers were typed in (``from``).

    ``context`` reaches the template; ``restorable`` (a page opened by GET, not one answering
    a POST) lets the page's script bring back answers kept in the browser, when they are newer
    than ``draft``'s (``docs/decisions.md#answers-in-the-browser``)."""
    typed_in = SEGMENT_OF[select_locale()]
    other_languages = [
        {
            "locale": locale,
            "name": LANGUAGE_NAMES[locale],
            "action": url_for(
                "surveys.switch_language", lang=SEGMENT_OF[locale], **{"from": typed_in}
            ),
        }
        for locale in LOCALES
        if locale != select_locale()
    ]
    page = render_template(
        "surveys/survey.html",
        form=form,
        reach=program_reach(),
        other_languages=other_languages,
        **context,
    )
    return page, status


def private_page(page: str, status: int = 200):
    """A page that shows a personal link or its answers: never stored by a cache, never
    indexed."""
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def draft_form(saved: SurveyDraft, **links: str) -> SurveyForm:
    """The questionnaire holding a draft's answers as they were typed, its one-time token, and
    the page's links (``draft``: its resume token; ``invitation``: an invitation's)."""
    formdata = MultiDict()
    for key, value in saved.answers.items():
        for item in value if isinstance(value, list) else [value]:
            formdata.add(key, item)
    formdata["submission_token"] = saved.submission_token
    for name, token in links.items():
        formdata[name] = token
    return survey_form(formdata)


@blueprint.route(f"/{LANG}/survey", methods=["GET", "POST"])
@public
@csrf.exempt  # the form checks its own token, so an expired one keeps every answer
@limiter.limit(submit_rate_limit, methods=["POST"])
def survey(lang: str):
    """The questionnaire; a valid POST is stored once and redirected (303) to its thank-you."""
    if request.method == "GET":
        return render_survey(survey_form(), restorable=True)
    form = survey_form(request.form)
    if form.honeypot_filled:
        return render_template("surveys/not_accepted.html")
    if not form.validate():
        status = 400 if form.tampered() else 200
        form.renew_token_if_invalid()
        return render_survey(form, status)
    operations.submit_survey(form.data, language=select_locale())
    db.session.commit()
    token = form.submission_token.data
    return redirect(url_for("surveys.thanks", lang=lang, token=token), code=303)


@blueprint.get(f"/{LANG}/survey/i/<token>")
@public
def invited(lang: str, token: str):
    """The survey opened by a personal invitation, prefilled with what we know about
    the contact and their practice, or with the answers saved from this invitation's page
    (``docs/domain.md#drafts``). A used, expired, altered or unknown link gets a page that
    says so (410 or 404) and shows nobody's data."""
    link = open_link(token)
    if link.state != LinkState.OPEN:
        status = 404 if link.state == LinkState.INVALID else 410
        page = render_template("surveys/invitation_link.html", state=str(link.state))
        return private_page(page, status)
    draft = invitation_draft(link.invitation.id)
    if draft is not None:
        form = draft_form(draft, invitation=token)
    else:
        form = survey_form()
        for key, value in prefill(link.invitation).items():
            form[key].data = value
        form.invitation.data = token
    page, status = render_survey(
        form,
        invited=True,
        draft=draft,
        restored_draft=draft is not None,
        restorable=True,
        storage_key=f"i{link.invitation.id}",
    )
    return private_page(page, status)


@blueprint.post(f"/{LANG}/survey/save")
@public
@csrf.exempt  # the form's own stamp (docs/decisions.md#survey-stamp)
@limiter.limit(submit_rate_limit, methods=["POST"])
def save(lang: str):
    """Save what was typed as a draft, answered or not, and show its resume link (303 to it);
    the link is emailed when an email was typed. The questions are not checked: sending
    does that. A failed stamp or token shows the page again (400), every answer kept."""
    form = survey_form(request.form)
    if form.honeypot_filled:
        return render_template("surveys/not_accepted.html")
    if not form.validate_for_saving():
        form.renew_token_if_invalid()
        return render_survey(form, 400)
    saved = operations.save_survey_draft(form, language=select_locale())
    db.session.commit()
    target = url_for(
        "surveys.resume", lang=SEGMENT_OF[saved.draft.language], token=saved.token, saved=1
    )
    return redirect(target, code=303)


@blueprint.get(f"/{LANG}/survey/resume/<token>")
@public
def resume(lang: str, token: str):
    """A draft's resume link: the survey in the draft's language with every answer as it was
    typed, and the link itself once more (``?saved=1`` right after a save says so). A link
    opened under another language goes to the draft's (302). An unknown, sent, erased or
    altered link is a 404, an expired one a 410, each a page that says so."""
    link = open_draft(token)
    if link.state != DraftState.OPEN:
        status = 404 if link.state == DraftState.INVALID else 410
        page = render_template("surveys/draft_link.html", state=str(link.state))
        return private_page(page, status)
    draft = link.draft
    if SEGMENT_OF[draft.language] != lang:
        saved = {"saved": 1} if request.args.get("saved") else {}
        target = url_for("surveys.resume", lang=SEGMENT_OF[draft.language], token=token, **saved)
        return redirect(target, code=302)
    page, status = render_survey(
        draft_form(draft, draft=token),
        draft=draft,
        just_saved=bool(request.args.get("saved")),
        resume_url=url_for("surveys.resume", lang=lang, token=token, _external=True),
        restorable=True,
        storage_key=f"d{draft.id}",
    )
    return private_page(page, status)


@blueprint.post(f"/{LANG}/survey/language")
@public
@csrf.exempt  # stores nothing: it only shows the same answers in another language
def switch_language(lang: str):
    """The questionnaire in ``lang`` with the answers typed so far; nothing validated or stored.

    Numbers typed on the page the switch came from (``?from=es``) are shown in this page's
    style ("1.500" → "1,500"), so they are never read in a style they were not typed in.
    """
    form = survey_form(request.form)
    typed_in = URL_SEGMENTS.get(request.args.get("from", ""))
    if typed_in:
        form.carry_numbers_over(typed_in)
    return render_survey(form)


@blueprint.get(f"/{LANG}/survey/language")
@public
def language_address(lang: str):
    """The address a language switch leaves in the address bar, opened again (a bookmark, a
    shared link): the questionnaire in ``lang`` (303), never a 405. A GET carries no answers;
    those the browser kept are offered back there as on any visit to the survey."""
    return redirect(url_for("surveys.survey", lang=lang), code=303)


@blueprint.errorhandler(429)
def too_many_submits(error: HTTPException):
    """The rate limit: the same answers again, with a friendly note to wait and send later."""
    request.max_content_length = MAX_SURVEY_BYTES
    try:
        formdata = request.form if request.mimetype in FORM_TYPES else None
    except HTTPException:  # too large: the note alone, without the answers
        formdata = None
    return render_survey(survey_form(formdata or None), 429, rate_limited=True)


@blueprint.errorhandler(RequestEntityTooLarge)
def form_too_large(error: RequestEntityTooLarge):
    """A body over ``MAX_SURVEY_BYTES``: a bad request (400), not werkzeug's 413, on the page in
    the survey's language that says why. Staff uploads keep the app's own 413 page."""
    return render_error(
        400,
        _("The form you sent was too large. Please shorten your longest answers and try again."),
    )


@blueprint.get(f"/{LANG}/survey/thanks/<token>")
@public
def thanks(lang: str, token: str):
    """What is available in the respondent's country and what happens next (no personal data)."""
    response = db.first_or_404(
        select(SurveyResponse).where(SurveyResponse.submission_token == token)
    )
    return render_template(
        "surveys/thanks.html",
        country_code=response.country_code,
        outcomes=program_outcomes(response.country_code, response.answers),
        permission_to_contact=response.permission_to_contact,
    )


@blueprint.get("/survey")
@public
def choose_language():
    """Bare ``/survey``: the survey in the language the browser asks for."""
    return redirect(url_for("surveys.survey", lang=SEGMENT_OF[select_locale()]), code=302)


@blueprint.get(f"/{LANG}/privacy")
@public
def privacy(lang: str):
    """The current privacy notice, the one the survey's consent refers to."""
    return render_notice(privacy_notice.current_version(current_app.config))


@blueprint.get(f"/{LANG}/privacy/<version>")
@public
def privacy_version(lang: str, version: str):
    """One version of the privacy notice, current or earlier; 404 for a version never published."""
    notice = privacy_notice.find_version(version)
    if notice is None:
        abort(404)
    return render_notice(notice)


def render_notice(notice: privacy_notice.NoticeVersion):
    """The page of ``notice``, with the list of every version and the contact for requests."""
    current = privacy_notice.current_version(current_app.config)
    return render_template(
        notice.template,
        notice=notice,
        current=current,
        is_current=notice == current,
        versions=privacy_notice.VERSIONS,
        contact_email=current_app.config["PRIVACY_CONTACT_EMAIL"],
        retention_days=current_app.config["RAW_ANSWER_RETENTION_DAYS"],
        draft_days=current_app.config["SURVEY_DRAFT_DAYS"],
    )


@blueprint.record_once
def check_notice_version(state) -> None:
    """Refuse to start when ``PRIVACY_NOTICE_VERSION`` names no published notice."""
    privacy_notice.current_version(state.app.config)
