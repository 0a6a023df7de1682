-- A channel that gets new tickets faster than Slack lets the hub post
-- cards there gets digests: one message listing the tickets that did not
-- get a turn. slack_digest says where a ticket stands: '' (its own card,
-- or none yet), 'waiting' (queued for its channel's next digest), or
-- 'listed' (in the digest message slack_ts; a card of its own is posted
-- when the ticket next changes and the channel has room).
alter table tickets add column slack_digest text not null default ''
    check (slack_digest in ('', 'waiting', 'listed'));
create index tickets_slack_digest_waiting_idx on tickets (slack_channel, created_at) where slack_digest = 'waiting';
