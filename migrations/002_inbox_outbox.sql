-- The durable inbox of verified webhook deliveries, and the outbox of
-- follow-up work written in the same transaction as the change that needs it.

create table deliveries (
    id           bigserial primary key,
    source       text not null,
    tenant       text not null default '',
    topic        text not null default '',
    key          text not null,
    alt_key      text not null default '',
    headers      jsonb not null default '{}',
    body         bytea not null default '',
    status       text not null default 'received' check (status in ('received', 'processed', 'failed', 'ignored')),
    error        text not null default '',
    attempts     integer not null default 0,
    received_at  timestamptz not null,
    processed_at timestamptz,
    unique (source, key)
);
create unique index deliveries_source_alt_key_key on deliveries (source, alt_key) where alt_key <> '';
create index deliveries_status_received_idx on deliveries (status, received_at);

create table outbox (
    id         bigserial primary key,
    type       text not null,
    payload    bytea not null default '',
    unique_key text not null default '',
    run_at     timestamptz not null,
    created_at timestamptz not null,
    done_at    timestamptz
);
-- Pending follow-ups with the same (type, unique_key) coalesce into one.
create unique index outbox_pending_unique_key on outbox (type, unique_key) where done_at is null and unique_key <> '';
create index outbox_pending_run_at_idx on outbox (run_at, id) where done_at is null;
