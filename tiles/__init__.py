"""The 3D Tiles builder: buildings from PostGIS extruded into OGC 3D Tiles.

Not built yet. Depends on ``citymodel`` only; never on ``api``.
"""
