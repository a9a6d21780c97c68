"""Importers: read each source format, validate it, and load it into PostGIS.

Parcels (GeoJSON, GeoPackage, Shapefile, Rosreestr KPT v10 and extract XML), buildings
(OpenStreetMap, GeoPackage, Rosreestr), rights, auctions (torgi.gov.ru JSON, CSV), planning
zones, city services and streets: each in one transaction, with named rejects and
provenance (``importers.core``). Field rules come from the core (``citymodel.records``,
``citymodel.cadastral``, ``citymodel.planning``). Depends on ``citymodel`` only.
"""
