"""Alembic migrations of the citymodel schema; run them with `citymodel db migrate`."""

HEAD = "0013"  # the newest revision; a test checks Alembic agrees
