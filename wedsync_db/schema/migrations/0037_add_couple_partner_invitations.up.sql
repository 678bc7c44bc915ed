-- 0037_add_couple_partner_invitations
-- What and why: partnership in a couple becomes a consent edge with two ends. Partner one creates the
-- couple and may name partner two; that names an invitation only (partner_two_accepted_at null): the
-- invited user sees the couple row, and nothing of the couple's data, until they accept with
-- public.accept_couple_invitation(couple), or decline with public.decline_couple_invitation(couple).
-- Before this, partner one could name any user as partner two, and that user became a partner of a
-- couple they never joined (and erase_couple treated them as one).
-- Existing couples with a partner two count as accepted: the column is added with a default (no rewrite),
-- which is then dropped.
-- Lock impact: ACCESS EXCLUSIVE on couples for the column and policies (catalog only: no rewrite);
-- replaces one helper function.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.couples add column partner_two_accepted_at timestamptz default now();
-- squawk-ignore ban-drop-default
alter table public.couples alter column partner_two_accepted_at drop default;
comment on column public.couples.partner_two_accepted_at is
'When partner two accepted the partnership; null while partner two is only invited (or there is none).';

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
            (
                c.partner_one_user_id = auth.uid()
                or (c.partner_two_user_id = auth.uid() and c.partner_two_accepted_at is not null)
            )
            and c.deleted_at is null;
end;
$$;

-- The partner two end of the edge: only the invited user, only a live couple that named them.
create function private.respond_to_couple_invitation(p_couple_id uuid, p_accept boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    update public.couples as c
    set
        partner_two_accepted_at = case when p_accept then now() end,
        partner_two_user_id = case when p_accept then c.partner_two_user_id end
    where
        c.id = p_couple_id
        and c.partner_two_user_id = auth.uid()
        and c.partner_two_accepted_at is null
        and c.deleted_at is null;
    if not found then
        raise exception 'couple invitation: no pending invitation to couple % for the caller', p_couple_id
        using errcode = 'no_data_found';
    end if;
end;
$$;
comment on function private.respond_to_couple_invitation(uuid, boolean) is
'Implementation of public.accept_couple_invitation and public.decline_couple_invitation (security definer).';
revoke execute on function private.respond_to_couple_invitation(uuid, boolean) from public;
grant execute on function private.respond_to_couple_invitation(uuid, boolean) to authenticated, service_role;

create function public.accept_couple_invitation(p_couple_id uuid)
returns void
language sql
security invoker
set search_path = ''
as $$
    select private.respond_to_couple_invitation(p_couple_id, true)
$$;
comment on function public.accept_couple_invitation(uuid) is
'The caller, invited as partner two, joins the couple; raises P0002 when there is no such invitation.';
revoke execute on function public.accept_couple_invitation(uuid) from public, anon;
grant execute on function public.accept_couple_invitation(uuid) to authenticated, service_role;

create function public.decline_couple_invitation(p_couple_id uuid)
returns void
language sql
security invoker
set search_path = ''
as $$
    select private.respond_to_couple_invitation(p_couple_id, false)
$$;
comment on function public.decline_couple_invitation(uuid) is
'The caller, invited as partner two, declines: the couple no longer names them; P0002 when not invited.';
revoke execute on function public.decline_couple_invitation(uuid) from public, anon;
grant execute on function public.decline_couple_invitation(uuid) to authenticated, service_role;

alter policy couples_select_partner on public.couples
using (
    deleted_at is null
    and (
        partner_one_user_id = (select auth.uid())
        or (partner_two_user_id = (select auth.uid()) and partner_two_accepted_at is not null)
    )
);
comment on policy couples_select_partner on public.couples is
'Lets in: the couple''s partners (partner one, and partner two once they accepted).';

-- Lets in: the user invited as partner two, to see the invitation before accepting or declining it.
create policy couples_select_invited_partner on public.couples
for select
to authenticated
using (deleted_at is null and partner_two_user_id = (select auth.uid()) and partner_two_accepted_at is null);
comment on policy couples_select_invited_partner on public.couples is
'Lets in: the user invited as partner two, to see the invitation before accepting or declining it.';

alter policy couples_insert_partner on public.couples
with check (partner_one_user_id = (select auth.uid()) and partner_two_accepted_at is null);
comment on policy couples_insert_partner on public.couples is
'Lets in: any signed-in user creating a couple with themself as partner one (partner two only invited).';

alter policy couples_update_partner on public.couples
using (
    deleted_at is null
    and (
        partner_one_user_id = (select auth.uid())
        or (partner_two_user_id = (select auth.uid()) and partner_two_accepted_at is not null)
    )
)
with check (
    partner_one_user_id = (select auth.uid())
    or (partner_two_user_id = (select auth.uid()) and partner_two_accepted_at is not null)
);
comment on policy couples_update_partner on public.couples is
'Lets in: the couple''s partners (partner one, and partner two once they accepted).';

alter policy couples_delete_partner on public.couples
using (
    deleted_at is null
    and (
        partner_one_user_id = (select auth.uid())
        or (partner_two_user_id = (select auth.uid()) and partner_two_accepted_at is not null)
    )
);
comment on policy couples_delete_partner on public.couples is
'Lets in: the couple''s partners (partner one, and partner two once they accepted).';
