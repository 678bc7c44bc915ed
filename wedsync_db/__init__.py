"""wedsync-db: the WedSync/WedMe schema and the harness that proves it correct, isolated and fast."""

from wedsync_db.config import Settings
from wedsync_db.impersonate import Actor, request, request_in_savepoint
from wedsync_db.server import Server, start_server

__all__ = ["Actor", "Server", "Settings", "request", "request_in_savepoint", "start_server"]
