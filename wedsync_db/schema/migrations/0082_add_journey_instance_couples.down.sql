-- 0082_add_journey_instance_couples (down): drops the couple of journey instances, its key and triggers.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger sync_journey_instance_couples on public.clients;
drop function private.sync_journey_instance_couples();
drop index public.index_journey_instances_on_client_id_and_couple_id;
alter table public.journey_instances drop constraint fk_journey_instances_client_id_couple_id_clients;
drop trigger fill_journey_instance_couple on public.journey_instances;
drop function private.fill_journey_instance_couple();
alter table public.clients drop constraint unique_clients_id_couple_id;
alter table public.journey_instances drop column couple_id;
