import yaml

HEADER = """\
# schema/access_matrix.yaml: who may do what, for every table of schema public, stated without SQL.
# The policies of migrations 0009-0024 implement exactly this; an independent oracle implements it again.
#
# HOW TO READ AN ENTRY
# Each table lists, per command, the rules that let a caller in. Rules are OR'ed; inside a rule,
# `who` (an actor relation, or a list of them, OR'ed) and every condition are AND'ed.
#   select / delete : `who` and `when` are evaluated on the stored row.
#   insert          : `who` and `check` are evaluated on the new row (after before-insert triggers).
#   update          : `who` and `when` on the stored row (else the row is silently skipped: 0 rows),
#                     then `who` and `check` on the new row (else error 42501). Because PostgREST always sends
#                     a WHERE, PostgreSQL also requires the new row to pass at least one select rule.
#   insert ... returning / update ... returning also need the row to pass a select rule.
# A command with no rule (or `nobody`) is refused for anon/authenticated: by a missing grant (42501) when the
# role has no grant on the table, otherwise by RLS (0 rows for select/update/delete, 42501 for insert).
# service_role bypasses RLS: it may run the commands listed under `service_role` on any row (soft-deleted rows
# included), still subject to constraints and `guards`. Guards (triggers) apply to every role.
# `update_columns` lists the only columns authenticated may UPDATE (column grants); updating any other column
# fails with 42501 before policies are checked. Other columns are immutable through the API.
#
# VOCABULARY: actor relations (the caller is the user in request.jwt.claims.sub)
vocabulary:
  relations:
    anon: the role anon (no user)
    any_authenticated: any caller with role authenticated
    service_role: the backend role (bypasses RLS)
    nobody: no API caller
    "team:<min_role>": >
      the caller has a team_members row with deleted_at null and role >= min_role (viewer < member < admin < owner)
      for the row's supplier (column `team_column`, default supplier_id), and that supplier has deleted_at null
    "buyer_team:<min_role>": team:<min_role> with the supplier taken from column buyer_supplier_id
    "seller_team:<min_role>": team:<min_role> with the supplier taken from column seller_supplier_id
    "purchase_buyer_team:<min_role>": >
      the row's purchase_id is a template_purchases row with status completed, deleted_at null, whose
      buyer_supplier_id the caller is team:<min_role> of
    self: the row's `user_column` equals the caller
    recipient: same as self (notifications.user_id)
    author: the row's author_user_id equals the caller
    creator: suppliers.created_by equals the caller
    partner: >
      the caller is partner_one_user_id or partner_two_user_id of the row's couple (column `couple_column`,
      default couple_id). For table couples the row itself is the couple and deleted_at of the row is what
      not_deleted checks; for other tables the couple must also have deleted_at null
    teammate: the row's user_id has a live team_members row on a supplier the caller is team:viewer of
    connected_partner: >
      the caller is a partner (as above) of a couple that has an active connection to the row's supplier
      (column `team_column`, default supplier_id), and that supplier has deleted_at null
    "connected_team:<min_role>": >
      the caller is team:<min_role> of a supplier that has an active connection to the row's couple
  conditions:
    not_deleted: the row's deleted_at is null
    "{equals: {col: v}}": the row's column col equals v
    "{not_equals: {col: v}}": the row's column col differs from v
    "{is_caller: col}": the row's column col equals the caller's user id
    active_connection: >
      a supplier_client_connections row with status active and deleted_at null links the row's supplier_id and
      couple_id
    shared_group: >
      the row's field_group_id is a core_field_groups row (deleted_at null) whose key is in shared_field_group_keys
      of an active connection between the row's couple and a supplier the caller is team:viewer of
  definitions:
    active connection: supplier_client_connections.status = active and deleted_at is null
"""


def relation_list(who):
    return who if isinstance(who, list) else [who]


def write(TABLES, path="/work/main/schema/access_matrix.yaml"):
    tables = {}
    for name in sorted(TABLES):
        spec = TABLES[name]
        entry = {"family": spec["family"], "tenant_key": spec["tenant_key"]}
        if spec["partitioned"]:
            entry["partitioned"] = "range (created_at), monthly; leaf partitions in schema partitions"
        if spec["team_column"]:
            entry["team_column"] = spec["team_column"]
        if spec["couple_column"]:
            entry["couple_column"] = spec["couple_column"]
        if spec["user_column"]:
            entry["user_column"] = spec["user_column"]
        entry["update_columns"] = spec["update_columns"]
        for cmd in ("select", "insert", "update", "delete"):
            rules = []
            for p in spec["policies"]:
                if p["cmd"] != cmd:
                    continue
                m = p["matrix"]
                rule = {"policy": p["name"], "who": relation_list(m["who"])}
                if cmd in ("select", "update", "delete"):
                    rule["when"] = m.get("when", [])
                if cmd in ("insert", "update"):
                    rule["check"] = m.get("check", [])
                rules.append(rule)
            entry[cmd] = rules or "nobody"
        entry["service_role"] = spec["service_role"]
        if spec["guards"]:
            entry["guards"] = spec["guards"]
        if spec["note"]:
            entry["note"] = spec["note"]
        tables[name] = entry
    body = yaml.safe_dump({"tables": tables}, sort_keys=False, width=110, default_flow_style=None)
    open(path, "w").write(HEADER + "\n" + body)
    print("wrote", path)
