"""What the bench's generated data are drawn from: the shares of the population, the campaign,
names, answers, and the reference read from the seeded database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

#: Responses per practice, on average (first response, repeats, duplicates).
RESPONSES_PER_PRACTICE = 4
SPAM_SHARE = 0.06
#: Share of a practice's repeat responses that staff marked as duplicates.
REPEAT_DUPLICATE_SHARE = 0.12
#: Practices per chunk written at once (about 20k responses).
CHUNK_PRACTICES = 5000
#: The campaign year the responses were submitted in (UTC).
CAMPAIGN_START = datetime(2025, 12, 1, tzinfo=UTC)
CAMPAIGN_SECONDS = 360 * 24 * 3600
STAFF_EMAIL = "bench-staff@example.org"

#: Large respondent countries first (rank 1 = largest share); the rest follow in a fixed
#: pseudo-random order.
LARGE_COUNTRIES = (
    "BR", "IN", "MX", "AR", "ES", "CO", "PH", "PK", "EG", "CL", "PE", "SA", "MY", "TR", "NG",
    "IT", "DE", "FR", "GR", "RO", "PT", "PL", "ZA", "ID", "VN", "TH", "KE", "EC", "VE", "CN",
)  # fmt: skip
SPANISH = frozenset("AR BO CL CO CR CU DO EC ES GQ GT HN MX NI PA PE PR PY SV UY VE".split())
PORTUGUESE = frozenset("BR PT AO MZ CV GW ST TL".split())

SYLLABLES = (
    "ka", "lo", "mi", "ra", "te", "vo", "su", "ne", "di", "ba", "ro", "la", "ni", "po", "se",
    "ta", "ma", "ri", "co", "fe", "gu", "ha", "je", "ki", "lu", "mo", "na", "pi", "qui", "sa",
    "to", "za",
)  # fmt: skip
PREFIXES = {
    "en": ("Oncology Clinic", "Cancer Centre", "Hospital", "Medical Centre", "Oncology Associates"),
    "es": ("Clínica", "Hospital", "Instituto de Oncología", "Centro Oncológico", "Sanatorio"),
    "pt_BR": (
        "Clínica",
        "Hospital",
        "Instituto de Oncologia",
        "Centro de Oncologia",
        "Oncoclínica",
    ),
}
FIRST_NAMES = {
    "en": ("Amina", "Rahul", "Grace", "Omar", "Priya", "David", "Fatima", "John", "Mei", "Ali"),
    "es": ("Ana", "Carlos", "Lucía", "Javier", "María", "Diego", "Sofía", "Andrés", "Elena"),
    "pt_BR": ("Ana", "João", "Mariana", "Pedro", "Beatriz", "Lucas", "Camila", "Rafael"),
}
LAST_NAMES = {
    "en": ("Khan", "Sharma", "Okafor", "Hassan", "Reyes", "Tan", "Nguyen", "Smith", "Ali"),
    "es": ("García", "Martínez", "López", "Rodríguez", "Fernández", "Pérez", "Gómez"),
    "pt_BR": ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida"),
}
ROLES = ("Medical oncologist", "Hematologist", "Practice manager", "Nurse", "Medical director")
COMMENTS = (
    "We would like to take part.",
    "Please send more information about the fees.",
    "Our team is small but motivated.",
    "Interested in the training program for our nurses.",
)

PRACTICE_TYPES = (
    ("private_practice", "hospital_based", "academic_center", "cancer_center", "public_hospital",
     "other"),
    (35, 25, 12, 10, 13, 5),
)  # fmt: skip
LEVELS = ("very", "somewhat", "not_very", "not_at_all")
INTEREST_WEIGHTS = {"QOPI": (30, 30, 25, 15), "QCP": (20, 25, 30, 25), "QTP": (35, 30, 20, 15)}
INTEREST_KEYS = {"QOPI": "interest_qopi", "QCP": "interest_qcp", "QTP": "interest_qtp"}
TIMEFRAMES = ("within_6_months", "6_to_12_months", "over_12_months", "not_sure")
YES_NO_UNSURE = ("yes", "no", "unsure")
QTP_FORMATS = ("six_month", "one_day", "train_the_trainer")
LICENSING = ("qtp_content", "quality_symposium")


def word(index: int, minimum: int = 3) -> str:
    """A pronounceable word unique to ``index`` (its base-32 digits as syllables)."""
    parts = []
    while index or len(parts) < minimum:
        index, digit = divmod(index, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def language_of(country: str) -> str:
    """The survey language a respondent in ``country`` most likely uses."""
    if country in PORTUGUESE:
        return "pt_BR"
    return "es" if country in SPANISH else "en"


@dataclass
class Reference:
    """What the seeded database already holds: countries, launched programs, the staff user."""

    countries: list[str]
    weights: list[float]
    launched: dict[str, set[str]]
    staff_id: int | None


def read_reference(conn: Connection, seed: int) -> Reference:
    """Countries ranked by skew (LARGE_COUNTRIES first), QOPI/QCP launches, the staff user."""
    codes = [c for (c,) in conn.execute(text("SELECT code FROM countries ORDER BY code"))]
    if not codes:
        raise SystemExit("no countries: run `flask --app app db upgrade && flask --app app seed`")
    rest = [c for c in codes if c not in LARGE_COUNTRIES]
    random.Random(seed).shuffle(rest)
    ranked = [c for c in LARGE_COUNTRIES if c in codes] + rest
    launched: dict[str, set[str]] = {}
    for country, program in conn.execute(
        text("SELECT country_code, program_code FROM availabilities WHERE status IN "
             "('available', 'pilot')")
    ):  # fmt: skip
        launched.setdefault(program, set()).add(country)
    staff_id = conn.execute(
        text("SELECT id FROM staff_users WHERE email = :email"), {"email": STAFF_EMAIL}
    ).scalar()
    return Reference(
        countries=ranked,
        weights=[1.0 / rank for rank in range(1, len(ranked) + 1)],
        launched=launched,
        staff_id=staff_id,
    )
