"""Seeded-world tests share the suite-wide fixed anchor date and nightly skipping set in tests/conftest.py."""
