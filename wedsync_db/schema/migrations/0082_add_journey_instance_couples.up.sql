-- 0082_add_journey_instance_couples
-- What and why: "journey instances track execution state per couple". An instance ran per client only; it now
-- records the couple it runs for, journey_instances.couple_id, whenever its client is linked to a couple, and
-- null when the client is not (a lead who never joined WedMe). Consistent with the client by construction:
--   * trigger fill_journey_instance_couple (before insert, or update of client_id, supplier_id or couple_id) copies
--     the client's couple_id, so nobody (service_role included) chooses it; security invoker: it reads the client
--     as the caller may (a client the caller cannot see gives null, and RLS or the keys refuse the row anyway);
--   * foreign key fk_journey_instances_client_id_couple_id_clients, (client_id, couple_id) -> clients (id,
--     couple_id), on update cascade: the couple is the client's, and when the client's couple changes, or the
--     client is unlinked (erase_couple, or a couple deleted: clients' key sets it null), its instances follow;
--     the supplier is the client's by the existing key (client_id, supplier_id) (0040);
--   * trigger sync_journey_instance_couples (after update of couple_id on clients; security definer, on a row the
--     caller has just updated) links the instances when a client gains a couple (a null key cascades nothing).
-- Who reads it: the supplier's team, as before. The couple's partners do not read journey instances: an instance
-- is the supplier's automation (next run, internal state, errors); what reaches the couple is what the journey
-- sends (messages, forms). access_matrix.yaml says so in the table's note.
-- Lock impact: a nullable column on journey_instances (catalog only); a unique index on clients and a foreign key
-- on journey_instances (SHARE ROW EXCLUSIVE on both, validation scans journey_instances; at the seed's scale
-- (ci: ~2k instances, large: ~250k) seconds at most; on a big live table split into not valid + validate).
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down, up again).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.journey_instances add column couple_id uuid;
comment on column public.journey_instances.couple_id is
'The couple the instance runs for: its client''s couple (copied by trigger), null when the client has none.';

-- squawk-ignore disallowed-unique-constraint, constraint-missing-not-valid
alter table public.clients add constraint unique_clients_id_couple_id unique (id, couple_id);

create function private.fill_journey_instance_couple()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.couple_id := (
        select c.couple_id from public.clients as c where c.id = new.client_id and c.supplier_id = new.supplier_id
    );
    return new;
end;
$$;
comment on function private.fill_journey_instance_couple() is
'Trigger: a journey instance runs for its client''s couple (couple_id copied from the client).';
revoke execute on function private.fill_journey_instance_couple() from public;

create trigger fill_journey_instance_couple before insert or update of client_id, supplier_id, couple_id
on public.journey_instances
for each row execute function private.fill_journey_instance_couple();

update public.journey_instances as ji
set couple_id = c.couple_id
from public.clients as c
where c.id = ji.client_id and c.couple_id is not null;

-- squawk-ignore adding-foreign-key-constraint, constraint-missing-not-valid
alter table public.journey_instances add constraint fk_journey_instances_client_id_couple_id_clients
foreign key (client_id, couple_id) references public.clients (id, couple_id) on update cascade on delete cascade;
create index index_journey_instances_on_client_id_and_couple_id on public.journey_instances (client_id, couple_id);

create function private.sync_journey_instance_couples()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update public.journey_instances as ji
    set couple_id = new.couple_id
    where ji.client_id = new.id and ji.couple_id is distinct from new.couple_id;
    return null;
end;
$$;
comment on function private.sync_journey_instance_couples() is
'Trigger: a client that gains (or changes) its couple takes its journey instances along.';
revoke execute on function private.sync_journey_instance_couples() from public;

create trigger sync_journey_instance_couples after update of couple_id on public.clients
for each row
when (old.couple_id is distinct from new.couple_id)
execute function private.sync_journey_instance_couples();
