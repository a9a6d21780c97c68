"""What officials send to change records: validated as the importers validate files.

Each model checks its fields the way the importers check a file's columns (12-digit
type codes, INNs of 10 or 12 digits, shares as fractions, known statuses, well-formed
cadastral numbers, dates in order), so a record is equally valid whichever way it came.
Messages name the field; they never repeat a holder's name.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.collections import AUCTION_STATUSES
from citymodel.cadastral import REGISTER_TIME_ZONE, lookup_key
from citymodel.errors import InvalidCadastralNumber
from citymodel.models import ENCUMBRANCE_PREFIX


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RightIn(Strict):
    """A right or encumbrance on a parcel (``kind`` defaults by type code: 022… are
    encumbrances, e.g. lease 022006000000)."""

    registration_number: str = Field(min_length=1, max_length=100)
    type_code: str = Field(pattern=r"^\d{12}$", description="12-digit ЕГРН type code")
    holder_kind: str = Field(pattern="^(individual|legal_entity|public)$")
    kind: str | None = Field(default=None, pattern="^(right|encumbrance)$")
    type_name: str | None = Field(default=None, max_length=500)
    holder_name: str | None = Field(default=None, max_length=500)
    holder_inn: str | None = Field(default=None, pattern=r"^(\d{10}|\d{12})$",
                                   description="10 digits (legal entity) or 12 (individual)")
    share: str | None = Field(default=None, pattern=r"^\d{1,9}/\d{1,9}$", description="e.g. 1/2")
    registered_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    @field_validator("share")
    @classmethod
    def _share(cls, value: str | None) -> str | None:
        if value is not None:
            numerator, denominator = (int(v) for v in value.split("/"))
            if not 0 < numerator <= denominator:
                raise ValueError("a share is a fraction n/d with 0 < n <= d")
        return value

    @model_validator(mode="after")
    def _dates(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.kind is None:
            self.kind = "encumbrance" if self.type_code.startswith(ENCUMBRANCE_PREFIX) else "right"
        return self

    def columns(self) -> dict:
        values = self.model_dump(exclude={"share"})
        numerator = denominator = None
        if self.share:
            numerator, denominator = (int(v) for v in self.share.split("/"))
        return values | {"share_numerator": numerator, "share_denominator": denominator}


class NoticeIn(Strict):
    bidding_type_code: str | None = Field(default=None, max_length=50)
    bidding_type_name: str | None = Field(default=None, max_length=500)
    bidding_form: str | None = Field(default=None, max_length=200)
    organizer_name: str | None = Field(default=None, max_length=1000)
    organizer_inn: str | None = Field(default=None, pattern=r"^(\d{10}|\d{12})$")
    published_at: datetime | None = None
    bidding_starts_at: datetime | None = None
    bidding_ends_at: datetime | None = None
    review_at: datetime | None = None
    source_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")

    @field_validator("published_at", "bidding_starts_at", "bidding_ends_at", "review_at")
    @classmethod
    def _zoned(cls, value: datetime | None) -> datetime | None:
        """A time without a zone is Moscow time, as registers write them."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=REGISTER_TIME_ZONE)
        return value

    @model_validator(mode="after")
    def _order(self):
        if self.bidding_starts_at and self.bidding_ends_at and self.bidding_ends_at < self.bidding_starts_at:
            raise ValueError("bidding_ends_at is before bidding_starts_at")
        return self


Money = Field(default=None, ge=0, le=1e15)


class LotIn(Strict):
    """A lot of a notice; ``parcels`` lists the cadastral numbers it sells or leases."""

    status: str | None = Field(default=None, description="One of " + ", ".join(AUCTION_STATUSES))
    deal_type: str | None = Field(default=None, pattern="^(sale|lease)$")
    name: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=20000)
    address: str | None = Field(default=None, max_length=2000)
    category: str | None = Field(default=None, max_length=500)
    start_price: float | None = Money
    price_step: float | None = Money
    deposit: float | None = Money
    final_price: float | None = Money
    currency: str = Field(default="RUB", pattern="^[A-Z]{3}$")
    result_on: date | None = None
    source_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    parcels: list[str] = Field(default_factory=list, max_length=1000)
    notice: NoticeIn | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in AUCTION_STATUSES:
            raise ValueError(f"{value!r} is not one of {', '.join(AUCTION_STATUSES)}")
        return value.upper() if value else value

    @field_validator("parcels")
    @classmethod
    def _numbers(cls, values: list[str]) -> list[str]:
        for i, value in enumerate(values):
            try:
                lookup_key(value)
            except InvalidCadastralNumber as exc:
                raise ValueError(f"parcels[{i}]: {exc}") from None
        return values

    def lot_columns(self) -> dict:
        return self.model_dump(exclude={"parcels", "notice"})


class ResultIn(Strict):
    """The outcome of a lot: its status, and for completed lots the final price and date."""

    status: str = Field(description="One of " + ", ".join(AUCTION_STATUSES))
    final_price: float | None = Money
    result_on: date | None = None

    _status = field_validator("status")(LotIn._status.__func__)


NOTICE_NUMBER = re.compile(r"^[\w\-/.]{1,100}$")
