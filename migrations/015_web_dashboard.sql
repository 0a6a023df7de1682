-- The web dashboard: agents sign in with a password (hashed, argon2id),
-- admins see the integrations; sessions live in Postgres (scs's pgxstore
-- table) so any hub process serves any signed-in agent; failed sign-ins are
-- counted here so the limit holds across processes.
alter table agents
    add column password_hash text not null default '',
    add column admin boolean not null default false,
    add column disabled_at timestamptz;

create table sessions (
    token  text primary key,
    data   bytea not null,
    expiry timestamptz not null
);
create index sessions_expiry_idx on sessions (expiry);

create table login_failures (
    key text not null, -- 'email:<address>' or 'ip:<address>'
    at  timestamptz not null
);
create index login_failures_key_at_idx on login_failures (key, at);

-- The list sorted by the next due time (postgres.nextDueSQL, same expression).
create index tickets_next_due_idx on tickets ((coalesce(case when first_response_at is null
    then least(first_response_due, resolution_due) else resolution_due end, '9999-01-01 00:00:00+00'::timestamptz)), id);
-- The views count and list active tickets by assignee.
create index tickets_active_assignee_idx on tickets (assignee, created_at desc, id desc) where status in ('open', 'pending');
