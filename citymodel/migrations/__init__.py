"""Alembic migrations of the citymodel schema; run them with `citymodel db migrate`."""
