-- 0080_create_service_reviews
-- What and why: the product's "reviews - Template and service reviews": a couple reviews a supplier it worked
-- with. public.service_reviews holds one review per couple and supplier (unique_service_reviews_supplier_id_
-- couple_id), written by a partner of a couple that has, or had, an active connection to the supplier
-- ("worked with": a live connection that is active, or revoked after the couple accepted it, i.e. revoked with
-- responded_at set; private.has_worked_with). The supplier's team reads it and may reply (reply_body; replied_at
-- and replied_by are stamped); the couple writes rating, title and body. The two sides are held apart by
-- trigger guard_service_review_sides (after update, so RLS judges the row first): under RLS, only a partner of
-- the review's couple changes rating/title/body (constraint service_reviews_written_by_couple) and only a team
-- member (member and up) of the supplier changes the reply (service_reviews_reply_by_team). A review without
-- such a connection is refused for every role, service_role included (guard_service_review_worked_with, after
-- insert: constraint service_reviews_worked_with). A separate table rather than more columns on reviews: a
-- template review belongs to a purchase and the buying supplier, a service review to a couple and the reviewed
-- supplier; one table would make every key of reviews nullable and every policy a case analysis.
-- Rating summary, kept like the template one (0023): suppliers.rating_average and rating_count, recomputed from
-- live service reviews by trigger refresh_supplier_rating; an API insert of a supplier starts with no rating
-- (stamp_supplier_rating_insert, as 0056 does for templates).
-- Erasure: couple_id and author_user_id are set null when the couple is erased (0082 does it explicitly; the
-- keys say on delete set null), so the review and the rating stay with the supplier, without its author.
-- Lock impact: new table; two columns with constant defaults on suppliers (catalog-only, no rewrite) and a new
-- trigger on suppliers (ACCESS EXCLUSIVE briefly). The two checks are on the new columns, which hold only their
-- defaults (null, 0): validating them scans suppliers once (thousands of rows), hence the squawk-ignore lines.
-- Down checked: tests/integrity/test_migration_round_trips.py (catalog equal after up and down, up again).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.suppliers add column rating_average numeric(3, 2);
alter table public.suppliers add column rating_count integer not null default 0;
-- squawk-ignore constraint-missing-not-valid
alter table public.suppliers add constraint check_suppliers_rating_average_range check (
    rating_average between 1 and 5
);
-- squawk-ignore constraint-missing-not-valid
alter table public.suppliers add constraint check_suppliers_rating_count_not_negative check (rating_count >= 0);

create table public.service_reviews (
    id uuid not null default gen_random_uuid(),
    supplier_id uuid not null,
    couple_id uuid,
    author_user_id uuid,
    rating smallint not null,
    title text,
    body text,
    reply_body text,
    replied_at timestamptz,
    replied_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    constraint pk_service_reviews primary key (id),
    constraint fk_service_reviews_supplier_id_suppliers foreign key (supplier_id)
    references public.suppliers (id) on delete cascade,
    constraint fk_service_reviews_couple_id_couples foreign key (couple_id)
    references public.couples (id) on delete set null,
    constraint fk_service_reviews_author_user_id_users foreign key (author_user_id)
    references auth.users (id) on delete set null,
    constraint fk_service_reviews_replied_by_users foreign key (replied_by)
    references auth.users (id) on delete set null,
    constraint unique_service_reviews_supplier_id_couple_id unique (supplier_id, couple_id),
    constraint check_service_reviews_rating_range check (rating between 1 and 5),
    constraint check_service_reviews_title_length check (char_length(title) <= 200),
    constraint check_service_reviews_body_length check (char_length(body) <= 5000),
    constraint check_service_reviews_reply_body_length check (char_length(reply_body) <= 5000),
    constraint check_service_reviews_replied_at_present check ((reply_body is null) = (replied_at is null))
);
comment on table public.service_reviews is
'A couple''s review of a supplier it worked with (one per couple and supplier); the supplier''s team may reply.';
-- The supplier's reviews, newest first (covers the supplier FK; the unique key covers (supplier_id, couple_id)).
create index index_service_reviews_on_supplier_id_and_created_at
on public.service_reviews (supplier_id, created_at desc);
create index index_service_reviews_on_couple_id on public.service_reviews (couple_id);
create index index_service_reviews_on_author_user_id on public.service_reviews (author_user_id);
create index index_service_reviews_on_replied_by on public.service_reviews (replied_by);

-- A couple worked with a supplier: a live connection that is active, or was accepted and then revoked.
create function private.has_worked_with(p_supplier_id uuid, p_couple_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
begin
    return (
        select exists (
            select 1
            from public.supplier_client_connections as scc
            inner join public.couples as c on scc.couple_id = c.id
            inner join public.suppliers as s on scc.supplier_id = s.id
            where
                c.deleted_at is null
                and s.deleted_at is null
                and scc.supplier_id = p_supplier_id
                and scc.couple_id = p_couple_id
                and scc.deleted_at is null
                and (scc.status = 'active' or (scc.status = 'revoked' and scc.responded_at is not null))
        )
    );
end;
$$;
comment on function private.has_worked_with(uuid, uuid) is
'True when a live connection links the live supplier and couple and is active, or was accepted and then revoked.';
revoke execute on function private.has_worked_with(uuid, uuid) from public;
grant execute on function private.has_worked_with(uuid, uuid) to authenticated;

-- Every role: a review needs a couple that worked with the supplier (after insert: RLS judges API rows first).
create function private.guard_service_review_worked_with()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if new.couple_id is null or not private.has_worked_with(new.supplier_id, new.couple_id) then
        raise exception 'couple % has no active or past connection to supplier %', new.couple_id, new.supplier_id
            using errcode = 'check_violation', constraint = 'service_reviews_worked_with';
    end if;
    return null;
end;
$$;
comment on function private.guard_service_review_worked_with() is
'Trigger: refuses a service review by a couple without an active or past connection (service_reviews_worked_with).';
revoke execute on function private.guard_service_review_worked_with() from public;

-- Server columns: an API insert carries no reply; a reply is stamped with its time and author.
create function private.stamp_service_review()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if tg_op = 'INSERT' then
        if private.caller_is_under_rls() then
            new.reply_body := null;
            new.replied_by := null;
        end if;
        new.replied_at := case when new.reply_body is not null then pg_catalog.now() end;
        return new;
    end if;
    if new.reply_body is distinct from old.reply_body then
        new.replied_at := case when new.reply_body is not null then pg_catalog.now() end;
        new.replied_by := case when new.reply_body is not null then coalesce(auth.uid(), new.replied_by) end;
    end if;
    return new;
end;
$$;
comment on function private.stamp_service_review() is
'Trigger: API inserts carry no reply; a changed reply stamps replied_at and replied_by.';
revoke execute on function private.stamp_service_review() from public;

-- Under RLS each side writes its own columns: the couple the review, the supplier's team the reply.
create function private.guard_service_review_sides()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if not private.caller_is_under_rls() then
        return null;
    end if;
    if (new.rating, new.title, new.body) is distinct from (old.rating, old.title, old.body)
        and (new.couple_id is null or new.couple_id <> all(array(select private.my_couple_ids()))) then
        raise exception 'only a partner of the reviewing couple changes service review %', new.id
            using errcode = 'check_violation', constraint = 'service_reviews_written_by_couple';
    end if;
    if new.reply_body is distinct from old.reply_body
        and new.supplier_id <> all(array(select private.my_supplier_ids('member'))) then
        raise exception 'only the reviewed supplier''s team replies to service review %', new.id
            using errcode = 'check_violation', constraint = 'service_reviews_reply_by_team';
    end if;
    return null;
end;
$$;
comment on function private.guard_service_review_sides() is
'Trigger: under RLS the couple changes rating, title and body (service_reviews_written_by_couple), the supplier''s '
'team the reply (service_reviews_reply_by_team).';
revoke execute on function private.guard_service_review_sides() from public;

-- Keeps suppliers.rating_average and rating_count in step with live service reviews.
create function private.refresh_supplier_rating()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_supplier_id uuid;
begin
    for v_supplier_id in
        select distinct t.id from (values (old.supplier_id), (new.supplier_id)) as t (id) where t.id is not null
    loop
        update public.suppliers as s
        set
            rating_average = r.average,
            rating_count = r.total
        from (
            select
                pg_catalog.round(pg_catalog.avg(sr.rating), 2) as average,
                pg_catalog.count(*)::integer as total
            from public.service_reviews as sr
            where sr.supplier_id = v_supplier_id and sr.deleted_at is null
        ) as r
        where
            s.id = v_supplier_id
            and (s.rating_average, s.rating_count) is distinct from (r.average, r.total);
    end loop;
    return null;
end;
$$;
comment on function private.refresh_supplier_rating() is
'Trigger: recomputes the supplier''s rating from its live service reviews.';
revoke execute on function private.refresh_supplier_rating() from public;

-- An API-inserted supplier has no rating yet (the rating is the reviews').
create function private.stamp_supplier_rating_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if private.caller_is_under_rls() then
        new.rating_average := null;
        new.rating_count := 0;
    end if;
    return new;
end;
$$;
comment on function private.stamp_supplier_rating_insert() is
'Trigger: an API-inserted supplier starts with no rating (null, 0).';
revoke execute on function private.stamp_supplier_rating_insert() from public;

create trigger stamp_supplier_rating_insert before insert on public.suppliers
for each row execute function private.stamp_supplier_rating_insert();

create trigger stamp_service_review before insert or update on public.service_reviews
for each row execute function private.stamp_service_review();
create trigger guard_service_review_worked_with after insert on public.service_reviews
for each row execute function private.guard_service_review_worked_with();
create trigger guard_service_review_sides after update on public.service_reviews
for each row execute function private.guard_service_review_sides();
create trigger refresh_supplier_rating after insert or update or delete on public.service_reviews
for each row execute function private.refresh_supplier_rating();
create trigger set_updated_at before update on public.service_reviews
for each row execute function private.set_updated_at();
create trigger write_audit_log after insert or update or delete on public.service_reviews
for each row execute function private.write_audit_log('service_reviews', 'supplier_id');

alter table public.service_reviews enable row level security;
alter table public.service_reviews force row level security;
-- No API privileges until the policies migration grants exactly what each role needs.
revoke all on table public.service_reviews from anon, authenticated, service_role;
