"""How alike two practices are, and why: the score behind duplicate suggestions and the scan
for duplicate practices (docs/domain.md#suggestions). Plain functions on plain data: no
database, no Flask.

- **Names** are compared word by word after each word is reduced to one canonical form: the
  short forms of practice words in English, Spanish and Portuguese ("Hosp." → hospital,
  "Inst." → instituto, "Clín." → clinica, "Sta." → santa, "Ctro." → centro), accents, case and
  punctuation dropped, and linking words ("de", "da", "of") and company suffixes ("S.A.",
  "Ltda.") left out. rapidfuzz's WRatio then forgives typos and words in another order.
- Two names whose **distinctive words** (those left once the generic practice words are set
  aside) disagree are not alike, however much "Centro de Cáncer" they share.
- **City, email domain and phone** move the score: the same raises it, a different one lowers
  it, and each says so as a :class:`Reason`.

The automatic rule (the same normalized name, or a shared email) is not here: it stays in
``crm.responses.matching.find_same_practice`` (docs/domain.md#eligible-practices).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from crm.core import folding

#: Canonical word → its short forms and other spellings in the survey's three languages.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "hospital": ("hosp", "hsp", "hospitalar", "hospitais", "hospitales"),
    "clinica": ("clin", "cli", "clinic", "clinicas", "clinics"),
    "instituto": ("inst", "instit", "institute", "institut", "institucion"),
    "centro": ("ctro", "cto", "cent", "center", "centre", "centros"),
    "santa": ("sta",),
    "santo": ("sto",),
    "senhora": ("sra",),
    "universidad": (
        "univ",
        "universitario",
        "universitaria",
        "universidade",
        "university",
        "universitary",
        "uni",
    ),  # fmt: skip
    "nacional": ("nac", "national", "natl", "nal"),
    "oncologia": (
        "onco",
        "oncol",
        "oncology",
        "oncologico",
        "oncologica",
        "oncologicos",
        "oncologicas",
        "oncological",
    ),  # fmt: skip
    "hematologia": ("hemato", "hematol", "hematology", "hematologico", "hematologica"),
    "medico": ("med", "medica", "medical", "medicos", "medicas"),
    "fundacion": ("fund", "fundacao", "foundation", "fdn"),
    "asociacion": ("asoc", "assoc", "associacao", "association"),
    "general": ("gral", "geral"),
    "departamento": ("depto", "dpto", "dept", "department"),
    "servicio": ("serv", "servico", "service", "servicios", "servicos", "services"),
    "sociedad": ("soc", "sociedade", "society"),
    "doctor": ("dr", "dra", "doutor", "doutora", "doctora"),
    "regional": ("reg",),
    "municipal": ("mun", "munic"),
    "provincial": ("prov",),
    "privada": ("priv", "privado", "private"),
    "internacional": ("intl", "international"),
}
#: Short form or spelling → canonical word.
CANONICAL: dict[str, str] = {
    form: canonical for canonical, forms in SHORT_FORMS.items() for form in (canonical, *forms)
}
#: Words that link the others ("Instituto *de* Cancerología") and company suffixes ("S.A.",
#: "Ltda.", Colombia's "E.S.E." and "I.P.S."): left out of the comparison.
IGNORED_WORDS = frozenset(
    {
        "de", "del", "la", "las", "el", "los", "da", "das", "do", "dos", "e", "y", "and", "of",
        "the", "en", "em", "para", "sa", "ltda", "ltd", "inc", "sas", "srl", "eireli", "ese",
        "ips", "llc", "cia",
    }
)  # fmt: skip
#: Canonical words that many practices share: they say what a practice is, not which one.
GENERIC_WORDS = frozenset(
    {
        "hospital", "clinica", "centro", "instituto", "oncologia", "hematologia", "cancer",
        "medico", "universidad", "nacional", "fundacion", "asociacion", "general", "santa",
        "santo", "san", "sao", "nossa", "senhora", "servicio", "integral", "salud", "saude",
        "health", "unidad", "unidade", "grupo", "especialidades", "regional", "municipal",
        "provincial", "privada", "internacional", "sociedad", "departamento", "doctor",
        "oncologo", "oncologos", "care", "cuidados",
    }
)  # fmt: skip
#: Email domains anyone can use: a shared one says nothing about the practice.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "hotmail.com", "hotmail.es", "hotmail.com.br",
        "outlook.com", "outlook.es", "outlook.com.br", "live.com", "live.com.mx", "msn.com",
        "yahoo.com", "yahoo.es", "yahoo.com.br", "yahoo.com.mx", "yahoo.com.ar", "icloud.com",
        "me.com", "aol.com", "protonmail.com", "proton.me", "gmx.com", "uol.com.br",
        "bol.com.br", "terra.com.br", "ig.com.br", "zoho.com", "mail.com", "yandex.com",
        "qq.com", "163.com",
    }
)  # fmt: skip

#: Score (0..100) a name must reach, once canonical, for the practices to be compared at all.
NAME_FLOOR = 85.0
#: Score, once city, email domain and phone moved it, from which a pair is shown to staff.
SUGGESTION_SCORE = 70.0
#: Below this similarity of their distinctive words, two names are not alike (score capped).
DISTINCTIVE_FLOOR = 60.0
#: The capped score of two names whose distinctive words disagree: under NAME_FLOOR.
DISAGREEING_NAMES = 60.0
#: How each fact moves the score (points out of 100).
SAME_CITY, DIFFERENT_CITY = 5.0, -15.0
SAME_DOMAIN, DIFFERENT_DOMAIN = 10.0, -10.0
SAME_PHONE, DIFFERENT_PHONE = 10.0, -5.0
#: Digits of a phone compared: the last ones, so "+57 1 234 5678" and "(1) 234-5678" agree.
PHONE_DIGITS = 7
#: Cities closer than this (rapidfuzz ratio of their keys) are the same city ("Bogota" and
#: "Bogotá D.C." are; "São Paulo" and "Santo André" are not).
SAME_CITY_RATIO = 85.0


@dataclass(frozen=True)
class Reason:
    """One reason behind a score: ``code`` (``name``, ``same_city``, ``different_city``,
    ``same_email_domain``, ``different_email_domain``, ``same_phone``, ``different_phone``)
    and what it is about (``params``: ``score``, the two cities, the domains)."""

    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Similarity:
    """How alike two practices are: ``score`` 0..100 and its reasons, the name's first."""

    score: float
    name_score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PracticeFacts:
    """What is compared of a practice, or of the practice a response describes: its name and
    city as typed, the domains of its contacts' emails and its phones' last digits."""

    name: str
    city: str | None = None
    email_domains: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()


# --- words ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def canonical_words(name: str) -> tuple[str, ...]:
    """The words a name is compared by: each in its canonical form (:data:`SHORT_FORMS`),
    linking words, company suffixes and single letters left out. "Hosp. Univ. de San Ignacio
    S.A." → ``("hospital", "universidad", "san", "ignacio")``."""
    words = (CANONICAL.get(word, word) for word in folding.plain_words(name))
    return tuple(w for w in words if (len(w) > 1 or w.isdigit()) and w not in IGNORED_WORDS)


def variants(word: str) -> tuple[str, ...]:
    """Every spelling of ``word``'s canonical form, itself included ("hosp" → hospital, hosp,
    hsp, ...); a word without short forms is alone."""
    canonical = CANONICAL.get(word)
    if canonical is None:
        return (word,)
    return (canonical, *SHORT_FORMS[canonical])


def distinctive_words(words: Iterable[str]) -> tuple[str, ...]:
    """The canonical words that tell a practice from others: not in :data:`GENERIC_WORDS`."""
    return tuple(w for w in words if w not in GENERIC_WORDS)


def _numbers(words: Iterable[str]) -> tuple[str, ...]:
    """The runs of digits in the words, in order ("Sede 2", "Clínica 24 de Julio")."""
    return tuple("".join(c if c.isdigit() else " " for c in " ".join(words)).split())


def _disagree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two names' distinctive words disagree: their numbers differ ("Sede 1", "Sede
    2"), or their words are less alike than :data:`DISTINCTIVE_FLOOR`."""
    own_a, own_b = distinctive_words(a), distinctive_words(b)
    if not (own_a and own_b):
        return False
    numbers_a, numbers_b = _numbers(own_a), _numbers(own_b)
    if numbers_a and numbers_b and numbers_a != numbers_b:
        return True
    return fuzz.token_set_ratio(" ".join(own_a), " ".join(own_b)) < DISTINCTIVE_FLOOR


def name_similarity(first: str, second: str) -> float:
    """How alike two practice names are, 0..100: WRatio of their canonical words, capped at
    :data:`DISAGREEING_NAMES` when both have distinctive words and those disagree ("Centro de
    Cáncer Aguilar" and "Centro de Cáncer Díaz"; "Sede 1" and "Sede 2")."""
    a, b = canonical_words(first), canonical_words(second)
    if not a or not b:
        return 0.0
    score = float(fuzz.WRatio(" ".join(a), " ".join(b)))
    return min(score, DISAGREEING_NAMES) if _disagree(a, b) else score


# --- the other facts ------------------------------------------------------------------------


def email_domain(email: str | None) -> str | None:
    """The lower-cased domain of an email that names an organization; None for none, or for a
    free-mail domain (:data:`FREE_MAIL_DOMAINS`)."""
    _, at, domain = (email or "").strip().lower().rpartition("@")
    if not at or not domain or domain in FREE_MAIL_DOMAINS:
        return None
    return domain


def phone_key(phone: str | None) -> str | None:
    """The last :data:`PHONE_DIGITS` digits of a phone; None when it has fewer."""
    digits = "".join(c for c in (phone or "") if c.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else None


def facts(name: str, city: str | None, emails: Iterable[str | None] = (),
          phones: Iterable[str | None] = ()) -> PracticeFacts:  # fmt: skip
    """:class:`PracticeFacts` from typed values: domains of organizations' emails only, the
    phones' last digits."""
    return PracticeFacts(
        name=name,
        city=city,
        email_domains=frozenset(d for d in map(email_domain, emails) if d),
        phones=frozenset(p for p in map(phone_key, phones) if p),
    )


def _city_key(city: str | None) -> str:
    return "".join(folding.plain_words(city))


def _city_reason(new: PracticeFacts, known: PracticeFacts) -> tuple[float, Reason | None]:
    a, b = _city_key(new.city), _city_key(known.city)
    if not (a and b):
        return 0.0, None
    cities = {"city": new.city, "other_city": known.city}
    if a == b or fuzz.ratio(a, b) >= SAME_CITY_RATIO:
        return SAME_CITY, Reason("same_city", cities)
    return DIFFERENT_CITY, Reason("different_city", cities)


def _domain_reason(new: PracticeFacts, known: PracticeFacts) -> tuple[float, Reason | None]:
    if not (new.email_domains and known.email_domains):
        return 0.0, None
    shared = new.email_domains & known.email_domains
    if shared:
        return SAME_DOMAIN, Reason("same_email_domain", {"domain": min(shared)})
    domains = {"domain": min(new.email_domains), "other_domain": min(known.email_domains)}
    return DIFFERENT_DOMAIN, Reason("different_email_domain", domains)


def _phone_reason(new: PracticeFacts, known: PracticeFacts) -> tuple[float, Reason | None]:
    if not (new.phones and known.phones):
        return 0.0, None
    if new.phones & known.phones:
        return SAME_PHONE, Reason("same_phone")
    return DIFFERENT_PHONE, Reason("different_phone")


def compare(new: PracticeFacts, known: PracticeFacts) -> Similarity:
    """How alike two practices are: the name's similarity (:func:`name_similarity`), raised
    by the same city, email domain or phone and lowered by a different one, kept within
    0..100; with every reason, the name's first."""
    name_score = name_similarity(new.name, known.name)
    score, reasons = name_score, [Reason("name", {"score": round(name_score)})]
    for check in (_city_reason, _domain_reason, _phone_reason):
        points, reason = check(new, known)
        if reason is not None:
            score += points
            reasons.append(reason)
    return Similarity(
        score=max(0.0, min(100.0, score)), name_score=name_score, reasons=tuple(reasons)
    )


def suggests(alike: Similarity) -> bool:
    """Whether a pair is alike enough to show staff: its name reaches :data:`NAME_FLOOR` and
    its score :data:`SUGGESTION_SCORE` (docs/domain.md#suggestions)."""
    return alike.name_score >= NAME_FLOOR and alike.score >= SUGGESTION_SCORE
