"""The rules of register records and auctions: one home for each, used by the importers,
the API's models, the database's CHECK constraints (migration 0009) and the viewer (which
reads the lists from ``/viewer/config.json``).

Each validator takes a value as it came (text from a file, JSON from a request), returns
it normalized, and raises ``ValueError`` saying what is wrong — never repeating a value
that could be personal data (an INN is named by its length only).
"""

from __future__ import annotations

import re

# --- auctions -----------------------------------------------------------------------------
# the statuses torgi.gov.ru publishes for a lot (lotStatus)
LOT_STATUSES = ("PUBLISHED", "APPLICATIONS_SUBMISSION", "DETERMINING_WINNER", "COMPLETED", "CANCELED")
OPEN_LOT_STATUSES = ("PUBLISHED", "APPLICATIONS_SUBMISSION")  # open for applications
IN_PROGRESS_LOT_STATUSES = (*OPEN_LOT_STATUSES, "DETERMINING_WINNER")  # not yet decided
DEAL_TYPES = ("sale", "lease")

# --- rights -------------------------------------------------------------------------------
HOLDER_KINDS = ("individual", "legal_entity", "public")
RIGHT_KINDS = ("right", "encumbrance")
ENCUMBRANCE_PREFIX = "022"  # ЕГРН type codes 022… are encumbrances (lease 022006000000)

INN_PATTERN = r"^(\d{10}|\d{12})$"  # 10 digits: a legal entity; 12: an individual
TYPE_CODE_PATTERN = r"^\d{12}$"
_SHARE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,9})\s*$")


def _one_of(value: str | None, allowed: tuple[str, ...], spelled, what: str) -> str | None:
    """``value`` spelled as the register spells it (``spelled``), if it is one of ``allowed``."""
    if value is None or not str(value).strip():
        return None
    word = spelled(str(value).strip())
    if word not in allowed:
        raise ValueError(f"{str(value).strip()[:50]!r} is not {what}; they are: {', '.join(allowed)}")
    return word


def lot_status(value: str | None) -> str | None:
    """A lot's status in the register's spelling (upper case), or None."""
    return _one_of(value, LOT_STATUSES, str.upper, "a lot status")


def deal_type(value: str | None) -> str | None:
    """sale or lease (lower case), or None."""
    return _one_of(value, DEAL_TYPES, str.lower, "a deal type")


def holder_kind(value: str | None) -> str | None:
    return _one_of(value, HOLDER_KINDS, str.lower, "a kind of holder")


def _matching(value: str | None, pattern: str, wrong) -> str | None:
    """``value`` stripped, if it matches ``pattern``; else ValueError(wrong(value))."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not re.fullmatch(pattern, text):
        raise ValueError(wrong(text))
    return text


def inn(value: str | None) -> str | None:
    """An INN: 10 digits (a legal entity) or 12 (an individual). The value is never
    repeated in the message: an individual's INN is personal data."""
    return _matching(value, INN_PATTERN, lambda text: "an INN has 10 digits (legal entity) or 12 "
                                                      f"(individual), not {len(text)} characters")


def type_code(value: str | None) -> str | None:
    """A 12-digit ЕГРН type code of a right or encumbrance."""
    return _matching(value, TYPE_CODE_PATTERN,
                     lambda text: f"{text[:50]!r} is not a 12-digit right or encumbrance type code")


def right_kind(code: str, kind: str | None = None) -> str:
    """``kind`` as given, else by the type code: 022… are encumbrances."""
    if kind is not None:
        if kind not in RIGHT_KINDS:
            raise ValueError(f"{kind!r} is not one of {', '.join(RIGHT_KINDS)}")
        return kind
    return "encumbrance" if code.startswith(ENCUMBRANCE_PREFIX) else "right"


def share(value: str | None) -> tuple[int, int] | None:
    """A share of a right, "n/d" with 0 < n ≤ d, as (n, d); a whole ("1") is no share."""
    if value is None or not str(value).strip() or str(value).strip() == "1":
        return None
    raw = str(value).strip()
    match = _SHARE.match(raw)
    if not match:
        raise ValueError(f"{raw[:50]!r} is not a share (expected a fraction such as 1/2)")
    numerator, denominator = int(match[1]), int(match[2])
    if not 0 < numerator <= denominator:
        raise ValueError(f"share {raw} must be more than 0 and at most 1")
    return numerator, denominator


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK condition: ``column`` is one of ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
