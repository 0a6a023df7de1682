-- Rules and SLA escalation: agents who are away, each team's round-robin
-- position, the escalations already acted on, and when the SLA scan must
-- next look at a ticket.

-- Set by `/ticket away`, cleared by `/ticket back`: an away agent is given
-- no ticket by the rules, and a reopened ticket of theirs goes to their team.
alter table agents add column away_since timestamptz;

-- The agent each team's round robin picked last; the row is locked while a
-- rule assigns, so two workers never hand the same turn out twice.
create table team_rotation (
    team       text primary key,
    last_agent text not null default '',
    updated_at timestamptz not null
);

-- One row per SLA escalation acted on (ticket, target, level, due time):
-- the marker that keeps a restart or a second worker from warning twice.
-- A due time that moves (a priority change) is a new escalation.
create table sla_escalations (
    ticket_id uuid not null references tickets (id) on delete cascade,
    target    text not null check (target in ('first_response', 'resolution')),
    level     text not null check (level in ('at_risk', 'breached')),
    due       timestamptz not null,
    at        timestamptz not null,
    -- The agents it summoned (emails, a JSON array), for the Slack card.
    mention   jsonb not null default '[]',
    primary key (ticket_id, target, level, due)
);

-- The next instant the SLA scan must look at an open ticket: '-infinity'
-- when it must work it out (a new or changed ticket; every ticket after this
-- migration), 'infinity' when nothing is ahead. The scan reads only the
-- tickets due now, so tickets already breached and warned cost it nothing.
alter table tickets add column sla_check_at timestamptz not null default '-infinity';
create index tickets_sla_check_idx on tickets (sla_check_at) where status = 'open';

-- The warnings sent before this migration are markers too, so an upgrade
-- does not warn again; the columns that held them go.
insert into sla_escalations (ticket_id, target, level, due, at)
select id, 'first_response', split_part(first_response_warned, '@', 1), split_part(first_response_warned, '@', 2)::timestamptz, updated_at
from tickets where first_response_warned like '%@%'
union all
select id, 'resolution', split_part(resolution_warned, '@', 1), split_part(resolution_warned, '@', 2)::timestamptz, updated_at
from tickets where resolution_warned like '%@%'
on conflict do nothing;
alter table tickets drop column first_response_warned, drop column resolution_warned;
