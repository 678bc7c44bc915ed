"""The escalation search as a Hypothesis state machine, and a runner that reports what it did.

Each example opens a transaction on a database holding a world, signs up an attacker, takes up to
``stateful_step_count`` API steps (drawn by :func:`wedsync_db.rls.escalation.draw_step`), and rolls back.
The first violation is written out at once (replay script and the step list) before Hypothesis shrinks it;
shrinking is bounded per profile so that a leak reaches the developer within a minute in CI.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import engine
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from wedsync_db.rls.api_surface import ApiSurface
from wedsync_db.rls.escalation import Search, action_names, draw_step
from wedsync_db.rls.escalation_budgets import BUDGETS, PROFILES
from wedsync_db.rls.invariants import Judge, Violation

ATTACKER_NS = uuid.UUID("0b5c7f0e-9d7e-4c4b-8f0a-5a1e7e3a9c11")
MAX_ATTACKER_USERS = 3


def search_settings(profile: str) -> settings:
    """The Hypothesis settings of a profile: its budget, no deadline (database round trips), derandomised in ci."""
    if profile not in BUDGETS:
        raise ValueError(f"unknown escalation profile {profile!r}: one of {', '.join(PROFILES)}")
    examples, steps, _ = BUDGETS[profile]
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=profile == "ci",
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@dataclass
class EscalationReport:
    """What a run did: examples, steps, reads judged, and the violations with their replay scripts."""

    examples: int = 0
    steps: int = 0
    steps_ok: int = 0
    reads_judged: int = 0
    violations: list[Violation] = field(default_factory=list)
    first_script: str | None = None
    seconds: float = 0.0
    actions: int = 0

    def summary(self) -> str:
        found = f"{len(self.violations)} violation(s)" if self.violations else "no violation"
        return (f"escalation search: {self.examples} examples, {self.steps} API steps ({self.steps_ok} accepted) "
                f"over {self.actions} actions from the catalog, {self.reads_judged:,} reads judged, {found}, "
                f"{self.seconds:.1f} s")


class ViolationFound(AssertionError):
    """An invariant broke; the message holds the violation and the replay script."""


def machine_for(
    conn: psycopg.Connection[Any], victims: list[str], report: EscalationReport,
    first_failure_path: Path | None = None, announce: Callable[[str], None] | None = None,
) -> type[RuleBasedStateMachine]:
    """A state machine class bound to a connection (a database holding the world) and a report."""
    surface = ApiSurface.read(conn)
    conn.rollback()
    judge = Judge()
    actions = action_names(surface, [t for t, spec in judge.ownership.tables.items() if spec.founded_by])
    report.actions = len(actions)

    class EscalationMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            conn.rollback()
            self.search = Search(conn, surface, judge, victims)
            report.examples += 1
            self._check(self.search.sign_up(str(uuid.uuid5(ATTACKER_NS, "attacker-1"))).violations)

        @precondition(lambda self: len(self.search.attackers) < MAX_ATTACKER_USERS)
        @rule()
        def sign_up_another_user(self) -> None:
            n = len(self.search.attackers) + 1
            self._check(self.search.sign_up(str(uuid.uuid5(ATTACKER_NS, f"attacker-{n}"))).violations)

        @rule(data=st.data())
        def call_the_api(self, data: st.DataObject) -> None:
            step = draw_step(data.draw, self.search, actions)
            if step is None:
                return
            outcome = self.search.act(step)
            report.steps += 1
            report.steps_ok += outcome.ok
            self._check(outcome.violations)

        def teardown(self) -> None:
            try:
                if not self.search.violations:
                    self._check(self.search.final_check())
            finally:
                report.reads_judged += self.search.checks
                conn.rollback()

        def _check(self, found: list[Violation]) -> None:
            if not found:
                return
            script = self.search.replay_script(found[0])
            if report.first_script is None:
                report.first_script = script
                report.violations = list(found)
                if first_failure_path is not None:
                    first_failure_path.parent.mkdir(parents=True, exist_ok=True)
                    first_failure_path.write_text(script + "\n")
                if announce is not None:
                    announce("\n".join(v.line() for v in found[:5]) + "\n\n" + script)
            lines = "\n".join(v.line() for v in found[:5])
            raise ViolationFound(f"{lines}\n\n{script}")

    return EscalationMachine


@contextlib.contextmanager
def shrinking_budget(seconds: int) -> Iterator[None]:
    """Bound Hypothesis's shrinking: database round trips make every shrink step cost milliseconds."""
    saved = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = seconds
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = saved


def run_search(
    conn: psycopg.Connection[Any], victims: list[str], profile: str,
    first_failure_path: Path | None = None, report: EscalationReport | None = None,
    announce: Callable[[str], None] | None = None,
) -> EscalationReport:
    """Run the search under a profile's budget; raise ViolationFound (shrunk) on a violation."""
    report = report or EscalationReport()
    chosen, shrink_seconds = search_settings(profile), BUDGETS[profile][2]
    machine = machine_for(conn, victims, report, first_failure_path, announce)
    started = time.perf_counter()
    try:
        with shrinking_budget(shrink_seconds):
            run_state_machine_as_test(machine, settings=chosen)
    finally:
        report.seconds = time.perf_counter() - started
    return report


MAX_VICTIMS = 40  # every user of a small world (the sample world has 17)
BIG_WORLD_VICTIMS = 10  # of a bigger one: the first key personas (one per kind of relation, rarest first)


def victims_of(conn: psycopg.Connection[Any]) -> list[str]:
    """The users whose reads are judged at the end of each example."""
    users = [str(u) for (u,) in conn.execute("select id from auth.users order by id").fetchall()]
    if len(users) > MAX_VICTIMS:
        from wedsync_db.rls.generate import key_personas
        from wedsync_db.rls.world import World, snapshot

        world = World.from_tables(snapshot(conn))
        known = set(users)
        users = [str(a.claims["sub"]) for a in key_personas(world, extra=0) if str(a.claims.get("sub")) in known]
        users = list(dict.fromkeys(users))[:BIG_WORLD_VICTIMS]
    conn.rollback()
    return users


def search_database(url: str, profile: str, first_failure_path: Path | None = None) -> tuple[EscalationReport, str]:
    """Run the search on the database at ``url`` (never committed to): the report, and the failure ('' if none)."""
    report = EscalationReport()
    with psycopg.connect(url) as conn:
        try:
            run_search(conn, victims_of(conn), profile, first_failure_path, report)
        except ViolationFound as failure:
            return report, str(failure)
        finally:
            conn.rollback()
    return report, ""
