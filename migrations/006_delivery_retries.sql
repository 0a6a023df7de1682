-- Deliveries tell the truth while they are retried, and the sweeper can
-- page through every delivery that needs a task instead of the oldest 500.
--
-- retry_at: when the next try of a delivery still "received" is due (null
-- when none is scheduled: new, or never failed).
-- sweep_at: from when the delivery is known to have a task due; if it is
-- still "received" a while after that, the sweeper makes sure it has one.
-- Each sweep claims a batch by moving sweep_at forward, so sweepers in
-- several processes share the work and a stuck delivery never hides the
-- ones behind it.
alter table deliveries add column retry_at timestamptz;
alter table deliveries add column sweep_at timestamptz;
update deliveries set sweep_at = received_at where status = 'received';
create index deliveries_sweep_idx on deliveries (sweep_at) where status = 'received';
