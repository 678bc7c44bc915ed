-- 0036_add_team_invitations (down): restores the policies, helpers and owner trigger of 0010/0033 and
-- drops the invitation functions, the owner guard and the column, in the reverse order of the up.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy team_members_delete_self on public.team_members;

alter policy team_members_insert_owner on public.team_members
with check (supplier_id = any(array(select private.my_supplier_ids('owner'))));
comment on policy team_members_insert_owner on public.team_members is
'Lets in: team owners adding any member, owners included.';

alter policy team_members_insert_admin on public.team_members
with check (role <> 'owner' and supplier_id = any(array(select private.my_supplier_ids('admin'))));
comment on policy team_members_insert_admin on public.team_members is
'Lets in: team admins and owners adding a non-owner member.';

drop trigger guard_supplier_keeps_owner on public.team_members;
drop function private.guard_supplier_keeps_owner();
drop function public.accept_team_invitation(uuid);
drop function private.accept_team_invitation(uuid);

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
            and tm.supplier_id in (select private.my_supplier_ids('viewer'));
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
            and s.deleted_at is null
            and tm.role >= p_min_role;
end;
$$;

create or replace function private.add_supplier_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.created_by is not null then
        insert into public.team_members (supplier_id, user_id, role)
        values (new.id, new.created_by, 'owner')
        on conflict (supplier_id, user_id) do nothing;
    end if;
    return null;
end;
$$;

alter table public.team_members drop column accepted_at;
