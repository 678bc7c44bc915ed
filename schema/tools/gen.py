"""Generate the policy migrations (0009-0024, even-numbered add_*_policies) and access_matrix.yaml from policies.py.

Provenance tool: applied migrations are immutable, so a policy change is a NEW migration; use this to keep the
matrix and the SQL in step while drafting it. Run from the repo root: .venv/bin/python schema/tools/gen.py
"""
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from policies import MIGRATIONS, TABLES

OUT = str(Path(__file__).resolve().parent.parent / "migrations")
upto = int(sys.argv[1]) if len(sys.argv) > 1 else 9999


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def clause(kw, expr):
    one = f"{kw} ({expr})"
    if len(one) <= 116:
        return one
    # split on top-level " and "
    parts = []
    depth = 0
    cur = ""
    i = 0
    while i < len(expr):
        if expr.startswith(" and ", i) and depth == 0:
            parts.append(cur)
            cur = ""
            i += 5
            continue
        c = expr[i]
        depth += c == "("
        depth -= c == ")"
        cur += c
        i += 1
    parts.append(cur)
    body = "\n    and ".join(parts)
    return f"{kw} (\n    {body}\n)"


def policy_sql(t, p):
    lines = ["-- " + line for line in textwrap.wrap(f"Lets in: {p['who']}.", 110)]
    lines.append(f"create policy {p['name']} on public.{t}")
    lines.append(f"for {p['cmd']}")
    lines.append(f"to {p['to']}")
    if p["using"]:
        lines.append(clause("using", p["using"]))
    if p["check"]:
        lines.append(clause("with check", p["check"]))
    lines[-1] += ";"
    comment = f"Lets in: {p['who']}."
    lines.append(f"comment on policy {p['name']} on public.{t} is")
    chunks = textwrap.wrap(comment, 100, drop_whitespace=False)
    lines.extend(sql_str(c) for c in chunks)
    lines[-1] += ";"
    return "\n".join(lines)


def wrap_cols(prefix, cols, suffix):
    one = f"{prefix} ({', '.join(cols)}) {suffix}"
    if len(one) <= 118:
        return one
    lines = textwrap.wrap(", ".join(cols), 100)
    return f"{prefix} (\n" + "\n".join("    " + line for line in lines) + f"\n) {suffix}"


def grants(t, spec):
    out = []
    for role in ("anon", "authenticated"):
        cmds = []
        for cmd in ("select", "insert", "update", "delete"):
            if any(cmd == p["cmd"] and role in p["to"] for p in spec["policies"]):
                cmds.append(cmd)
        if "update" in cmds:
            cmds.remove("update")
            if spec["update_columns"]:
                out.append(wrap_cols("grant update", spec["update_columns"], f"on table public.{t} to {role};"))
        if cmds:
            out.insert(len(out) - (1 if out and 'update (' in out[-1] and role in out[-1] else 0),
                       f"grant {', '.join(cmds)} on table public.{t} to {role};")
    if spec["service_role"]:
        out.append(f"grant {', '.join(spec['service_role'])} on table public.{t} to service_role;")
    return out


for name, tabs, what in MIGRATIONS:
    if int(name[:4]) > upto:
        continue
    head = textwrap.wrap(f"What and why: row level security policies and API grants for {what} "
                         f"({', '.join(tabs)}).", 100)
    up = [f"-- {name}", *[f"-- {h}" for h in head],
          "-- Each policy is per command and actor group, named <table>_<command>_<who>, always TO authenticated",
          "-- (or anon, authenticated where visitors may read), with auth.uid() wrapped in a sub-select and",
          "-- membership looked up through the private helpers (0008). Grants: API roles start with nothing",
          "-- (the create migration revoked everything); here each role gets back only the commands its policies",
          "-- allow, UPDATE only on the columns the app may change; service_role gets what the backend needs.",
          "-- The same rules are stated, not as SQL, in schema/access_matrix.yaml.",
          "-- Lock impact: CREATE POLICY and GRANT take ACCESS EXCLUSIVE on each table briefly (new, empty tables).",
          "-- Down checked: /tmp/schema-test.sh (up, down, pg_dump comparison of policies and grants, up again).",
          "set local lock_timeout = '5s';",
          "set local statement_timeout = '60s';", ""]
    down = [f"-- {name} (down): drops the policies and revokes the grants the up added.",
            "set local lock_timeout = '5s';", "set local statement_timeout = '60s';", ""]
    for t in tabs:
        spec = TABLES[t]
        up.append(f"-- {t} " + "-" * max(3, 100 - len(t)))
        if not spec["grants_elsewhere"]:
            up.extend(grants(t, spec))
            up.append("")
        for p in spec["policies"]:
            up.append(policy_sql(t, p))
            up.append("")
    for t in reversed(tabs):
        spec = TABLES[t]
        for p in reversed(spec["policies"]):
            down.append(f"drop policy {p['name']} on public.{t};")
        if not spec["grants_elsewhere"]:
            if spec["update_columns"]:
                down.append(wrap_cols("revoke update", spec["update_columns"],
                                      f"on table public.{t} from anon, authenticated;"))
            down.append(f"revoke all on table public.{t} from anon, authenticated, service_role;")
    open(f"{OUT}/{name}.up.sql", "w").write("\n".join(up).rstrip() + "\n")
    open(f"{OUT}/{name}.down.sql", "w").write("\n".join(down).rstrip() + "\n")
    print("wrote", name)

# ------------------------------------------------------------------ matrix
if upto >= 9999:
    import matrix_doc
    matrix_doc.write(TABLES)
