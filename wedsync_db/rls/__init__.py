"""Tenant-isolation proof: the access matrix as an oracle, access attempts, reproducers, reports and mutants."""

from wedsync_db.rls.matrix import AccessMatrix, load_matrix
from wedsync_db.rls.oracle import Oracle
from wedsync_db.rls.world import World, snapshot

__all__ = ["AccessMatrix", "Oracle", "World", "load_matrix", "snapshot"]
