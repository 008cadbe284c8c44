"""Persistence: SQLAlchemy models, repositories, migrations and privacy helpers."""
