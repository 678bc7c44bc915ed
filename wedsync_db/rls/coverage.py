"""Coverage of the access matrix: which (table, command, actor relation) cells a run tried, allowed, refused."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wedsync_db.rls.attempts import Judged
from wedsync_db.rls.matrix import AccessMatrix


@dataclass
class Coverage:
    """Attempts, passes and failures per cell; outcomes (allowed/refused) seen per cell."""

    matrix: AccessMatrix
    attempts: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    allowed: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    total: int = 0
    failed: list[Judged] = field(default_factory=list)

    def add(self, judged: list[Judged]) -> None:
        for j in judged:
            self.total += 1
            if not j.passed:
                self.failed.append(j)
            ok = j.expectation.verdict.kind == "ok" and (j.attempt.command != "select" or bool(j.expectation.rows))
            for cell in j.cells:
                self.attempts[cell] += 1
                (self.allowed if ok else self.refused)[cell] += 1
                if not j.passed:
                    self.failures[cell] += 1

    def untried(self) -> list[tuple[str, str, str]]:
        """Cells of the matrix no attempt exercised."""
        return [c for c in self.matrix.cells() if self.attempts[c] == 0]

    def summary(self) -> str:
        cells = self.matrix.cells()
        tried = sum(1 for c in cells if self.attempts[c])
        return f"{tried}/{len(cells)} cells exercised, {self.total} attempts, {len(self.failed)} failed"
