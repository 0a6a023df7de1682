-- Connected stores and workspaces, customers' profiles per store, the store a
-- ticket is about, and SLA warnings already sent.

create table connections (
    kind           text not null,             -- shopify, woocommerce, slack
    key            text not null,             -- shop domain, store URL, Slack team id
    name           text not null default '',
    -- The secrets as JSON sealed with AES-256-GCM under a key derived from
    -- HUB_SECRET_KEY; NULL when there are none.
    secrets        bytea,
    settings       jsonb not null default '{}',
    active         boolean not null default true,
    installed_at   timestamptz not null,
    uninstalled_at timestamptz,
    updated_at     timestamptz not null,
    primary key (kind, key)
);

alter table customer_stores
    add column name           text not null default '',
    add column email          text not null default '',
    add column phone          text not null default '',
    add column orders_count   integer not null default 0,
    add column total_spent    text not null default '',
    add column currency       text not null default '',
    add column first_order_at timestamptz,
    add column tags           text[] not null default '{}',
    add column note           text not null default '',
    add column admin_url      text not null default '',
    add column updated_at     timestamptz;

alter table tickets
    add column store text not null default '',
    -- The SLA warning last sent per target, as "<level>@<due>", so a target
    -- warns once per level (at_risk, breached) and again if its due time moves.
    add column first_response_warned text not null default '',
    add column resolution_warned     text not null default '';

create index tickets_store_idx on tickets (store) where store <> '';
-- WarnSLA looks at open tickets by due time.
create index tickets_open_due_idx on tickets (resolution_due) where status = 'open';
create index orders_customer_email_idx on orders (customer_email) where customer_email <> '';
create index deliveries_tenant_idx on deliveries (source, tenant);
