"""Peer linters on the migrated schema: every pgrls finding is reviewed, and every review still has a finding.

pgrls (https://github.com/pgrls/pgrls, a static RLS linter on PyPI) runs in live-database mode against a fresh
clone of the migrated template: ``pgrls lint --database-url URL --schemas S --format json``, from an empty
directory so no ``pgrls.toml`` changes its rules. ``S`` is every schema we own: public, private, partitions,
wedsync_meta (the migration runner's ledger) and whatever schema a migration adds. Not the Supabase-managed
schemas (auth, extensions, and the rest of splinter's excluded list): platform.sql emulates them as Supabase ships
them, so a finding there is about Supabase's design, which no migration of ours may change (Supabase's own advisor
skips them for the same reason).

``peer_linter_findings.yaml`` holds the review: each entry is by design (with its reason) or open (a true defect
not fixed yet, listed as a warning), and its reason is pinned by a catalog fact checked here for every finding it
covers (``holds``) or by the tests that prove it (``pinned_by``). A finding no entry covers fails; so does an entry
that no longer covers any finding (the list cannot outlive what it excuses). Kinds of true finding our own lints
missed became lints (wedsync_db/lints/README.md lists them).
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from wedsync_db.clone_pool import ClonePool
from wedsync_db.janitor import Janitor

ROOT = Path(__file__).resolve().parents[2]
REVIEW = Path(__file__).with_name("peer_linter_findings.yaml")
API_ROLES = ("anon", "authenticated")

# Supabase-managed schemas, as Supabase's splinter excludes them (../shared/research/splinter-lints.md), and the two
# platform.sql creates: not ours to lint.
SUPABASE_SCHEMAS = frozenset({
    "_timescaledb_cache", "_timescaledb_catalog", "_timescaledb_config", "_timescaledb_internal", "auth", "cron",
    "extensions", "graphql", "graphql_public", "information_schema", "net", "pgmq", "pgroonga", "pgsodium",
    "pgsodium_masks", "pgtle", "pgbouncer", "pg_catalog", "realtime", "repack", "storage", "supabase_functions",
    "supabase_migrations", "tiger", "topology", "vault",
})


class OpenPeerFinding(UserWarning):
    """A true defect a peer linter found that is recorded as open in peer_linter_findings.yaml."""


@dataclass(frozen=True)
class PeerFinding:
    """One pgrls finding, split per flagged column for PERF003 (one column, one fix)."""

    rule: str
    location: str
    subject: str | None
    message: str

    def __str__(self) -> str:
        about = f" [{self.subject}]" if self.subject else ""
        return f"{self.rule} {self.location}{about}: {self.message[:300]}"


def _quoted(text: str) -> list[str]:
    return re.findall(r"'([^']+)'", text)


def peer_findings(report: dict[str, Any]) -> list[PeerFinding]:
    """Turn ``pgrls lint --format json`` output into findings with the subject each rule is about."""
    found = []
    for v in report["violations"]:
        rule, location, message = v["rule_id"], v["location"], v["message"]
        subjects: list[str | None] = [None]
        if rule == "PERF003" and (m := re.search(r"references columns? (.+?) which ha", message)):
            subjects = list(_quoted(m.group(1)))
        elif rule == "PERF004" and (m := re.search(r"wraps the indexed columns? (.+?) in a function", message)):
            subjects = [", ".join(_quoted(m.group(1)))]
        elif rule == "SEC013" and (m := re.search(r"calls function ([\w.\"]+?)\.(?:\s|$)", message)):
            subjects = [m.group(1)]
        found.extend(PeerFinding(rule, location, subject, message) for subject in subjects)
    return found


# -- the review and the facts that pin it -----------------------------------------------------------------------
def review(tool: str = "pgrls") -> list[dict[str, Any]]:
    return list(yaml.safe_load(REVIEW.read_text())[tool])


def _one(conn: psycopg.Connection[Any], query: str, params: Any) -> Any:
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def _policy(conn: psycopg.Connection[Any], location: str) -> dict[str, Any] | None:
    schema, table, policy = location.split(".", 2)
    row = conn.execute("""
        select p.polcmd::text, pg_catalog.pg_get_expr(p.polqual, p.polrelid),
               pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), c.oid
        from pg_catalog.pg_policy p join pg_catalog.pg_class c on c.oid = p.polrelid
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = %s and c.relname = %s and p.polname = %s""", (schema, table, policy)).fetchone()
    return dict(zip(("cmd", "using", "check", "table"), row, strict=True)) if row else None


def _security_invoker(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    return _one(conn, "select bool_and(not p.prosecdef) from pg_catalog.pg_proc p join pg_catalog.pg_namespace n"
                      " on n.oid = p.pronamespace where n.nspname || '.' || p.proname = %s", (f.subject,)) is True


def _insert_policy(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    policy = _policy(conn, f.location)
    return policy is not None and policy["cmd"] == "a"


def _call_only_in_with_check(conn: psycopg.Connection[Any], f: PeerFinding, function: str) -> bool:
    policy = _policy(conn, f.location)
    return (policy is not None and f"{function}(" in (policy["check"] or "")
            and f"{function}(" not in (policy["using"] or ""))


def _indexed_key_beside(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    policy = _policy(conn, f.location)
    if policy is None or not policy["using"]:
        return False
    leading = [r[0] for r in conn.execute("""
        select a.attname::text from pg_catalog.pg_index i
        join pg_catalog.pg_class ic on ic.oid = i.indexrelid join pg_catalog.pg_am am on am.oid = ic.relam
        join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
        where i.indrelid = %s and i.indisvalid and i.indpred is null and am.amname = 'btree'""", (policy["table"],))]
    return any(re.search(rf"\b{re.escape(column)}\b", policy["using"]) for column in leading if column != f.subject)


def _partial_index_on_column(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    policy = _policy(conn, f.location)
    predicates = [] if policy is None else [r[0] for r in conn.execute(
        "select pg_catalog.pg_get_expr(i.indpred, i.indrelid) from pg_catalog.pg_index i"
        " where i.indrelid = %s and i.indpred is not null and i.indisvalid", (policy["table"],))]
    return any(re.search(rf"\b{re.escape(f.subject or '')}\b", predicate) for predicate in predicates)


def _not_callable_by_api_roles(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    return _one(conn, """
        select bool_and(p.prosecdef and p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
                        and not pg_catalog.has_function_privilege('anon', p.oid, 'EXECUTE')
                        and not pg_catalog.has_function_privilege('authenticated', p.oid, 'EXECUTE'))
        from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where n.nspname || '.' || p.proname = %s""", (f.location,)) is True


def _not_granted_to_api_roles(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    return _one(conn, """
        select not bool_or(pg_catalog.has_table_privilege(r, c.oid,
                             'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                           or pg_catalog.has_any_column_privilege(r, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace,
             pg_catalog.unnest(%s::text[]) as r
        where n.nspname || '.' || c.relname = %s""", (list(API_ROLES), f.location)) is True


def _schema_closed_to_api_roles(conn: psycopg.Connection[Any], f: PeerFinding, _: str) -> bool:
    return _one(conn, "select not bool_or(pg_catalog.has_schema_privilege(r, %s, 'USAGE'))"
                      " from pg_catalog.unnest(%s::text[]) as r", (f.location.split(".")[0], list(API_ROLES))) is True


FACTS: dict[str, Callable[[psycopg.Connection[Any], PeerFinding, str], bool]] = {
    "security_invoker": _security_invoker,
    "insert_policy": _insert_policy,
    "call_only_in_with_check": _call_only_in_with_check,
    "indexed_key_beside": _indexed_key_beside,
    "partial_index_on_column": _partial_index_on_column,
    "not_callable_by_api_roles": _not_callable_by_api_roles,
    "not_granted_to_api_roles": _not_granted_to_api_roles,
    "schema_closed_to_api_roles": _schema_closed_to_api_roles,
}


def _matches(entry: dict[str, Any], finding: PeerFinding) -> bool:
    if entry["rule"] != finding.rule:
        return False
    if not any(fnmatch.fnmatchcase(finding.location, pattern) for pattern in entry["objects"]):
        return False
    subjects = entry.get("subjects")
    return subjects is None or any(fnmatch.fnmatchcase(finding.subject or "", pattern) for pattern in subjects)


def _holds(conn: psycopg.Connection[Any], entry: dict[str, Any], finding: PeerFinding) -> bool:
    if "holds" not in entry:
        return True
    fact, _, argument = entry["holds"].partition(" ")
    return FACTS[fact](conn, finding, argument)


@dataclass
class Verdicts:
    """Which entry covers each finding, and the findings no entry covers (with the entries whose fact failed)."""

    covered: dict[int, list[PeerFinding]]
    uncovered: list[tuple[PeerFinding, list[int]]]


def judge(conn: psycopg.Connection[Any], entries: list[dict[str, Any]], findings: list[PeerFinding]) -> Verdicts:
    """Give each finding to the first entry that matches it and whose fact holds of it."""
    verdicts = Verdicts({i: [] for i in range(len(entries))}, [])
    for finding in findings:
        failed = []
        for i, entry in enumerate(entries):
            if _matches(entry, finding):
                if _holds(conn, entry, finding):
                    verdicts.covered[i].append(finding)
                    break
                failed.append(i)
        else:
            verdicts.uncovered.append((finding, failed))
    return verdicts


def _describe(entry: dict[str, Any]) -> str:
    return f"{entry['rule']} {entry['objects']}" + (f" subjects {entry['subjects']}" if "subjects" in entry else "")


# -- running pgrls ------------------------------------------------------------------------------------------------
def owned_schemas(conn: psycopg.Connection[Any]) -> list[str]:
    """Every schema of the database that is neither PostgreSQL's nor Supabase-managed."""
    names = [r[0] for r in conn.execute(
        "select nspname::text from pg_catalog.pg_namespace where nspname !~ '^pg_' order by 1")]
    return [name for name in names if name not in SUPABASE_SCHEMAS]


@dataclass(frozen=True)
class PgrlsRun:
    url: str
    schemas: list[str]
    command: list[str]
    findings: list[PeerFinding]


@pytest.fixture(scope="module")
def pgrls_run(janitor: Janitor, clone_pool: ClonePool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgrlsRun]:
    """pgrls lint, live-database mode, on a fresh clone of the migrated template over every schema we own."""
    pytest.importorskip("pgrls", reason="pgrls is not installed (bin/bootstrap installs it from constraints.txt)")
    name = clone_pool.acquire()
    try:
        url = janitor.server.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            schemas = owned_schemas(conn)
        command = [sys.executable, "-m", "pgrls", "lint", "--database-url", url, "--schemas", ",".join(schemas),
                   "--format", "json"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              cwd=tmp_path_factory.mktemp("pgrls"))  # no pgrls.toml there: default rules
        # Exit 1 means findings at warning or above, which the review judges; 2 means pgrls itself failed.
        assert done.returncode in (0, 1), f"pgrls failed (exit {done.returncode}):\n{done.stderr}"
        yield PgrlsRun(url, schemas, command, peer_findings(json.loads(done.stdout)))
    finally:
        clone_pool.release(name)


@pytest.fixture(scope="module")
def verdicts(pgrls_run: PgrlsRun) -> Verdicts:
    with psycopg.connect(pgrls_run.url, autocommit=True) as conn:
        return judge(conn, review(), pgrls_run.findings)


# -- the tests ----------------------------------------------------------------------------------------------------
def test_pgrls_lints_every_schema_we_own(pgrls_run: PgrlsRun) -> None:
    """The run covers public, private, partitions and the ledger, and none of the Supabase-managed schemas."""
    assert {"public", "private", "partitions", "wedsync_meta"} <= set(pgrls_run.schemas), pgrls_run.schemas
    assert not {"auth", "extensions"} & set(pgrls_run.schemas)
    assert pgrls_run.findings, "pgrls reported nothing at all: check that it still reads the schemas"


def test_every_pgrls_finding_is_reviewed(pgrls_run: PgrlsRun, verdicts: Verdicts) -> None:
    """Each pgrls finding is covered by an entry of peer_linter_findings.yaml whose fact still holds of it;
    open entries are listed as warnings."""
    entries = review()
    lines = []
    for finding, failed in verdicts.uncovered:
        lines.append(f"  {finding}")
        lines.extend(f"    matched, but its `holds: {entries[i]['holds']}` is false: {_describe(entries[i])}"
                     for i in failed)
    version = metadata.version("pgrls")
    assert not lines, (f"pgrls {version} findings not reviewed in {REVIEW.name} (fix them, or add an entry with "
                       f"the reason and what pins it):\n" + "\n".join(lines))
    for i, entry in enumerate(entries):
        if "open" in entry and verdicts.covered[i]:
            warnings.warn(OpenPeerFinding(f"pgrls {_describe(entry)}: {len(verdicts.covered[i])} open finding(s): "
                                          f"{entry['open']} Fix: {entry['fix']}"), stacklevel=1)


def test_every_reviewed_pgrls_finding_still_occurs(verdicts: Verdicts) -> None:
    """Each entry of peer_linter_findings.yaml covers at least one current finding: a fixed one is deleted."""
    stale = [_describe(entry) for i, entry in enumerate(review()) if not verdicts.covered[i]]
    assert not stale, "entries that cover no pgrls finding any more (delete them):\n  " + "\n  ".join(stale)


def test_every_review_entry_has_a_reason_and_what_pins_it() -> None:
    """Each entry is by design or open (with a fix), and names a known fact or tests that exist."""
    problems = []
    for entry in review():
        name = _describe(entry)
        if ("by_design" in entry) == ("open" in entry) or ("open" in entry and not entry.get("fix")):
            problems.append(f"{name}: needs exactly one of by_design / open (and open needs fix)")
        if "holds" not in entry and not entry.get("pinned_by"):
            problems.append(f"{name}: needs holds or pinned_by")
        if "holds" in entry and entry["holds"].split(" ")[0] not in FACTS:
            problems.append(f"{name}: unknown fact {entry['holds']!r}; known: {', '.join(FACTS)}")
        for pin in entry.get("pinned_by", []):
            path, _, test = pin.partition("::")
            source = ROOT / path
            if not source.is_file() or not re.search(rf"^def {re.escape(test)}\(", source.read_text(), re.M):
                problems.append(f"{name}: pinned_by {pin} does not exist")
    assert not problems, "\n".join(problems)


def test_review_facts_go_red_when_the_reason_is_broken(db: psycopg.Connection[Any]) -> None:
    """The facts that pin reasons are false once the reason is broken: a definer trigger function, a leaf
    partition granted to anon, an INSERT policy turned into ALL, and the ledger's schema opened to API roles."""
    def fact(name: str, finding: PeerFinding, argument: str = "") -> bool:
        return FACTS[name](db, finding, argument)

    trigger = PeerFinding("SEC013", "public.clients.set_updated_at", "private.set_updated_at", "")
    leaf = db.execute("select n.nspname || '.' || c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace"
                      " n on n.oid = c.relnamespace where n.nspname = 'partitions' and c.relkind = 'r'"
                      " order by 1 limit 1").fetchone()[0]
    insert = PeerFinding("PERF003", "public.messages.messages_insert_team", "sender", "")
    ledger = PeerFinding("SEC001", "wedsync_meta.schema_migrations", None, "")
    partition = PeerFinding("SEC009", leaf, None, "")
    assert fact("security_invoker", trigger) and fact("not_granted_to_api_roles", partition)
    assert fact("insert_policy", insert) and fact("schema_closed_to_api_roles", ledger)
    db.execute("alter function private.set_updated_at() security definer")
    db.execute(f"grant select on {leaf} to anon")
    db.execute("alter policy messages_insert_team on public.messages rename to messages_insert_team_was")
    db.execute("create policy messages_insert_team on public.messages for all to authenticated using (false)")
    db.execute("grant usage on schema wedsync_meta to authenticated")
    assert not fact("security_invoker", trigger) and not fact("not_granted_to_api_roles", partition)
    assert not fact("insert_policy", insert) and not fact("schema_closed_to_api_roles", ledger)
