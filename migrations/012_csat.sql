-- Satisfaction surveys. A resolution reply may carry a link with a random
-- token; only its SHA-256 is kept, so the link is the key and the database
-- alone cannot answer for a customer. A survey is answered once, before it
-- expires.
create table surveys (
    token_hash  bytea primary key,
    ticket_id   uuid not null references tickets (id) on delete cascade,
    created_at  timestamptz not null,
    expires_at  timestamptz not null,
    answered_at timestamptz,
    score       smallint check (score between 1 and 5),
    comment     text not null default ''
);
create index surveys_ticket_idx on surveys (ticket_id, answered_at);
-- The report counts surveys sent and answered in a period.
create index surveys_created_idx on surveys (created_at);
