"""Alembic migrations of the citymodel schema; run them with `citymodel db migrate`."""

HEAD = "0012"  # the newest revision; a test checks Alembic agrees
