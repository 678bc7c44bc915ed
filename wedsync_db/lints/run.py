"""Run the registered lints in one transaction, filter suppressions, and turn findings into an exit status."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any

import psycopg

from wedsync_db.lints.registry import ERROR, INFO, LINTS, WARN, Finding, Scope, lint_names

# -- running -----------------------------------------------------------------------------------------------
_SEVERITY = {ERROR: 0, WARN: 1, INFO: 2}


def run_lints(
    conn: psycopg.Connection[Any],
    *,
    schemas: tuple[str, ...] = ("public", "private"),
    allow_public_definer: frozenset[str] = frozenset(),
    only: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
) -> list[Finding]:
    """Run the lints (all, or those named in ``only``) and return their findings, most severe first.

    :param ignore: suppression keys ``lint_name:object`` (shell-style wildcards allowed, e.g.
        ``policy_always_true:public.reviews.*``) for documented exceptions.
    :raises ValueError: when ``only`` names an unknown lint.
    """
    selected = LINTS
    if only is not None:
        wanted = set(only)
        unknown = wanted - set(lint_names())
        if unknown:
            raise ValueError(f"unknown lint(s): {', '.join(sorted(unknown))}; known: {', '.join(lint_names())}")
        selected = [lint for lint in LINTS if lint.name in wanted]
    scope = Scope(tuple(schemas), frozenset(allow_public_definer))
    patterns = list(ignore)
    findings: list[Finding] = []
    with conn.transaction():
        saved = conn.execute("select pg_catalog.current_setting('search_path')").fetchone()
        # Deparse everything fully qualified: with auth on the search_path, auth.uid() would print as uid().
        conn.execute("set local search_path = ''")
        try:
            for lint in selected:
                findings.extend(lint.findings(conn, scope))
        finally:
            # SET LOCAL inside a savepoint outlives its release: put the caller's value back for its transaction.
            if saved is not None and conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
                conn.execute("select pg_catalog.set_config('search_path', %s, true)", (saved[0],))
    kept = [f for f in findings if not any(fnmatch.fnmatchcase(f.key, pattern) for pattern in patterns)]
    return sorted(kept, key=lambda f: (_SEVERITY[f.level], f.category, f.lint, f.object))


def exit_code(findings: Iterable[Finding]) -> int:
    """Return 1 when any finding is an ERROR, else 0 (the exit status of ``wedsync-db lint``)."""
    return 1 if any(f.level == ERROR for f in findings) else 0
