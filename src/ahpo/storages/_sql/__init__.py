"""The SQL storage: SQLite files and PostgreSQL through SQLAlchemy 2, schema by Alembic."""
