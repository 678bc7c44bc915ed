"""Catalog lints: security, performance and naming checks read from pg_catalog (our own take on Supabase's splinter)."""

from wedsync_db.lints.registry import (
    API_ROLES,
    API_SCHEMA,
    ERROR,
    INFO,
    LEVELS,
    LINTS,
    MAX_NAME_BYTES,
    NAMING,
    PERFORMANCE,
    SECURITY,
    WARN,
    Check,
    Finding,
    Lint,
    Problem,
    Scope,
    lint_names,
)

# Importing a check module registers its lints, and registration order is run and output order: keep this order.
# isort: off
from wedsync_db.lints import policies, privileges, tenancy, keys, naming
# isort: on
from wedsync_db.lints.render import findings_from_json, findings_json, findings_sarif, findings_table
from wedsync_db.lints.run import exit_code, run_lints

__all__ = [
    "API_ROLES", "API_SCHEMA", "ERROR", "INFO", "LEVELS", "LINTS", "MAX_NAME_BYTES", "NAMING", "PERFORMANCE",
    "SECURITY", "WARN", "Check", "Finding", "Lint", "Problem", "Scope", "exit_code", "findings_from_json",
    "findings_json", "findings_sarif", "findings_table", "keys", "lint_names", "naming", "policies", "privileges",
    "run_lints", "tenancy",
]
