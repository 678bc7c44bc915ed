-- 0055_add_guard_sold_template_delete (down): sold templates may be deleted through the API again.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop trigger guard_sold_template_delete on public.templates;
drop function private.guard_sold_template_delete();
