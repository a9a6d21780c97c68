"""The FastAPI application: features, tiles, parcels, auctions and auth.

Not built yet. Depends on ``citymodel`` only (and serves what ``tiles`` wrote);
never on ``importers``.
"""
