-- API keys. Only the SHA-256 of a key is stored; prefix is its first
-- characters, kept so people can tell keys apart.

create table api_keys (
    id         uuid primary key default gen_random_uuid(),
    name       text not null,
    hash       bytea not null unique,
    prefix     text not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);
