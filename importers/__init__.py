"""Importers: read each source format, validate it, and load it into PostGIS.

Not built yet: the cadastre, buildings, rights and auctions importers arrive with
the importers issue. Depends on ``citymodel`` only.
"""
