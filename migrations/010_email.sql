-- The email channel: files that came with customers' messages, the
-- Message-IDs of mail the hub sent (so replies thread back), and how far
-- each IMAP mailbox has been imported.

-- Attachments are listed on the ticket; their bytes are kept up to a cap
-- (content is NULL and omitted true past it).
create table attachments (
    id           bigserial primary key,
    ticket_id    uuid not null references tickets (id) on delete cascade,
    message_id   bigint references messages (id) on delete cascade,
    filename     text not null default '',
    content_type text not null default 'application/octet-stream',
    size         bigint not null,
    omitted      boolean not null default false,
    content      bytea,
    created_at   timestamptz not null
);
create index attachments_ticket_idx on attachments (ticket_id, id);

-- One row per public reply sent by email: its Message-ID is minted before
-- the first try (so every retry sends the same one, and the customer's
-- answer naming it finds the ticket), then the outcome.
create table email_replies (
    reply_id    bigint primary key references messages (id) on delete cascade,
    ticket_id   uuid not null references tickets (id) on delete cascade,
    message_id  text not null unique,
    recipient   text not null,
    status      text not null default 'sending' check (status in ('sending', 'sent', 'failed')),
    attempts    integer not null default 0,
    error       text not null default '',
    created_at  timestamptz not null,
    sent_at     timestamptz
);
create index email_replies_ticket_idx on email_replies (ticket_id, created_at);

-- Where the IMAP poller stopped, per account and mailbox (email.Cursor).
create table email_cursors (
    key          text primary key,
    uid_validity bigint not null,
    last_uid     bigint not null,
    updated_at   timestamptz not null
);

-- Threading looks up a ticket by an email's Message-ID: customer messages
-- keep theirs in external_ref.
create index messages_email_ref_idx on messages (external_ref) where source = 'email' and external_ref <> '';
