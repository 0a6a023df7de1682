-- Zapier REST hook subscriptions, and which ticket events each has been
-- sent, so that a retried delivery never posts twice to a hook.

create table hooks (
    id              uuid primary key default gen_random_uuid(),
    -- The API key that subscribed; its hooks go when it is deleted and stop
    -- receiving while it is revoked.
    api_key_id      uuid not null references api_keys (id) on delete cascade,
    -- A bearer secret (whoever has it can post into the Zap): never logged.
    target_url      text not null,
    event           text not null,
    -- Only for ticket.message_created: the message kind wanted ('' = any).
    message_kind    text not null default '',
    created_at      timestamptz not null,
    -- Consecutive failed deliveries since failing_since; a success resets
    -- both. A hook failing often enough for long enough is paused until it
    -- is subscribed again.
    failures        integer not null default 0,
    failing_since   timestamptz,
    last_error      text not null default '',
    last_success_at timestamptz,
    paused_at       timestamptz,
    unique (api_key_id, event, target_url, message_kind)
);
create index hooks_event_idx on hooks (event) where paused_at is null;

-- One row per (hook, event) once a delivery to it has started: claimed_at
-- holds the claim while the POST is in flight, delivered_at marks it sent.
create table hook_deliveries (
    hook_id      uuid not null references hooks (id) on delete cascade,
    event_id     bigint not null references events (id) on delete cascade,
    claimed_at   timestamptz not null,
    delivered_at timestamptz,
    primary key (hook_id, event_id)
);
create index hook_deliveries_event_idx on hook_deliveries (event_id);

-- Zapier's sample data lists recent events of one type, newest first.
create index events_type_id_idx on events (type, id desc);
