-- The SHA-256 of the API request that created a ticket under an
-- Idempotency-Key, so that the key reused with another body is refused (409)
-- instead of answered with the first ticket. '' for tickets from webhooks and
-- from before this column.
alter table tickets add column request_hash text not null default '';
