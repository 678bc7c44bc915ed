-- 0036_add_team_invitations
-- What and why: team membership becomes a consent edge with two ends. An admin or owner of a supplier
-- invites a user (a team_members row with accepted_at null, invited_by = the inviter); the invitation opens
-- nothing (the access helpers count accepted memberships only) until the invited user accepts it with
-- public.accept_team_invitation(supplier). Before this, any signed-up user could create a supplier, add
-- any other user's id to its team and read that user's profile through the teammate rule. A member may
-- leave (or decline) on their own (policy team_members_delete_self), and a supplier always keeps an
-- accepted owner (trigger guard_supplier_keeps_owner, constraint team_members_supplier_keeps_owner).
-- Existing rows count as accepted: the column is added with a default (no table rewrite, no trigger),
-- which is then dropped so that new rows start as invitations (dropping it changes no stored row).
-- Lock impact: ACCESS EXCLUSIVE on team_members for the column, policies and trigger (catalog only:
-- no rewrite); replaces two helper functions.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.team_members add column accepted_at timestamptz default now();
-- squawk-ignore ban-drop-default
alter table public.team_members alter column accepted_at drop default;
comment on column public.team_members.accepted_at is
'When the invited user accepted the membership; null while it is an invitation (which opens nothing).';

-- The creator of a supplier is its owner from the start: creating it is their consent.
create or replace function private.add_supplier_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.created_by is not null then
        insert into public.team_members (supplier_id, user_id, role, accepted_at)
        values (new.id, new.created_by, 'owner', now())
        on conflict (supplier_id, user_id) do nothing;
    end if;
    return null;
end;
$$;

create or replace function private.my_supplier_ids(p_min_role public.team_role default 'viewer')
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        select tm.supplier_id
        from public.team_members as tm
        inner join public.suppliers as s on tm.supplier_id = s.id
        where
            tm.user_id = auth.uid()
            and tm.deleted_at is null
            and tm.accepted_at is not null
            and s.deleted_at is null
            and tm.role >= p_min_role;
end;
$$;

create or replace function private.my_teammate_user_ids()
returns setof uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        select distinct tm.user_id
        from public.team_members as tm
        where
            tm.deleted_at is null
            and tm.accepted_at is not null
            and tm.supplier_id in (select private.my_supplier_ids('viewer'));
end;
$$;

-- Accepting an invitation: only the invited user, only their own live, pending row of a live supplier.
create function private.accept_team_invitation(p_supplier_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    update public.team_members as tm
    set accepted_at = now()
    from public.suppliers as s
    where
        tm.supplier_id = p_supplier_id
        and tm.user_id = auth.uid()
        and tm.accepted_at is null
        and tm.deleted_at is null
        and s.id = tm.supplier_id
        and s.deleted_at is null;
    if not found then
        raise exception 'accept_team_invitation: no pending invitation to supplier % for the caller', p_supplier_id
        using errcode = 'no_data_found';
    end if;
end;
$$;
comment on function private.accept_team_invitation(uuid) is
'Implementation of public.accept_team_invitation (security definer).';
revoke execute on function private.accept_team_invitation(uuid) from public;
grant execute on function private.accept_team_invitation(uuid) to authenticated, service_role;

create function public.accept_team_invitation(p_supplier_id uuid)
returns void
language sql
security invoker
set search_path = ''
as $$
    select private.accept_team_invitation(p_supplier_id)
$$;
comment on function public.accept_team_invitation(uuid) is
'The caller accepts their pending invitation to the supplier''s team; raises P0002 when there is none.';
revoke execute on function public.accept_team_invitation(uuid) from public, anon;
grant execute on function public.accept_team_invitation(uuid) to authenticated, service_role;

-- A supplier always keeps an accepted, live owner: removing, demoting or archiving the last one is refused,
-- unless the supplier itself is gone or archived (its cascade removes the team with it).
create function private.guard_supplier_keeps_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if old.role <> 'owner' or old.accepted_at is null or old.deleted_at is not null then
        return null;
    end if;
    if
        tg_op = 'UPDATE'
        and new.role = 'owner' and new.accepted_at is not null and new.deleted_at is null
        and new.supplier_id = old.supplier_id
    then
        return null;
    end if;
    if not exists (select 1 from public.suppliers as s where s.id = old.supplier_id and s.deleted_at is null) then
        return null;
    end if;
    if not exists (
        select 1 from public.team_members as tm
        where
            tm.supplier_id = old.supplier_id
            and tm.role = 'owner'
            and tm.accepted_at is not null
            and tm.deleted_at is null
    ) then
        raise exception 'supplier % would be left without an owner', old.supplier_id
        using
            errcode = 'check_violation',
            constraint = 'team_members_supplier_keeps_owner',
            hint = 'Make another accepted member an owner first.';
    end if;
    return null;
end;
$$;
comment on function private.guard_supplier_keeps_owner() is
'Trigger: refuses a change that leaves a live supplier without an accepted, live owner.';
revoke execute on function private.guard_supplier_keeps_owner() from public;

create trigger guard_supplier_keeps_owner after update or delete on public.team_members
for each row execute function private.guard_supplier_keeps_owner();

-- Inviting: the row starts pending and names its inviter.
alter policy team_members_insert_admin on public.team_members
with check (
    role <> 'owner'
    and accepted_at is null
    and invited_by = (select auth.uid())
    and supplier_id = any(array(select private.my_supplier_ids('admin')))
);
comment on policy team_members_insert_admin on public.team_members is
'Lets in: team admins and owners inviting a user as a non-owner (a pending row in their own name).';

alter policy team_members_insert_owner on public.team_members
with check (
    accepted_at is null
    and invited_by = (select auth.uid())
    and supplier_id = any(array(select private.my_supplier_ids('owner')))
);
comment on policy team_members_insert_owner on public.team_members is
'Lets in: team owners inviting a user in any role, owner included (a pending row in their own name).';

-- Lets in: the member themself, leaving the team or declining an invitation.
create policy team_members_delete_self on public.team_members
for delete
to authenticated
using (deleted_at is null and user_id = (select auth.uid()));
comment on policy team_members_delete_self on public.team_members is
'Lets in: the member themself, leaving the team or declining an invitation.';
