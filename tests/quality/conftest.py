"""Quality tests reuse the RLS fixtures: see tests/rls/seeded.py (shared with tests/quality)."""

from tests.rls.seeded import (  # noqa: F401
    fresh_rls_db_url,
    oracle,
    rls_conn,
    rls_counter,
    rls_db_url,
    rls_template,
    rls_world,
    tiny_conn,
    tiny_fingerprints,
    tiny_oracle,
)
