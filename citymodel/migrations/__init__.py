"""Alembic migrations of the citymodel schema; run them with `citymodel db migrate`."""

HEAD = "0014"  # the newest revision; a test checks Alembic agrees
