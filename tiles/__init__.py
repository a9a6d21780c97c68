"""The 3D Tiles builder: buildings from PostGIS extruded into OGC 3D Tiles 1.1.

``tiles.build`` writes the city's tileset (glTF with per-building metadata, a loose
quadtree, atomic switch to each new build); ``tiles.proposals`` encodes a scenario's
proposed buildings the same way, on request. Depends on ``citymodel`` only; never on
``api`` nor ``importers`` (``tests/test_layout.py``).
"""
