"""GeoJSON geometries from untrusted input: read, or refused with the reason."""

from __future__ import annotations

import shapely

_READ_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError,
                shapely.errors.GEOSException)


class InvalidGeoJSON(ValueError):
    """Not a GeoJSON geometry shapely can read; the message says why."""


def shape(value) -> shapely.Geometry:
    """A GeoJSON geometry object (a dict) as a shapely geometry."""
    if not isinstance(value, dict):
        raise InvalidGeoJSON("not a GeoJSON geometry object")
    try:
        return shapely.geometry.shape(value)
    except _READ_ERRORS as exc:
        raise InvalidGeoJSON(f"not a valid GeoJSON {value.get('type', 'geometry')} ({exc})") from None
