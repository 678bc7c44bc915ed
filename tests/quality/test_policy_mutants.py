"""The suite proves itself: every weakened policy (one mutant per kind per table) must be caught."""

from __future__ import annotations

import psycopg

from wedsync_db.rls.mutation import mutants_for, mutation_score, run_mutant
from wedsync_db.rls.oracle import Oracle


def test_every_policy_mutant_is_caught(rls_db_url: str, oracle: Oracle) -> None:
    """using(true), dropped WITH CHECK, RLS off, not forced, tenant swapped, role weakened, connection unchecked."""
    results = []
    with psycopg.connect(rls_db_url) as conn:
        for table in sorted(oracle.matrix.tables):
            for mutant in mutants_for(conn, table):
                results.append(run_mutant(conn, oracle, mutant))
    score = mutation_score(results)
    survivors = [r for r in results if not r.caught]
    print(f"\nmutation score: {score:.1f}% ({len(results) - len(survivors)}/{len(results)} mutants caught)")
    for r in survivors:
        print(f"  survived: {r.mutant.name} ({r.attempts} attempts) {r.error}")
    assert not survivors, "surviving mutants: " + ", ".join(r.mutant.name + (f" [{r.error}]" if r.error else "")
                                                             for r in survivors)
