"""The FastAPI application: OGC API – Features, vector and 3D tiles, parcel cards, auctions,
and access control (``citymodel serve``).

Depends on ``citymodel`` only and serves the files ``tiles`` wrote; never imports
``importers`` or ``tiles``.
"""
