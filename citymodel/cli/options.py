"""Options more than one command takes."""

from __future__ import annotations

import click


def lonlat_box(ctx, param, value):
    """``--bbox W,S,E,N`` in degrees, as a tuple (None when not given)."""
    if value is None:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter("expected WEST,SOUTH,EAST,NORTH in degrees") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise click.BadParameter("expected WEST < EAST and SOUTH < NORTH, in degrees")
    return west, south, east, north
