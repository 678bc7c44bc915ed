"""Coverage of the access matrix: which (table, command, actor relation) cells a run tried, allowed, refused."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wedsync_db.rls.attempts import Judged
from wedsync_db.rls.matrix import AccessMatrix

Cell = tuple[str, str, str]  # (table, command, actor relation)


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
    # cells for which the world holds no (actor, row) pair at all (set by the completion pass): a data gap
    unreachable: list[Cell] = field(default_factory=list)

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

    def untried(self) -> list[Cell]:
        """Cells of the matrix no attempt exercised (unreachable ones included)."""
        return [c for c in self.matrix.cells() if self.attempts[c] == 0]

    def missed(self) -> list[Cell]:
        """Untried cells the world could have reached: a gap in the proof (a run with any fails)."""
        gaps = set(self.unreachable)
        return [c for c in self.untried() if c not in gaps]

    def is_unreachable(self, cell: Cell) -> bool:
        return self.attempts[cell] == 0 and cell in set(self.unreachable)

    def summary(self) -> str:
        cells = self.matrix.cells()
        tried = sum(1 for c in cells if self.attempts[c])
        text = f"{tried}/{len(cells)} cells exercised, {self.total} attempts, {len(self.failed)} failed"
        unreachable = len(self.untried()) - len(self.missed())
        return text + (f", {unreachable} unreachable in this world" if unreachable else "")
