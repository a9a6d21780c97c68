"""Cadastral numbers of the Russian state register (ЕГРН).

Form ``AA:BB:CCCCCC(C):N`` — okrug : district : quarter (6 or 7 digits) : object
number — optionally followed by a contour suffix ``(k)`` naming one contour of a
multi-contour parcel (``66:41:0302032:12(1)``).

The canonical string is kept exactly as given; lookups use :attr:`CadastralNumber.key`,
in which every part is stripped of leading zeros, so that ``77:01:0001001:1234`` and
``77:1:1001:1234`` find the same parcel, as public tools allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from citymodel.errors import InvalidCadastralNumber

_CONTOUR = re.compile(r"^(?P<base>.*?)\((?P<contour>[^()]*)\)$")
_MAX_OBJECT_DIGITS = 10
_SPACES = re.compile(r"\s+")
_ZERO_STRIPPED = re.compile(
    r"(?P<okrug>\d{1,2}):(?P<district>\d{1,2}):(?P<quarter>\d{1,7}):(?P<number>\d{1,10})"
    r"(?:\((?P<contour>\d+)\))?",
    re.ASCII,
)

# Russian registers (ЕГРН, torgi.gov.ru) write times without a zone: Moscow time.
REGISTER_TIME_ZONE = ZoneInfo("Europe/Moscow")
# a cadastral number standing in free text (a lot's description, a contract's subject):
# as registers write it; or in any spelling people use — zero-stripped (77:1:1001:1234),
# spaces around the colons
IN_TEXT = re.compile(r"(?<![\d:])\d{2}:\d{2}:\d{6,7}:\d+(?![\d:])")
IN_TEXT_ANY = re.compile(r"(?<![\d:])\d{2}\s?:\s?\d{1,2}\s?:\s?\d{1,7}\s?:\s?\d{1,10}(?![\d:])")


def numbers_in(*texts: str | None, any_spelling: bool = False) -> list[str]:
    """The cadastral numbers written in texts, in order, as written (spaces dropped); with
    ``any_spelling`` zero-stripped ones too (:func:`lookup_key` reads them)."""
    pattern = IN_TEXT_ANY if any_spelling else IN_TEXT
    return [_SPACES.sub("", m) for t in texts if t and ":" in t for m in pattern.findall(t)]


@dataclass(frozen=True, slots=True)
class CadastralNumber:
    """A well-formed cadastral number of a parcel, building or other object."""

    okrug: str
    district: str
    quarter: str
    number: str
    contour: str | None = None

    @classmethod
    def parse(cls, text: str) -> CadastralNumber:
        """Parse the canonical form, or raise :class:`InvalidCadastralNumber` saying why."""
        if not isinstance(text, str):
            raise InvalidCadastralNumber(repr(text), f"expected text, got {type(text).__name__}")
        value = _SPACES.sub("", text)
        if not value:
            raise InvalidCadastralNumber(text, "it is empty")

        contour = None
        if "(" in value or ")" in value:
            match = _CONTOUR.match(value)
            if match is None:
                raise InvalidCadastralNumber(
                    text, "a contour suffix must come last, as '(N)', e.g. 66:41:0302032:12(1)"
                )
            value, contour = match["base"], match["contour"]
            if not (contour.isascii() and contour.isdigit()) or int(contour) == 0:
                raise InvalidCadastralNumber(
                    text, f"contour number {contour!r} must be a positive whole number"
                )

        parts = value.split(":")
        if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts):
            raise InvalidCadastralNumber(
                text,
                "this is a cadastral quarter (block) number; "
                "an object's number has a fourth part after ':'",
            )
        if len(parts) != 4:
            raise InvalidCadastralNumber(
                text,
                f"expected 4 parts separated by ':' (AA:BB:CCCCCC:N), found {len(parts)}",
            )
        okrug, district, quarter, number = parts
        _check_digits(text, "okrug", okrug, lengths=(2,))
        _check_digits(text, "district", district, lengths=(2,))
        _check_digits(text, "quarter", quarter, lengths=(6, 7))
        _check_digits(text, "object number", number, lengths=range(1, _MAX_OBJECT_DIGITS + 1))
        if int(number) == 0:
            raise InvalidCadastralNumber(text, "the object number must not be zero")
        return cls(okrug, district, quarter, number, contour)

    def __str__(self) -> str:
        base = f"{self.okrug}:{self.district}:{self.quarter}:{self.number}"
        return f"{base}({self.contour})" if self.contour is not None else base

    @property
    def key(self) -> str:
        """The zero-stripped key used for matching: ``77:1:1001:1234``."""
        return _key(self.okrug, self.district, self.quarter, self.number, self.contour)

    @property
    def quarter_number(self) -> str:
        """The cadastral quarter (block) the object lies in: ``77:01:0001013``."""
        return f"{self.okrug}:{self.district}:{self.quarter}"

    @property
    def whole(self) -> CadastralNumber:
        """The number without its contour suffix: the parcel a contour belongs to."""
        return CadastralNumber(self.okrug, self.district, self.quarter, self.number)


def lookup_key(text: str) -> str:
    """The matching key of a number typed by a person, zero-padded or not.

    Accepts the canonical form and the zero-stripped one (``77:1:1001:1234``);
    raises :class:`InvalidCadastralNumber` for anything else.
    """
    try:
        return CadastralNumber.parse(text).key
    except InvalidCadastralNumber:
        match = _ZERO_STRIPPED.fullmatch(_SPACES.sub("", text)) if isinstance(text, str) else None
        if match is None:
            raise  # the strict parser's message says what is wrong
    if int(match["number"]) == 0:
        raise InvalidCadastralNumber(text, "the object number must not be zero")
    return _key(*match.groups())


def _key(okrug: str, district: str, quarter: str, number: str, contour: str | None) -> str:
    base = f"{int(okrug)}:{int(district)}:{int(quarter)}:{int(number)}"
    return f"{base}({int(contour)})" if contour is not None else base


def _check_digits(text: str, name: str, part: str, *, lengths) -> None:
    if not part:
        raise InvalidCadastralNumber(text, f"the {name} is missing")
    if not (part.isascii() and part.isdigit()):
        raise InvalidCadastralNumber(text, f"the {name} {part!r} must contain digits only")
    if len(part) not in lengths:
        if isinstance(lengths, range):
            expected = f"{lengths.start} to {lengths.stop - 1} digits"
        else:
            expected = " or ".join(str(n) for n in lengths) + " digits"
        raise InvalidCadastralNumber(
            text, f"the {name} {part!r} has {len(part)} digits; expected {expected}"
        )
