"""One router per resource: landing, features, 3D tiles, vector tiles, parcels, auctions, rights, auth."""
