"""Root conftest: registers the wedsync-db pytest plugin (server, template database, per-test clones)."""

pytest_plugins = ["wedsync_db.pytest_plugin"]
