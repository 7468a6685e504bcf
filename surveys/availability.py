"""Where each program is available today, read from the CRM's availability data (SPEC §2, §4).

Feeds the survey's program background and the thank-you page; wording lives in templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crm.core.extensions import db
from crm.core.i18n import sorted_countries
from crm.countries import queries
from crm.countries.models import Country
from crm.responses.models import INTERESTED_LEVELS
from crm.responses.questionnaire import INTEREST_KEYS

PROGRAMS = tuple(INTEREST_KEYS)


@dataclass(frozen=True)
class ProgramReach:
    """Countries where a program is launched, as shown to respondents.

    ``countries`` are ``(code, localized name)`` sorted by the page's language; when every EU
    member state is among them, ``all_eu`` is True and they are left out of ``countries``.
    """

    program: str
    countries: list[tuple[str, str]]
    all_eu: bool


@dataclass(frozen=True)
class ProgramOutcome:
    """One program as the thank-you page tells it for the respondent's country."""

    program: str
    #: Launched (``available`` or ``pilot``) in the respondent's country today.
    launched: bool
    #: The respondent said their practice is very or somewhat interested.
    chosen: bool
    #: QOPI is launched there (QCP builds on QOPI, SPEC §2).
    qopi_launched: bool
    #: Program requirements the answers say the practice does not meet yet (SPEC §2, §3):
    #: ``asco_member``, ``english`` (QOPI and QCP), ``hem_onc`` (QCP).
    unmet: tuple[str, ...] = ()


def program_reach(locale: str | None = None) -> list[ProgramReach]:
    """QOPI, QCP and QTP with the countries where each is launched today, in ``locale``."""
    launched = queries.available_countries()
    eu_members = set(db.session.scalars(select(Country.code).where(Country.eu_member)))
    reach = []
    for program in PROGRAMS:
        codes = set(launched.get(program, []))
        all_eu = bool(eu_members) and eu_members <= codes
        shown = codes - eu_members if all_eu else codes
        reach.append(ProgramReach(program, sorted_countries(shown, locale), all_eu))
    return reach


def program_outcomes(country_code: str, answers: dict) -> list[ProgramOutcome]:
    """Each program's availability in ``country_code`` and whether ``answers`` chose it.

    ``answers`` is a stored response's answers (``crm.questionnaire`` keys).
    """
    launched = queries.launched_programs(country_code)
    chosen = {p for p in PROGRAMS if answers.get(INTEREST_KEYS[p]) in INTERESTED_LEVELS}
    outcomes = []
    for program in PROGRAMS:
        unmet = unmet_requirements(program, answers)
        if program == "QCP" and "QOPI" in chosen:
            # Already said under QOPI; say it once.
            unmet = tuple(u for u in unmet if u == "hem_onc")
        outcomes.append(
            ProgramOutcome(
                program=program,
                launched=program in launched,
                chosen=program in chosen,
                qopi_launched="QOPI" in launched,
                unmet=unmet,
            )
        )
    return outcomes


def unmet_requirements(program: str, answers: dict) -> tuple[str, ...]:
    """Requirements of ``program`` the answers say are not met: QOPI needs an active ASCO
    member and staff who read the measures in English; QCP also an outpatient
    hematology-oncology practice (SPEC §2). Unanswered questions are not counted as unmet."""
    if program not in ("QOPI", "QCP"):
        return ()
    unmet = []
    if answers.get("asco_members_count") == 0:
        unmet.append("asco_member")
    if answers.get("reads_english") == "no":
        unmet.append("english")
    if program == "QCP" and answers.get("outpatient_hem_onc") == "no":
        unmet.append("hem_onc")
    return tuple(unmet)
