-- When each SLA target becomes at risk, worked out by the hub with the
-- business calendar whenever it works out the due times (tickets.Policy),
-- so the "at risk" view and its count agree with the badge a ticket shows:
-- a business-hours ticket is not at risk over a weekend before its last
-- business hours. Tickets written before this migration have none until
-- their next change; the view falls back to the wall-clock rule for them.
alter table tickets
    add column first_response_risk_at timestamptz,
    add column resolution_risk_at timestamptz;
