"""Root conftest: registers the wedsync-db pytest plugins (server, template, clones; seeded templates and worlds)."""

pytest_plugins = ["wedsync_db.pytest_plugin", "wedsync_db.pytest_seeded"]
