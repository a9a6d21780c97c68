"""The FastAPI application: OGC API – Features, vector and 3D tiles, parcel cards, auctions,
and access control (``citymodel serve``).

Depends on ``citymodel``; serves the files ``tiles`` wrote and uses its glTF encoder
for scenarios' proposals (``tiles.proposals``); never imports ``importers``.
"""
