-- Emailed sign-in links for the dashboard: only the SHA-256 of each
-- one-time token is kept, so a copy of the table signs nobody in. A link
-- is bound to one agent, expires, and is spent by its first use.
create table login_links (
    token_hash bytea primary key,
    email      text not null references agents (email) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at    timestamptz
);
create index login_links_expires_at_idx on login_links (expires_at);
