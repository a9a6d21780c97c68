"""The surfaces of modelled buildings: their semantic types, and how a type is told when
the source gave none.

A building imported from CityJSON or CityGML keeps its real surfaces (``buildings.model``,
one polygon per surface, absolute heights) and each surface's type (``model_surfaces``,
in the same order), named as CityGML 2.0 and CityJSON name the boundary surfaces of a
building. Where the source says what a surface is, that is kept (``model_semantics`` =
``source``); where it does not (LoD1 solids usually), the importer tells it from the
surface's orientation by :func:`by_orientation` (``orientation``).

In 3D Tiles every surface, modelled or extruded, carries a coarser *class* (roof, wall,
ground, other: :data:`TILE_CLASSES`, by :func:`tile_class`) as a per-vertex attribute,
so a viewer can colour roofs and walls apart.
"""

from __future__ import annotations

import numpy as np

# CityGML 2.0 _BoundarySurface of a building (and CityJSON's semantic surfaces of one)
SURFACE_TYPES = ("RoofSurface", "WallSurface", "GroundSurface", "ClosureSurface",
                 "OuterCeilingSurface", "OuterFloorSurface", "Window", "Door")
SEMANTICS = ("source", "orientation")  # where model_surfaces came from

# What the tiles carry per vertex: the index of the class in this tuple.
TILE_CLASSES = ("roof", "wall", "ground", "other")
_CLASS_OF = {"RoofSurface": "roof", "WallSurface": "wall", "GroundSurface": "ground",
             "Window": "wall", "Door": "wall"}
ROOF, WALL, GROUND, OTHER = range(len(TILE_CLASSES))

# The orientation rule: a surface whose normal leans up more than this (its slope under
# about 84°) is a roof, down more than this a floor: the ground when it lies at the
# building's lowest level, else an outer floor (an overhang's underside); the rest walls.
UPRIGHT = 0.1  # |z| of the unit normal
GROUND_TOLERANCE_M = 0.5  # how far above the lowest point a floor still counts as the ground


def tile_class(types: list[str]) -> np.ndarray:
    """The tile class (index in TILE_CLASSES) of each surface type."""
    return np.array([TILE_CLASSES.index(_CLASS_OF.get(t, "other")) for t in types], dtype=np.uint8)


def by_orientation(normal_z: np.ndarray, lowest_z: np.ndarray, bottom: float) -> list[str]:
    """Surface types of one building's surfaces told by orientation: ``normal_z`` the z of
    each surface's unit normal (outward), ``lowest_z`` each surface's lowest height,
    ``bottom`` the building's lowest height."""
    types = np.full(len(normal_z), "WallSurface", dtype=object)
    types[normal_z > UPRIGHT] = "RoofSurface"
    down = normal_z < -UPRIGHT
    types[down] = "OuterFloorSurface"
    types[down & (lowest_z <= bottom + GROUND_TOLERANCE_M)] = "GroundSurface"
    return types.tolist()
