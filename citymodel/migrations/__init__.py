"""Alembic migrations of the citymodel schema; run them with `citymodel db migrate`."""

HEAD = "0015"  # the newest revision; a test checks Alembic agrees
