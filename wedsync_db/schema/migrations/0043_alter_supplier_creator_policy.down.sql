-- 0043_alter_supplier_creator_policy (down): restores the creator policy of 0010, drops the helper.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy suppliers_select_creator on public.suppliers
using (deleted_at is null and created_by = (select auth.uid()));
comment on policy suppliers_select_creator on public.suppliers is
'Lets in: the user who created the supplier (needed to read the row back on insert, before the owner '
'row exists).';

drop function private.supplier_has_team(uuid);
