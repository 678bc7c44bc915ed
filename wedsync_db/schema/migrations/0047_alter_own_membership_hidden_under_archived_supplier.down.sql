-- 0047_alter_own_membership_hidden_under_archived_supplier (down): restores the policy of 0010, drops the helper.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy team_members_select_self on public.team_members
using (deleted_at is null and user_id = (select auth.uid()));
comment on policy team_members_select_self on public.team_members is
'Lets in: the member themself.';

drop function private.supplier_is_live(uuid);
