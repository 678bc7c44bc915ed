-- 0037_add_couple_partner_invitations (down): restores the couples policies of 0010 and the helper of
-- 0033, drops the invitation functions, then the column, in the reverse order of the up.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter policy couples_delete_partner on public.couples
using (deleted_at is null and (select auth.uid()) in (partner_one_user_id, partner_two_user_id));
comment on policy couples_delete_partner on public.couples is
'Lets in: the couple''s partners.';

alter policy couples_update_partner on public.couples
using (deleted_at is null and (select auth.uid()) in (partner_one_user_id, partner_two_user_id))
with check ((select auth.uid()) in (partner_one_user_id, partner_two_user_id));
comment on policy couples_update_partner on public.couples is
'Lets in: the couple''s partners.';

alter policy couples_insert_partner on public.couples
with check (partner_one_user_id = (select auth.uid()));
comment on policy couples_insert_partner on public.couples is
'Lets in: any signed-in user creating a couple with themself as partner one.';

drop policy couples_select_invited_partner on public.couples;

alter policy couples_select_partner on public.couples
using (deleted_at is null and (select auth.uid()) in (partner_one_user_id, partner_two_user_id));
comment on policy couples_select_partner on public.couples is
'Lets in: the couple''s partners.';

drop function public.decline_couple_invitation(uuid);
drop function public.accept_couple_invitation(uuid);
drop function private.respond_to_couple_invitation(uuid, boolean);

create or replace function private.my_couple_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        select c.id
        from public.couples as c
        where
            (c.partner_one_user_id = auth.uid() or c.partner_two_user_id = auth.uid())
            and c.deleted_at is null;
end;
$$;

alter table public.couples drop column partner_two_accepted_at;
