"""Root conftest: registers the wedsync-db pytest plugins (server, template, clones; seeded templates and worlds)
and the RLS fixtures that tests/rls and tests/quality share (tests/rls/seeded.py)."""

pytest_plugins = ["wedsync_db.pytest_plugin", "wedsync_db.pytest_seeded", "tests.rls.seeded"]
