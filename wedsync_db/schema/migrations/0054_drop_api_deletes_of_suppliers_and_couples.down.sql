-- 0054_drop_api_deletes_of_suppliers_and_couples (down): owners delete their supplier and partners their
-- couple through the API again (policies of 0010, couples_delete_partner as 0037 altered it).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

grant delete on table public.couples to authenticated;
-- Lets in: the couple's partners (partner one, and partner two once they accepted).
create policy couples_delete_partner on public.couples
for delete
to authenticated
using (
    deleted_at is null
    and (
        partner_one_user_id = (select auth.uid())
        or (partner_two_user_id = (select auth.uid()) and partner_two_accepted_at is not null)
    )
);
comment on policy couples_delete_partner on public.couples is
'Lets in: the couple''s partners (partner one, and partner two once they accepted).';

grant delete on table public.suppliers to authenticated;
-- Lets in: owners of the supplier.
create policy suppliers_delete_owner on public.suppliers
for delete
to authenticated
using (deleted_at is null and id = any(array(select private.my_supplier_ids('owner'))));
comment on policy suppliers_delete_owner on public.suppliers is
'Lets in: owners of the supplier.';
