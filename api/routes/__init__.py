"""One router per resource: landing, features, 3D tiles, terrain, vector tiles, parcels, buildings,
services, scenarios, auctions, rights, procurement, auth, the viewer."""
