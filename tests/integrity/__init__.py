"""Integrity tests: constraints, cascades, soft delete, audit, versions, migration round trips, catalog lints."""
