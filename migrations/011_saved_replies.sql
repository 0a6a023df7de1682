-- Saved replies: named reply templates agents choose in Slack or name in
-- the API. Placeholders in body (customer_first_name, ...) are filled
-- from the ticket when the reply is sent.
create table saved_replies (
    name       text primary key,
    body       text not null,
    updated_by text not null default '',
    created_at timestamptz not null,
    updated_at timestamptz not null
);
