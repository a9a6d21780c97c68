"""What officials send to change records: validated as the importers validate files.

Each model checks its fields with the rules the importers use (``citymodel.records``:
12-digit type codes, INNs of 10 or 12 digits, shares as fractions, lot statuses and deal
types; ``citymodel.cadastral``: cadastral numbers), so a record is equally valid
whichever way it came. Messages name the field; they never repeat a holder's name.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from citymodel import records
from citymodel.cadastral import REGISTER_TIME_ZONE, lookup_key
from citymodel.errors import InvalidCadastralNumber
from citymodel.records import HOLDER_KINDS, LOT_STATUSES, RIGHT_KINDS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RightIn(Strict):
    """A right or encumbrance on a parcel (``kind`` defaults by type code: 022… are
    encumbrances, e.g. lease 022006000000)."""

    registration_number: str = Field(min_length=1, max_length=100)
    type_code: str = Field(description="12-digit ЕГРН type code")
    holder_kind: str = Field(description="One of " + ", ".join(HOLDER_KINDS))
    kind: str | None = Field(default=None, description="One of " + ", ".join(RIGHT_KINDS))
    type_name: str | None = Field(default=None, max_length=500)
    holder_name: str | None = Field(default=None, max_length=500)
    holder_inn: str | None = Field(default=None, description="10 digits (legal entity) or 12 (individual)")
    share: str | None = Field(default=None, max_length=30, description="e.g. 1/2; 1 is the whole")
    registered_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    _type_code = field_validator("type_code")(lambda value: records.type_code(value))
    _inn = field_validator("holder_inn")(lambda value: records.inn(value))
    _share = field_validator("share")(lambda value: records.share(value) and value.strip())

    _holder_kind = field_validator("holder_kind")(lambda value: records.holder_kind(value))

    @model_validator(mode="after")
    def _dates(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        self.kind = records.right_kind(self.type_code, self.kind)
        return self

    def columns(self) -> dict:
        values = self.model_dump(exclude={"share"})
        numerator, denominator = records.share(self.share) or (None, None)
        return values | {"share_numerator": numerator, "share_denominator": denominator}


class NoticeIn(Strict):
    bidding_type_code: str | None = Field(default=None, max_length=50)
    bidding_type_name: str | None = Field(default=None, max_length=500)
    bidding_form: str | None = Field(default=None, max_length=200)
    organizer_name: str | None = Field(default=None, max_length=1000)
    organizer_inn: str | None = None

    _inn = field_validator("organizer_inn")(lambda value: records.inn(value))
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

    status: str | None = Field(default=None, description="One of " + ", ".join(LOT_STATUSES))
    deal_type: str | None = Field(default=None, description="sale or lease")
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

    _status = field_validator("status")(lambda value: records.lot_status(value))
    _deal_type = field_validator("deal_type")(lambda value: records.deal_type(value))

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

    status: str = Field(description="One of " + ", ".join(LOT_STATUSES))
    final_price: float | None = Money
    result_on: date | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        status = records.lot_status(value)
        if status is None:
            raise ValueError("a status is required")
        return status


NOTICE_NUMBER = re.compile(r"^[\w\-/.]{1,100}$")
