"""A territorial zone's limit, or why there is none, as the rules need it."""

from __future__ import annotations

from citymodel.scenarios.context import Zone
from citymodel.scenarios.findings import NO_DATA, NOT_APPLICABLE, WARNING

PHRASE_STATUS = {"unlimited": NOT_APPLICABLE, "not_set": NOT_APPLICABLE,
                 "not_applicable": NOT_APPLICABLE, "existing": WARNING}
PHRASE_TEXT = {"unlimited": "is not limited", "not_set": "is not set",
               "not_applicable": "is not governed by the rules here",
               "existing": "is limited to the existing state"}


def zone_limit(zone: Zone | None, name: str) -> tuple[float | None, str | None, str]:
    """(limit, status when there is no number, why) for parameter ``name`` of ``zone``."""
    if zone is None:
        return None, NO_DATA, "no territorial zone covers the parcel"
    value = getattr(zone, name)
    if value is not None:
        return float(value), None, ""
    phrase = (zone.limits_text or {}).get(name)
    if phrase in PHRASE_STATUS:
        return None, PHRASE_STATUS[phrase], f"in {zone.label} it {PHRASE_TEXT[phrase]}"
    return None, NO_DATA, f"{zone.label} gives no {name}"
