"""Heading rows: how many of a file's first rows are headings (1–3), and one name per column
from them, as the survey tools write them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Sub-headings SurveyMonkey puts under every single-column question: they add nothing.
GENERIC_SUBHEADINGS = frozenset({"response", "open-ended response"})
_NUMERIC_LIKE = re.compile(r"[\d\s.,:/+\-TZ]+(\s*[AaPp][Mm])?")


def trim_blank_tail(cells: list[str]) -> list[str]:
    """The cells without the blank ones at the end of the row."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def detect_header_rows(records: Sequence[Sequence[str]]) -> int:
    """How many of the first records are headings (1–3), as the survey tools write them:

    - a row of ``{"ImportId": ...}`` closes Qualtrics' three-row header;
    - a second row that fills the blanks of a first row spanning its block (SurveyMonkey,
      LimeSurvey re-saved by Excel: question, then option labels);
    - a second row of text over columns whose rows below are all numbers or dates (Qualtrics'
      legacy ``V1…``/labels header).
    """
    for index in (1, 2):
        if index < len(records) and _is_import_id_row(records[index]):
            return index + 1
    if len(records) < 2:
        return 1
    if _continues_headings(records[0], records[1]) or _labels_over_data(records[1], records[2:52]):
        return 2
    return 1


def _is_import_id_row(cells: Sequence[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith('{"ImportId"') for c in filled)


def _is_numeric_like(text: str) -> bool:
    text = text.strip()
    return bool(text) and any(c.isdigit() for c in text) and bool(_NUMERIC_LIKE.fullmatch(text))


def _continues_headings(first: Sequence[str], second: Sequence[str]) -> bool:
    started = False
    continued = []
    for index, cell in enumerate(first):
        if cell.strip():
            started = True
        elif started:
            continued.append(index)
    if not continued:
        return False
    if not all(index < len(second) and second[index].strip() for index in continued):
        return False
    filled = [c for c in second if c.strip()]
    return sum(1 for c in filled if _is_numeric_like(c)) < len(filled) / 2


def _labels_over_data(second: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
    if not below:
        return False
    text_over_numbers = numbers_over_numbers = 0
    for index, label in enumerate(second):
        values = [r[index] for r in below if index < len(r) and r[index].strip()]
        if not values or not all(_is_numeric_like(v) for v in values):
            continue
        if _is_numeric_like(label):
            numbers_over_numbers += 1
        elif label.strip():
            text_over_numbers += 1
    return text_over_numbers >= 2 and numbers_over_numbers == 0


def combine_headings(header_rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """One name per column from 1–3 header rows: an upper row's heading spans the blanks to its
    right where a lower row has a label (``Contact information / Email``); Qualtrics' ImportId
    row is skipped; SurveyMonkey's generic ``Response`` sub-heading is dropped."""
    rows = [list(r) + [""] * (width - len(r)) for r in header_rows if not _is_import_id_row(r)]
    rows = [r[:width] for r in rows] or [[""] * width]
    spans = []
    for depth, row in enumerate(rows):
        lower = rows[depth + 1 :]
        filled, last = [], ""
        for index, cell in enumerate(row):
            if cell.strip():
                last = cell
                filled.append(cell)
            elif last and any(r[index].strip() for r in lower):
                filled.append(last)
            else:
                filled.append("")
        spans.append(filled)
    names = []
    for index in range(width):
        parts: list[str] = []
        for depth, row in enumerate(spans):
            part = row[index]
            if not part.strip() or part in parts:
                continue
            if depth and parts and part.strip().casefold() in GENERIC_SUBHEADINGS:
                continue
            parts.append(part)
        names.append(" / ".join(parts))
    return names


#: Characters of a heading a column choice shows at most; a longer heading keeps its start and
#: the end that tells it apart from the others.
CHOICE_LENGTH = 110
_START = 40


def choice_labels(headings: Sequence[str], limit: int = CHOICE_LENGTH) -> list[str]:
    """How each column is named in the choices of the mapping step: ``"<number>. <heading>"``,
    the whole heading when it fits in ``limit`` characters, else its start, "…", and its end
    from where it differs from every other heading ("12. Según tu forma de ser ¿Cuál de las
    siguientes… [Soy reservado]"), so headings sharing a long question stay apart."""
    flat = [" ".join(h.split()) for h in headings]
    labels = []
    for position, heading in enumerate(flat):
        if not heading:
            labels.append(f"{position + 1}. —")
            continue
        if len(heading) <= limit:
            labels.append(f"{position + 1}. {heading}")
            continue
        shared = max(
            (_common_prefix(heading, other) for i, other in enumerate(flat) if i != position),
            default=0,
        )
        budget = limit - _START - 2
        start = _word_start(heading, max(shared, _START))
        # Words before the part that differs, as many as fit, for context.
        while start > _START:
            before = _word_start(heading, start - 1)
            if len(heading) - before > budget:
                break
            start = before
        # The head ends on a whole word where there is one within its length.
        head_end = _word_start(heading, _START) or _START
        if start <= head_end:
            if shared < limit - 2:
                # The differing part shows in the heading's start, cut at the end: a head and
                # a tail would repeat words ("o cardáp… cardápio").
                labels.append(f"{position + 1}. {heading[: limit - 1].rstrip()}…")
                continue
            # No word boundary before the differing part (a Kobo path without spaces): the
            # tail starts a few characters before it, inside the word.
            start = max(head_end, shared - 20)
        tail = heading[start:]
        if len(tail) > budget:
            tail = tail[: budget - 1].rstrip() + "…"
        labels.append(f"{position + 1}. {heading[:head_end].rstrip()}… {tail.lstrip()}")
    return labels


def _common_prefix(first: str, second: str) -> int:
    size = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        size += 1
    return size


def _word_start(text: str, index: int) -> int:
    """The start of the word at ``index`` (a label never starts mid-word)."""
    while 0 < index < len(text) and not text[index - 1].isspace() and text[index - 1] not in "[(":
        index -= 1
    return index - 1 if index > 0 and text[index - 1] in "[(" else index
