"""Field values: parsing numbers, dates and shares, column by column, with reasons.

Columns arrive as pyarrow arrays (vector files: typed columns pass straight
through) or as Python lists (XML, CSV, JSON: every value parsed). A value that
does not parse becomes a reject naming the field and the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from citymodel import records
from citymodel.cadastral import REGISTER_TIME_ZONE

MOSCOW = REGISTER_TIME_ZONE  # the time zone of naive times in Russian registers


class FieldValueError(ValueError):
    """A value that does not fit its field; the message says why."""


def text(value: Any) -> str | None:
    if value is None:
        return None
    result = str(value).strip()
    return result or None


def decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        return Decimal(str(value))
    raw = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")  # Russian decimal comma
    try:
        result = Decimal(raw)
    except InvalidOperation:
        raise FieldValueError(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise FieldValueError(f"{value!r} is not a finite number")
    return result


def number(value: Any) -> float | None:
    parsed = decimal(value)
    return None if parsed is None else float(parsed)


def integer(value: Any) -> int | None:
    parsed = decimal(value)
    if parsed is None:
        return None
    if parsed != parsed.to_integral_value():
        raise FieldValueError(f"{value!r} is not a whole number")
    return int(parsed)


def day(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    raw = str(value).strip()
    if not raw:
        return None
    if len(raw) >= 10 and raw[4] == raw[7] == "-" and raw[:4].isdigit():
        try:
            return date.fromisoformat(raw[:10])  # YYYY-MM-DD, the common case, at once
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw[:10], pattern).date()
        except ValueError:
            continue
    raise FieldValueError(f"{value!r} is not a date (expected YYYY-MM-DD or DD.MM.YYYY)")


def moment(value: Any) -> datetime | None:
    """A point in time; naive times are Moscow time, as registers write them."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        raw = str(value).strip()
        if not raw:
            return None
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = datetime.strptime(raw, "%d.%m.%Y %H:%M")
            except ValueError:
                try:
                    parsed = datetime.combine(day(raw), datetime.min.time())
                except FieldValueError:
                    raise FieldValueError(f"{value!r} is not a date and time (ISO 8601)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=MOSCOW)


def rule(check: Callable[[str | None], Any]) -> Callable[[Any], Any]:
    """A field parsed by one of the domain's rules (``citymodel.records``…): the same
    verdict as the API's, its ValueError a reason of the row."""
    def parse(value: Any) -> Any:
        try:
            return check(text(value))
        except ValueError as exc:
            raise FieldValueError(str(exc)) from None
    parse.__name__ = check.__name__
    return parse


share = rule(records.share)


def choice(*allowed: str) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        raw = text(value)
        if raw is None:
            return None
        if raw.lower() not in allowed:
            raise FieldValueError(f"{value!r} is not one of {', '.join(allowed)}")
        return raw.lower()
    return parse


@dataclass(frozen=True)
class Field:
    """A field an importer reads: how to parse it and whether it must be there."""

    name: str
    parse: Callable[[Any], Any] = text
    required: bool = False


_NUMERIC = {number, decimal, integer}


def parse_column(
    spec: Field, values: pa.Array | pa.ChunkedArray | Sequence | None, size: int
) -> tuple[list, list[tuple[int, str]]]:
    """Parse one column; returns the values and the (row index, reason) of failures."""
    if values is None:
        parsed: list = [None] * size
    elif isinstance(values, (pa.Array, pa.ChunkedArray)) and _passes_through(spec, values.type):
        parsed = values.to_pylist()
        if spec.parse is number or spec.parse is decimal:
            parsed = [None if v is None or v != v else spec.parse(v) for v in parsed]
        elif spec.parse is day:
            parsed = [day(v) for v in parsed]
    else:
        raw = values.to_pylist() if isinstance(values, (pa.Array, pa.ChunkedArray)) else list(values)
        parsed, errors = [], []
        for i, value in enumerate(raw):
            try:
                parsed.append(spec.parse(value))
            except FieldValueError as exc:
                parsed.append(None)
                errors.append((i, str(exc)))
        return _require(spec, parsed, errors)
    return _require(spec, parsed, [])


def _passes_through(spec: Field, arrow_type: pa.DataType) -> bool:
    if spec.parse in _NUMERIC and spec.parse is not integer:
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)
    if spec.parse is integer:
        return pa.types.is_integer(arrow_type)
    if spec.parse is day:
        return pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type)
    return False


def _require(spec: Field, parsed: list, errors: list[tuple[int, str]]):
    if spec.required:
        failed = {i for i, _ in errors}
        errors = errors + [(i, "a value is required") for i, v in enumerate(parsed)
                           if v is None and i not in failed]
    return parsed, errors
