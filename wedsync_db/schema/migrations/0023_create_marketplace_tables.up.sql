-- 0023_create_marketplace_tables
-- What and why: templates (forms, journeys, email/sms templates a supplier shares or sells;
-- browsable by anyone once published, full-text searchable), template_purchases (the financial
-- record of one sale, written by the backend after payment) and reviews (one per purchase, by a
-- team member of the buying supplier; rating 1..5; the template's rating_average/rating_count are
-- kept by trigger).
-- Financial retention: template_purchases keeps its rows when the buyer, seller or template is
-- deleted (those references become null; title, price and currency are copied onto the purchase),
-- and its audit rows are never purged (see 0028).
-- Lock impact: new tables only.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.templates (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    kind public.template_kind not null,
    title text not null,
    description text,
    category text not null default 'general',
    price numeric(10, 2) not null default 0,
    currency char(3) not null default 'GBP',
    content jsonb not null default '{}',  -- noqa: RF04
    status public.template_status not null default 'draft',
    published_at timestamptz,
    rating_average numeric(3, 2),
    rating_count integer not null default 0,
    search_vector tsvector generated always as (
        to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(description, ''))
    ) stored,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_templates primary key (id),
    constraint fk_templates_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint check_templates_price_not_negative check (price >= 0),
    constraint check_templates_currency_format check (currency ~ '^[A-Z]{3}$'),
    constraint check_templates_rating_average_range check (rating_average between 1 and 5),
    constraint check_templates_rating_count_not_negative check (rating_count >= 0),
    constraint check_templates_title_length check (char_length(title) between 1 and 200)
);
comment on table public.templates is 'Marketplace template; anyone may browse published ones.';
create index index_templates_on_supplier_id_and_status on public.templates (supplier_id, status);
-- Marketplace browse: published templates of a category, best rated first.
create index index_templates_on_category_and_rating_average_where_published
on public.templates (category, rating_average desc nulls last) where status = 'published' and deleted_at is null;
create index index_templates_on_search_vector on public.templates using gin (search_vector);

create table public.template_purchases (
    id uuid not null default gen_random_uuid(),
    template_id uuid,
    buyer_supplier_id uuid,
    seller_supplier_id uuid,
    buyer_user_id uuid,
    template_title text not null,
    amount numeric(10, 2) not null,
    currency char(3) not null,
    status public.purchase_status not null default 'pending',
    payment_reference text,
    billing_name text,
    billing_email text,
    purchased_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_template_purchases primary key (id),
    constraint fk_template_purchases_template_id_templates foreign key (template_id)
    references public.templates (id) on delete set null,
    constraint fk_template_purchases_buyer_supplier_id_suppliers foreign key (buyer_supplier_id)
    references public.suppliers (id) on delete set null,
    constraint fk_template_purchases_seller_supplier_id_suppliers foreign key (seller_supplier_id)
    references public.suppliers (id) on delete set null,
    constraint fk_template_purchases_buyer_user_id_users foreign key (buyer_user_id)
    references auth.users (id) on delete set null,
    constraint unique_template_purchases_payment_reference unique (payment_reference),
    constraint check_template_purchases_amount_not_negative check (amount >= 0),
    constraint check_template_purchases_currency_format check (currency ~ '^[A-Z]{3}$'),
    constraint check_template_purchases_billing_email_format check (
        billing_email ~* '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'
    )
);
comment on table public.template_purchases is 'Financial record of one template sale; written by the backend only.';
create index index_template_purchases_on_template_id on public.template_purchases (template_id);
create index index_template_purchases_on_buyer_supplier_id_and_purchased_at
on public.template_purchases (buyer_supplier_id, purchased_at desc);
create index index_template_purchases_on_seller_supplier_id_and_purchased_at
on public.template_purchases (seller_supplier_id, purchased_at desc);
create index index_template_purchases_on_buyer_user_id on public.template_purchases (buyer_user_id);

create table public.reviews (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    template_id uuid not null,
    purchase_id uuid not null,
    author_user_id uuid,
    rating smallint not null,
    title text,
    body text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_reviews primary key (id),
    constraint fk_reviews_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_reviews_template_id_templates foreign key (template_id)
    references public.templates (id) on delete cascade,
    constraint fk_reviews_purchase_id_template_purchases foreign key (purchase_id)
    references public.template_purchases (id) on delete cascade,
    constraint fk_reviews_author_user_id_users foreign key (author_user_id)
    references auth.users (id) on delete set null,
    constraint unique_reviews_purchase_id unique (purchase_id),
    constraint check_reviews_rating_range check (rating between 1 and 5)
);
comment on table public.reviews is 'One review per template purchase, by the buying supplier''s team.';
-- A template's reviews, newest first.
create index index_reviews_on_template_id_and_created_at on public.reviews (template_id, created_at desc);
create index index_reviews_on_supplier_id on public.reviews (supplier_id);
create index index_reviews_on_author_user_id on public.reviews (author_user_id);

-- Completed purchases whose buying supplier has the caller as a member (or higher).
create function private.my_reviewable_purchase_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select tp.id
    from public.template_purchases as tp
    where
        tp.status = 'completed'
        and tp.deleted_at is null
        and tp.buyer_supplier_id in (select private.my_supplier_ids('member'))
$$;
comment on function private.my_reviewable_purchase_ids() is
'Completed purchases made by a supplier on whose team the caller is a member or higher.';
revoke execute on function private.my_reviewable_purchase_ids() from public;
grant execute on function private.my_reviewable_purchase_ids() to authenticated;

-- A review belongs to its purchase's template and buying supplier.
create function private.fill_review_from_purchase()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_purchase public.template_purchases;
begin
    select * into v_purchase from public.template_purchases as tp where tp.id = new.purchase_id;
    if v_purchase.template_id is null or v_purchase.buyer_supplier_id is null then
        raise exception 'purchase % has no template or buyer any more: it cannot be reviewed', new.purchase_id
            using errcode = 'integrity_constraint_violation', constraint = 'reviews_purchase_reviewable';
    end if;
    new.template_id := v_purchase.template_id;
    new.supplier_id := v_purchase.buyer_supplier_id;
    return new;
end;
$$;
comment on function private.fill_review_from_purchase() is
'Trigger: copies template_id and supplier_id (the buyer) from the reviewed purchase.';
revoke execute on function private.fill_review_from_purchase() from public;

-- Keeps templates.rating_average and rating_count in step with live reviews.
create function private.refresh_template_rating()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_template_id uuid;
begin
    for v_template_id in
        select distinct t.id from (values (old.template_id), (new.template_id)) as t (id) where t.id is not null
    loop
        update public.templates as tpl
        set
            rating_average = r.average,
            rating_count = r.total
        from (
            select
                pg_catalog.round(pg_catalog.avg(rv.rating), 2) as average,
                pg_catalog.count(*)::integer as total
            from public.reviews as rv
            where rv.template_id = v_template_id and rv.deleted_at is null
        ) as r
        where tpl.id = v_template_id;
    end loop;
    return null;
end;
$$;
comment on function private.refresh_template_rating() is
'Trigger: recomputes the template''s rating after a review changes.';
revoke execute on function private.refresh_template_rating() from public;

create trigger fill_review_from_purchase before insert on public.reviews
for each row execute function private.fill_review_from_purchase();
create trigger refresh_template_rating after insert or update or delete on public.reviews
for each row execute function private.refresh_template_rating();

create trigger set_updated_at before update on public.templates
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.templates
for each row execute function private.write_audit_log('templates', 'supplier_id');
create trigger set_updated_at before update on public.template_purchases
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.template_purchases
for each row execute function private.write_audit_log('template_purchases', 'seller_supplier_id');
create trigger set_updated_at before update on public.reviews
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.reviews
for each row execute function private.write_audit_log('reviews', 'supplier_id');

alter table public.templates enable row level security;
alter table public.templates force row level security;
alter table public.template_purchases enable row level security;
alter table public.template_purchases force row level security;
alter table public.reviews enable row level security;
alter table public.reviews force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.templates from anon, authenticated, service_role;
revoke all on table public.template_purchases from anon, authenticated, service_role;
revoke all on table public.reviews from anon, authenticated, service_role;
