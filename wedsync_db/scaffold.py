"""``wedsync-db migrate new``: the next numbered migration pair, with the header schema/README.md asks for.

The files are written with ``TODO(scaffold)`` where a person must write; a test refuses any migration that still
holds one, so an unfinished scaffold cannot pass CI.
"""

from __future__ import annotations

import re
from pathlib import Path

from wedsync_db.config import CHECKOUT, MIGRATIONS_DIR
from wedsync_db.errors import WedsyncError
from wedsync_db.migrations import discover

PLACEHOLDER = "TODO(scaffold)"
VERBS = ("create", "add", "alter", "drop", "enable", "backfill")
NAME_PATTERN = re.compile(rf"^(?:{'|'.join(VERBS)})_[a-z0-9]+(?:_[a-z0-9]+)*$")

_UP = """\
-- {label}
-- What and why: {todo} what this changes, and why the product needs it.
-- Lock impact: {todo} which locks on which tables, and for how long (new objects only, or a big live table?
-- see "Lock rules" in schema/README.md).
-- Down checked: {todo} how (tests/integrity/test_migration_round_trips.py: catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';
"""

_DOWN = """\
-- {label} (down): {todo} what it drops or restores, in the reverse order of the up.
set local lock_timeout = '5s';
set local statement_timeout = '60s';
"""


class ScaffoldError(WedsyncError):
    """The migration pair cannot be created as asked."""


def new_migration(name: str, directory: Path = MIGRATIONS_DIR) -> tuple[Path, Path]:
    """Write ``NNNN_<name>.up.sql`` and ``.down.sql`` (NNNN: the next version) and return their paths."""
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(f"{name!r} is not a migration name: verb first ({', '.join(VERBS)}), then the object, "
                            "lower case with underscores, e.g. add_clients_archived_at")
    if CHECKOUT is None and directory == MIGRATIONS_DIR:
        raise ScaffoldError(f"migrate new writes into a checkout's schema/migrations, and this wedsync_db is installed "
                            f"({MIGRATIONS_DIR.parent.parent}): run it in a clone of the repository")
    existing = discover(directory)
    version = existing[-1].version + 1 if existing else 1
    clash = [m.label for m in existing if m.name == name]
    if clash:
        raise ScaffoldError(f"{clash[0]} already has that name: choose one that says what this change does")
    label = f"{version:04d}_{name}"
    up, down = directory / f"{label}.up.sql", directory / f"{label}.down.sql"
    up.write_text(_UP.format(label=label, todo=PLACEHOLDER))
    down.write_text(_DOWN.format(label=label, todo=PLACEHOLDER))
    return up, down


def unfinished(directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Names of the migration files that still hold the scaffold's placeholder."""
    return sorted(path.name for path in directory.glob("*.sql") if PLACEHOLDER in path.read_text())
