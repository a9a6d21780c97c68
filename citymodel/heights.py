"""What heights mean: the datums ground elevations are given in, and where a building's
ground elevation came from.

Light on purpose (the settings read it): the terrain itself and the rule that stands
buildings on it are in :mod:`citymodel.terrain`.
"""

from __future__ import annotations

# Ground elevations and terrain heights are either above sea level (orthometric: the geoid
# undulation is added for 3D Tiles and quantized-mesh, which are ellipsoidal) or above the
# WGS 84 ellipsoid.
HEIGHT_DATUMS = ("orthometric", "ellipsoidal")
# Where ``buildings.ground_elevation`` came from: the imported file gave it, or the terrain
# (the rule of citymodel.terrain). NULL: neither, the building stands on the ellipsoid.
GROUND_SOURCES = ("source", "terrain")
