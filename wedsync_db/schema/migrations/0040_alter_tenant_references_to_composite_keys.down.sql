-- 0040_alter_tenant_references_to_composite_keys (down): restores the single-column keys and their indexes
-- as 0015, 0017, 0019 and 0021 created them.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.journey_instances drop constraint fk_journey_instances_current_node_id_journey_nodes;
alter table public.journey_instances add constraint fk_journey_instances_current_node_id_journey_nodes
foreign key (current_node_id) references public.journey_nodes (id) on delete set null;
create index index_journey_instances_on_current_node_id on public.journey_instances (current_node_id);
drop index public.index_journey_instances_on_current_node_id_and_supplier_id;

alter table public.form_responses drop constraint fk_form_responses_client_id_clients;
alter table public.form_responses add constraint fk_form_responses_client_id_clients
foreign key (client_id) references public.clients (id) on delete set null;
create index index_form_responses_on_client_id on public.form_responses (client_id);
drop index public.index_form_responses_on_client_id_and_supplier_id;

alter table public.messages drop constraint fk_messages_client_id_clients;
alter table public.messages add constraint fk_messages_client_id_clients
foreign key (client_id) references public.clients (id) on delete set null;
create index index_messages_on_client_id on public.messages (client_id);
drop index public.index_messages_on_client_id_and_supplier_id;

alter table public.activities drop constraint fk_activities_client_id_clients;
alter table public.activities add constraint fk_activities_client_id_clients
foreign key (client_id) references public.clients (id) on delete set null;
create index index_activities_on_client_id on public.activities (client_id);
drop index public.index_activities_on_client_id_and_supplier_id;
