-- Tickets, the customers who open them, the orders linked to them, their
-- conversation and their audit trail.

create table customers (
    id         uuid primary key default gen_random_uuid(),
    -- email and phone are stored normalised ('' when unknown); each
    -- identifies at most one customer.
    email      text not null default '',
    name       text not null default '',
    phone      text not null default '',
    created_at timestamptz not null
);
create unique index customers_email_key on customers (email) where email <> '';
create unique index customers_phone_key on customers (phone) where phone <> '';

-- A customer's id in each connected store.
create table customer_stores (
    customer_id          uuid not null references customers (id) on delete cascade,
    store                text not null,
    customer_id_in_store text not null,
    primary key (store, customer_id_in_store)
);
create index customer_stores_customer_id_idx on customer_stores (customer_id);

create table agents (
    email         text primary key,
    name          text not null default '',
    slack_user_id text not null default '',
    created_at    timestamptz not null
);
create index agents_slack_user_id_idx on agents (slack_user_id) where slack_user_id <> '';

create sequence ticket_number_seq start with 1001;

create table tickets (
    id           uuid primary key default gen_random_uuid(),
    number       bigint not null unique default nextval('ticket_number_seq'),
    subject      text not null,
    description  text not null default '',
    status       text not null check (status in ('open', 'pending', 'resolved', 'closed')),
    priority     text not null check (priority in ('urgent', 'high', 'medium', 'low')),
    tags         text[] not null default '{}',
    assignee     text not null default '',
    team         text not null default '',
    customer_id  uuid references customers (id),
    source       text not null,
    external_ref text not null default '',
    follow_up_of uuid references tickets (id),

    -- The SLA clock (see tickets.SLA); durations are nanoseconds.
    first_response_due timestamptz,
    resolution_due     timestamptz,
    clock_start        timestamptz,
    paused_at          timestamptz,
    paused_ns          bigint not null default 0,
    paused_business_ns bigint not null default 0,

    -- Where the live Slack card is.
    slack_team    text not null default '',
    slack_channel text not null default '',
    slack_ts      text not null default '',
    slack_error   text not null default '',

    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,

    -- The 'simple' configuration neither stems nor drops stop words, so search
    -- works the same for every language customers write in.
    search tsvector generated always as (
        setweight(to_tsvector('simple'::regconfig, subject), 'A') ||
        setweight(to_tsvector('simple'::regconfig, description), 'B')
    ) stored
);
alter sequence ticket_number_seq owned by tickets.number;

-- Creating a ticket is idempotent on the source's own id.
create unique index tickets_source_external_ref_key on tickets (source, external_ref) where external_ref <> '';
-- Listings are newest first with keyset pagination on (created_at, id).
create index tickets_created_idx on tickets (created_at desc, id desc);
create index tickets_status_created_idx on tickets (status, created_at desc, id desc);
create index tickets_priority_created_idx on tickets (priority, created_at desc, id desc);
create index tickets_assignee_created_idx on tickets (assignee, created_at desc, id desc) where assignee <> '';
create index tickets_customer_id_idx on tickets (customer_id);
create index tickets_follow_up_of_idx on tickets (follow_up_of) where follow_up_of is not null;
create index tickets_tags_idx on tickets using gin (tags);
create index tickets_search_idx on tickets using gin (search);
create index tickets_slack_thread_idx on tickets (slack_channel, slack_ts) where slack_ts <> '';

-- The latest snapshot of each order the hub has seen.
create table orders (
    store              text not null,
    order_id           text not null,
    order_number       text not null default '',
    financial_status   text not null default '',
    fulfillment_status text not null default '',
    total              text not null default '', -- decimal as text, exactly as the store sent it
    currency           text not null default '',
    customer_email     text not null default '',
    -- The store's updated_at: an older snapshot never replaces a newer one.
    source_updated_at  timestamptz,
    details            jsonb,
    created_at         timestamptz not null,
    updated_at         timestamptz not null,
    primary key (store, order_id)
);
create index orders_order_id_idx on orders (order_id);
-- Order numbers are looked up with or without Shopify's leading '#'.
create index orders_order_number_idx on orders (ltrim(order_number, '#'));

create table ticket_orders (
    ticket_id uuid not null references tickets (id) on delete cascade,
    store     text not null,
    order_id  text not null,
    linked_at timestamptz not null,
    primary key (ticket_id, store, order_id),
    -- A provisional order (known by number only) is re-keyed when its id arrives.
    foreign key (store, order_id) references orders (store, order_id) on update cascade
);
create index ticket_orders_order_idx on ticket_orders (store, order_id);

create table messages (
    id           bigserial primary key,
    ticket_id    uuid not null references tickets (id) on delete cascade,
    kind         text not null check (kind in ('customer', 'reply', 'note', 'system')),
    body         text not null,
    author_kind  text not null default '',
    author_id    text not null default '',
    author_name  text not null default '',
    source       text not null default '',
    external_ref text not null default '',
    created_at   timestamptz not null,
    edited_at    timestamptz,
    deleted_at   timestamptz,
    search tsvector generated always as (to_tsvector('simple'::regconfig, body)) stored
);
create index messages_ticket_id_idx on messages (ticket_id, id);
create unique index messages_external_ref_key on messages (ticket_id, source, external_ref) where external_ref <> '';
create index messages_search_idx on messages using gin (search);

-- The audit trail: who changed what, from what, to what.
create table events (
    id          bigserial primary key,
    ticket_id   uuid not null references tickets (id) on delete cascade,
    type        text not null,
    actor_kind  text not null,
    actor_id    text not null default '',
    actor_name  text not null default '',
    before      jsonb,
    after       jsonb,
    at          timestamptz not null
);
create index events_ticket_id_idx on events (ticket_id, id);
