"""Single source for policies, grants and the access matrix (generator lives outside the repo)."""

ND = "deleted_at is null"
UID = "(select auth.uid())"


def team(role, col="supplier_id"):
    return f"{col} = any(array(select private.my_supplier_ids('{role}')))"


def partner(col="couple_id"):
    return f"{col} = any(array(select private.my_couple_ids()))"


def conn_active():
    return "private.is_active_connection(supplier_id, couple_id)"


ROLE_WORD = {"viewer": "viewer and up", "member": "member and up", "admin": "admin and up", "owner": "owner"}


def P(name, cmd, using=None, check=None, who="", matrix=None, to="authenticated"):
    return dict(name=name, cmd=cmd, using=using, check=check, who=who, matrix=matrix or {}, to=to)


def standard(table, select_role="viewer", write_role="member", delete_role="admin", extra=None):
    """The usual supplier-scoped set: team reads, member+ writes, admin+ deletes."""
    pols = [
        P(f"{table}_select_team", "select", using=f"{ND} and {team(select_role)}",
          who=f"team members ({ROLE_WORD[select_role]}) of the row's supplier; live rows only",
          matrix=dict(who=f"team:{select_role}", when=["not_deleted"])),
        P(f"{table}_insert_team", "insert", check=team(write_role),
          who=f"team members ({ROLE_WORD[write_role]}) of the row's supplier",
          matrix=dict(who=f"team:{write_role}", check=[])),
        P(f"{table}_update_team", "update", using=f"{ND} and {team(write_role)}", check=team(write_role),
          who=f"team members ({ROLE_WORD[write_role]}) of the row's supplier, which the row cannot leave",
          matrix=dict(who=f"team:{write_role}", when=["not_deleted"], check=[])),
        P(f"{table}_delete_team", "delete", using=f"{ND} and {team(delete_role)}",
          who=f"team members ({ROLE_WORD[delete_role]}) of the row's supplier",
          matrix=dict(who=f"team:{delete_role}", when=["not_deleted"])),
    ]
    return pols


ALL4 = ["select", "insert", "update", "delete"]

# table -> spec
TABLES = {}


def table(name, family, tenant_key, policies, update_columns=(), service_role=ALL4, immutable=None,
          guards=(), team_column=None, couple_column=None, user_column=None, note=None, partitioned=False,
          grants_elsewhere=False):
    TABLES[name] = dict(name=name, family=family, tenant_key=tenant_key, policies=policies,
                        update_columns=list(update_columns), service_role=list(service_role),
                        immutable=immutable, guards=list(guards), team_column=team_column,
                        couple_column=couple_column, user_column=user_column, note=note,
                        partitioned=partitioned, grants_elsewhere=grants_elsewhere)


# ---------------------------------------------------------------- audit
table("audit_log", "audit", "supplier_id", [
    P("audit_log_select_team_admin", "select", using=f"{ND} and {team('admin')}",
      who="team admins and owners of the supplier the audited row belongs to",
      matrix=dict(who="team:admin", when=["not_deleted"])),
], service_role=["select"], team_column="supplier_id", grants_elsewhere=True,
    guards=["audit_log_append_only: UPDATE, DELETE and TRUNCATE are refused for every role (service_role "
            "included) with SQLSTATE 42501; only private.purge_audit_log() and private.erase_couple() change rows"],
    note="Written only by the write_audit_log trigger (security definer); rows with supplier_id null "
         "(couple-side tables) are readable by service_role only.")

# ---------------------------------------------------------------- users
table("suppliers", "user", "id", [
    P("suppliers_select_published", "select", using=f"{ND} and is_published", to="anon, authenticated",
      who="anyone, anonymous visitors included, for live suppliers published in the directory",
      matrix=dict(who=["anon", "any_authenticated"], when=["not_deleted", {"equals": {"is_published": True}}])),
    P("suppliers_select_team", "select", using=f"{ND} and {team('viewer', 'id')}",
      who="team members (viewer and up) of the supplier",
      matrix=dict(who="team:viewer", when=["not_deleted"])),
    P("suppliers_select_connected_couple", "select",
      using=f"{ND} and id = any(array(select private.my_connected_supplier_ids()))",
      who="partners of a couple with an active connection to the supplier",
      matrix=dict(who="connected_partner", when=["not_deleted"])),
    P("suppliers_select_creator", "select", using=f"{ND} and created_by = {UID}",
      who="the user who created the supplier (needed to read the row back on insert, before the owner row exists)",
      matrix=dict(who="creator", when=["not_deleted"])),
    P("suppliers_insert_authenticated", "insert", check=f"created_by = {UID}",
      who="any signed-in user creating a supplier in their own name (they become its owner)",
      matrix=dict(who="any_authenticated", check=[{"is_caller": "created_by"}])),
    P("suppliers_update_admin", "update", using=f"{ND} and {team('admin', 'id')}", check=team("admin", "id"),
      who="team admins and owners of the supplier",
      matrix=dict(who="team:admin", when=["not_deleted"], check=[])),
    P("suppliers_delete_owner", "delete", using=f"{ND} and {team('owner', 'id')}",
      who="owners of the supplier",
      matrix=dict(who="team:owner", when=["not_deleted"])),
], update_columns=["business_name", "slug", "category", "email", "phone", "website_url", "description",
                   "location", "is_published"], team_column="id",
    guards=["after insert, the created_by user becomes an owner in team_members (trigger add_supplier_owner)"])

table("team_members", "user", "supplier_id", [
    P("team_members_select_team", "select", using=f"{ND} and {team('viewer')}",
      who="team members (viewer and up) of the same supplier",
      matrix=dict(who="team:viewer", when=["not_deleted"])),
    P("team_members_select_self", "select", using=f"{ND} and user_id = {UID}",
      who="the member themself",
      matrix=dict(who="self", when=["not_deleted"])),
    P("team_members_insert_admin", "insert", check=f"role <> 'owner' and {team('admin')}",
      who="team admins and owners adding a non-owner member",
      matrix=dict(who="team:admin", check=[{"not_equals": {"role": "owner"}}])),
    P("team_members_insert_owner", "insert", check=team("owner"),
      who="team owners adding any member, owners included",
      matrix=dict(who="team:owner", check=[])),
    P("team_members_update_admin", "update", using=f"{ND} and role <> 'owner' and {team('admin')}",
      check=f"role <> 'owner' and {team('admin')}",
      who="team admins and owners changing a non-owner row into a non-owner role",
      matrix=dict(who="team:admin", when=["not_deleted", {"not_equals": {"role": "owner"}}],
                  check=[{"not_equals": {"role": "owner"}}])),
    P("team_members_update_owner", "update", using=f"{ND} and {team('owner')}", check=team("owner"),
      who="team owners changing any row, owners' rows included",
      matrix=dict(who="team:owner", when=["not_deleted"], check=[])),
    P("team_members_delete_admin", "delete", using=f"{ND} and role <> 'owner' and {team('admin')}",
      who="team admins and owners removing a non-owner member",
      matrix=dict(who="team:admin", when=["not_deleted", {"not_equals": {"role": "owner"}}])),
    P("team_members_delete_owner", "delete", using=f"{ND} and {team('owner')}",
      who="team owners removing any member, owners included",
      matrix=dict(who="team:owner", when=["not_deleted"])),
], update_columns=["role"], user_column="user_id")

table("couples", "user", "id", [
    P("couples_select_partner", "select",
      using=f"{ND} and {UID} in (partner_one_user_id, partner_two_user_id)",
      who="the couple's partners",
      matrix=dict(who="partner", when=["not_deleted"])),
    P("couples_insert_partner", "insert", check=f"partner_one_user_id = {UID}",
      who="any signed-in user creating a couple with themself as partner one",
      matrix=dict(who="any_authenticated", check=[{"is_caller": "partner_one_user_id"}])),
    P("couples_update_partner", "update",
      using=f"{ND} and {UID} in (partner_one_user_id, partner_two_user_id)",
      check=f"{UID} in (partner_one_user_id, partner_two_user_id)",
      who="the couple's partners",
      matrix=dict(who="partner", when=["not_deleted"], check=[])),
    P("couples_delete_partner", "delete",
      using=f"{ND} and {UID} in (partner_one_user_id, partner_two_user_id)",
      who="the couple's partners",
      matrix=dict(who="partner", when=["not_deleted"])),
], update_columns=["display_name"], couple_column="id",
    note="partner is row-local here (partner_one_user_id/partner_two_user_id = caller), not a helper lookup, so "
         "a new couple can be read back in the same INSERT ... RETURNING.")

table("user_profiles", "user", "user_id", [
    P("user_profiles_select_self", "select", using=f"{ND} and user_id = {UID}",
      who="the profile's user",
      matrix=dict(who="self", when=["not_deleted"])),
    P("user_profiles_select_teammate", "select",
      using=f"{ND} and user_id = any(array(select private.my_teammate_user_ids()))",
      who="users on the team of a supplier the profile's user is on",
      matrix=dict(who="teammate", when=["not_deleted"])),
    P("user_profiles_insert_self", "insert", check=f"user_id = {UID}",
      who="the profile's user", matrix=dict(who="self", check=[])),
    P("user_profiles_update_self", "update", using=f"{ND} and user_id = {UID}", check=f"user_id = {UID}",
      who="the profile's user", matrix=dict(who="self", when=["not_deleted"], check=[])),
    P("user_profiles_delete_self", "delete", using=f"{ND} and user_id = {UID}",
      who="the profile's user", matrix=dict(who="self", when=["not_deleted"])),
], update_columns=["full_name", "display_name", "avatar_url", "phone", "locale", "timezone"], user_column="user_id")

# ---------------------------------------------------------------- clients
table("clients", "client", "supplier_id", standard("clients"),
      update_columns=["couple_id", "partner_one_name", "partner_two_name", "email", "phone", "wedding_date",
                      "venue_name", "guest_count", "budget", "status", "lead_source", "notes", "tags"])

table("supplier_client_connections", "client", "supplier_id", [
    P("supplier_client_connections_select_team", "select", using=f"{ND} and {team('viewer')}",
      who="team members (viewer and up) of the connection's supplier",
      matrix=dict(who="team:viewer", when=["not_deleted"])),
    P("supplier_client_connections_select_partner", "select", using=f"{ND} and {partner()}",
      who="the partners of the connection's couple",
      matrix=dict(who="partner", when=["not_deleted"])),
    P("supplier_client_connections_insert_team", "insert", check=f"status = 'invited' and {team('member')}",
      who="team members (member and up) inviting a couple (status invited only)",
      matrix=dict(who="team:member", check=[{"equals": {"status": "invited"}}])),
    P("supplier_client_connections_update_partner", "update", using=f"{ND} and {partner()}", check=partner(),
      who="the partners of the connection's couple (accept, decline, revoke, choose shared field groups)",
      matrix=dict(who="partner", when=["not_deleted"], check=[])),
    P("supplier_client_connections_delete_team", "delete", using=f"{ND} and {team('admin')}",
      who="team admins and owners of the connection's supplier",
      matrix=dict(who="team:admin", when=["not_deleted"])),
], update_columns=["status", "shared_field_group_keys"], couple_column="couple_id")

# ---------------------------------------------------------------- core field catalog
for t in ("core_field_groups", "core_fields"):
    table(t, "core_field_catalog", "none", [
        P(f"{t}_select_authenticated", "select", using=ND,
          who="every signed-in user (the master list is public to the app)",
          matrix=dict(who="any_authenticated", when=["not_deleted"])),
    ])

# ---------------------------------------------------------------- core field values
SHARED = ("(couple_id, field_group_id) in (\n        select\n            s.couple_id,\n            s.field_group_id\n"
          "        from private.my_shared_field_groups() as s\n    )")
for t, writable in (("core_field_values", True), ("core_field_value_history", False), ("field_states", False)):
    pols = [
        P(f"{t}_select_partner", "select", using=f"{ND} and {partner()}",
          who="the partners of the row's couple", matrix=dict(who="partner", when=["not_deleted"])),
        P(f"{t}_select_connected_team", "select",
          using=f"{ND} and couple_id = any(array(select private.my_connected_couple_ids('viewer'))) and {SHARED}",
          who="team members (viewer and up) of a supplier actively connected to the couple, "
              "for field groups shared on that connection only",
          matrix=dict(who="connected_team:viewer", when=["not_deleted", "shared_group"])),
    ]
    if writable:
        pols += [
            P(f"{t}_insert_partner", "insert", check=partner(), who="the partners of the row's couple",
              matrix=dict(who="partner", check=[])),
            P(f"{t}_update_partner", "update", using=f"{ND} and {partner()}", check=partner(),
              who="the partners of the row's couple", matrix=dict(who="partner", when=["not_deleted"], check=[])),
            P(f"{t}_delete_partner", "delete", using=f"{ND} and {partner()}",
              who="the partners of the row's couple", matrix=dict(who="partner", when=["not_deleted"])),
        ]
    table(t, "core_field_value", "couple_id", pols,
          update_columns=["value", "is_not_applicable"] if writable else [],
          service_role=ALL4 if writable else ["select"], couple_column="couple_id",
          guards=(["before insert/update: field_group_id is copied from core_fields, version is bumped, updated_by "
                   "is set, and values of is_sensitive fields are moved into value_encrypted (pgp_sym_encrypt with "
                   "wedsync.pii_key; value becomes null); after: one history row and the field_states row"]
                  if writable else ["written only by the core_field_values triggers"]))

# ---------------------------------------------------------------- forms
table("forms", "form", "supplier_id", standard("forms"),
      update_columns=["title", "description", "category", "settings"])
table("form_versions", "form", "supplier_id", [
    *[p for p in standard("form_versions") if p["cmd"] == "select"],
    P("form_versions_select_connected_couple", "select",
      using=f"{ND} and status = 'published' and supplier_id = any(array(select private.my_connected_supplier_ids()))",
      who="partners of a couple actively connected to the form's supplier, for published versions only",
      matrix=dict(who="connected_partner", when=["not_deleted", {"equals": {"status": "published"}}])),
    *[p for p in standard("form_versions") if p["cmd"] != "select"],
], update_columns=["title", "schema", "status"],
    guards=["form_versions_published_immutable: any UPDATE of a row whose stored status is 'published' raises "
            "(every role, service_role included); a published version can still be deleted when no response "
            "points at it"])
table("form_responses", "form", "supplier_id", [
    P("form_responses_select_team", "select", using=f"{ND} and {team('viewer')}",
      who="team members (viewer and up) of the form's supplier",
      matrix=dict(who="team:viewer", when=["not_deleted"])),
    P("form_responses_select_partner", "select", using=f"{ND} and {partner()}",
      who="the partners of the answering couple", matrix=dict(who="partner", when=["not_deleted"])),
    P("form_responses_insert_partner", "insert", check=f"{partner()} and {conn_active()}",
      who="partners of a couple answering a form of a supplier it is actively connected to",
      matrix=dict(who="partner", check=["active_connection"])),
    P("form_responses_update_partner", "update", using=f"{ND} and status = 'draft' and {partner()}",
      check=f"{partner()} and {conn_active()}",
      who="partners of the answering couple, while the response is a draft and the connection is active",
      matrix=dict(who="partner", when=["not_deleted", {"equals": {"status": "draft"}}],
                  check=["active_connection"])),
    P("form_responses_delete_partner", "delete", using=f"{ND} and status = 'draft' and {partner()}",
      who="partners of the answering couple, while the response is a draft",
      matrix=dict(who="partner", when=["not_deleted", {"equals": {"status": "draft"}}])),
], update_columns=["answers", "status"], couple_column="couple_id",
    guards=["form_responses_published_version: a response must point at a published form version (every role)",
            "form_responses_submitted_immutable: any UPDATE of a row whose stored status is 'submitted' raises "
            "(every role)", "submitted_at is stamped when status becomes 'submitted'"])
table("field_mappings", "form", "supplier_id", standard("field_mappings"),
      update_columns=["form_field_key", "core_field_id", "allow_override"])

# ---------------------------------------------------------------- communication
table("email_templates", "communication", "supplier_id", standard("email_templates"),
      update_columns=["name", "subject", "body_html", "body_text", "category", "variables"])
table("sms_templates", "communication", "supplier_id", standard("sms_templates"),
      update_columns=["name", "channel", "body", "whatsapp_template_name", "variables"])
table("messages", "communication", "supplier_id", [
    P("messages_select_team", "select", using=f"{ND} and {team('viewer')}",
      who="team members (viewer and up) of the message's supplier",
      matrix=dict(who="team:viewer", when=["not_deleted"])),
    P("messages_select_partner", "select", using=f"{ND} and {partner()}",
      who="the partners of the message's couple", matrix=dict(who="partner", when=["not_deleted"])),
    P("messages_insert_team", "insert",
      check=f"sender = 'supplier' and sender_user_id = {UID} and {team('member')} and {conn_active()}",
      who="team members (member and up) writing as the supplier to an actively connected couple",
      matrix=dict(who="team:member", check=[{"equals": {"sender": "supplier"}}, {"is_caller": "sender_user_id"},
                                             "active_connection"])),
    P("messages_insert_partner", "insert",
      check=f"sender = 'couple' and sender_user_id = {UID} and {partner()} and {conn_active()}",
      who="partners writing as the couple to an actively connected supplier",
      matrix=dict(who="partner", check=[{"equals": {"sender": "couple"}}, {"is_caller": "sender_user_id"},
                                         "active_connection"])),
], couple_column="couple_id", note="messages are never edited or deleted through the API")
table("notifications", "communication", "user_id", [
    P("notifications_select_recipient", "select", using=f"{ND} and user_id = {UID}",
      who="the notification's recipient", matrix=dict(who="recipient", when=["not_deleted"])),
    P("notifications_update_recipient", "update", using=f"{ND} and user_id = {UID}", check=f"user_id = {UID}",
      who="the notification's recipient (marking it read)",
      matrix=dict(who="recipient", when=["not_deleted"], check=[])),
], update_columns=["read_at"], user_column="user_id", note="created by the backend (service_role)")

# ---------------------------------------------------------------- journeys
table("customer_journeys", "journey", "supplier_id", standard("customer_journeys"),
      update_columns=["name", "description", "status", "settings"])
table("journey_nodes", "journey", "supplier_id", standard("journey_nodes"),
      update_columns=["name", "position", "offset_days", "send_time"])
table("journey_modules", "journey", "supplier_id", standard("journey_modules"),
      update_columns=["position", "module_type", "email_template_id", "sms_template_id", "form_id", "task_title",
                      "task_description", "conditions"])
table("journey_instances", "journey", "supplier_id", standard("journey_instances"),
      update_columns=["status", "current_node_id", "next_run_at", "state", "last_error", "completed_at"])

# ---------------------------------------------------------------- analytics
table("activities", "analytics", "supplier_id", [
    P("activities_select_team", "select", using=f"{ND} and {team('viewer')}",
      who="team members (viewer and up) of the activity's supplier",
      matrix=dict(who="team:viewer", when=["not_deleted"])),
    P("activities_insert_team", "insert", check=f"actor_user_id = {UID} and {team('member')}",
      who="team members (member and up) logging their own action",
      matrix=dict(who="team:member", check=[{"is_caller": "actor_user_id"}])),
], partitioned=True, note="append only through the API; range-partitioned by month on created_at")
table("analytics_events", "analytics", "supplier_id", [
    P("analytics_events_select_team_admin", "select", using=f"{ND} and {team('admin')}",
      who="team admins and owners of the event's supplier",
      matrix=dict(who="team:admin", when=["not_deleted"])),
    P("analytics_events_insert_team", "insert", check=f"actor_user_id = {UID} and {team('member')}",
      who="team members (member and up) recording their own event",
      matrix=dict(who="team:member", check=[{"is_caller": "actor_user_id"}])),
], partitioned=True, note="append only through the API; range-partitioned by month on created_at")
table("performance_metrics", "analytics", "supplier_id", [
    P("performance_metrics_select_team_admin", "select", using=f"{ND} and {team('admin')}",
      who="team admins and owners of the metric's supplier",
      matrix=dict(who="team:admin", when=["not_deleted"])),
], note="aggregated by the backend (service_role)")

# ---------------------------------------------------------------- marketplace
table("templates", "marketplace", "supplier_id", [
    P("templates_select_published", "select", using=f"{ND} and status = 'published'", to="anon, authenticated",
      who="anyone, anonymous visitors included, for live published templates",
      matrix=dict(who=["anon", "any_authenticated"], when=["not_deleted", {"equals": {"status": "published"}}])),
    *standard("templates"),
], update_columns=["kind", "title", "description", "category", "price", "currency", "content", "status"],
    guards=["rating_average and rating_count are kept by a trigger on reviews"])
table("template_purchases", "marketplace", "buyer_supplier_id, seller_supplier_id", [
    P("template_purchases_select_buyer_team", "select", using=f"{ND} and {team('viewer', 'buyer_supplier_id')}",
      who="team members (viewer and up) of the buying supplier",
      matrix=dict(who="buyer_team:viewer", when=["not_deleted"])),
    P("template_purchases_select_seller_team", "select",
      using=f"{ND} and {team('viewer', 'seller_supplier_id')}",
      who="team members (viewer and up) of the selling supplier",
      matrix=dict(who="seller_team:viewer", when=["not_deleted"])),
], service_role=["select", "insert", "update"],
    note="financial record: buyer/seller/template references become null when those rows are deleted; "
         "never deleted through any API role; audit rows kept beyond the 7-year purge")
table("reviews", "marketplace", "supplier_id", [
    P("reviews_select_everyone", "select", using=ND, to="anon, authenticated",
      who="anyone, anonymous visitors included, for live reviews",
      matrix=dict(who=["anon", "any_authenticated"], when=["not_deleted"])),
    P("reviews_insert_buyer_team", "insert",
      check=f"author_user_id = {UID} and purchase_id = any(array(select private.my_reviewable_purchase_ids()))",
      who="team members (member and up) of the supplier that bought the template, once per completed purchase",
      matrix=dict(who="purchase_buyer_team:member", check=[{"is_caller": "author_user_id"}])),
    P("reviews_update_author", "update", using=f"{ND} and author_user_id = {UID}", check=f"author_user_id = {UID}",
      who="the review's author", matrix=dict(who="author", when=["not_deleted"], check=[])),
    P("reviews_delete_author", "delete", using=f"{ND} and author_user_id = {UID}",
      who="the review's author", matrix=dict(who="author", when=["not_deleted"])),
], update_columns=["rating", "title", "body"], user_column="author_user_id",
    guards=["template_id and supplier_id are copied from the purchase (template_id, buyer_supplier_id) by a "
            "before-insert trigger", "unique_reviews_purchase_id: one review per purchase"])

MIGRATIONS = [
    ("0009_add_audit_log_policies", ["audit_log"], "the audit trail"),
    ("0010_add_user_policies", ["suppliers", "team_members", "couples", "user_profiles"], "the account tables"),
    ("0011_add_client_policies", ["clients", "supplier_client_connections"], "clients and connections"),
    ("0012_add_core_field_catalog_policies", ["core_field_groups", "core_fields"], "the core field master list"),
    ("0014_add_core_field_value_policies", ["core_field_values", "core_field_value_history", "field_states"],
     "a couple's core field values, their history and states"),
    ("0016_add_form_policies", ["forms", "form_versions", "form_responses", "field_mappings"], "forms"),
    ("0018_add_communication_policies", ["email_templates", "sms_templates", "messages", "notifications"],
     "communication"),
    ("0020_add_journey_policies", ["customer_journeys", "journey_nodes", "journey_modules", "journey_instances"],
     "customer journeys"),
    ("0022_add_analytics_policies", ["activities", "analytics_events", "performance_metrics"], "analytics"),
    ("0024_add_marketplace_policies", ["templates", "template_purchases", "reviews"], "the marketplace"),
]
