-- Why the ticket's last public reply could not reach the customer ('' when
-- it did, or none failed): shown on the ticket's JSON and its Slack card
-- until a later reply gets through.
alter table tickets add column reply_error text not null default '';
