"""Alembic migrations of the SQL storage's schema (run by ``_migrate.py``)."""
