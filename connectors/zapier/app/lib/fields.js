'use strict';
// Output fields shared by triggers, actions and searches: what Zapier shows
// when a user maps a ticket into a later step.

const ticketFields = (prefix = '') => [
  { key: `${prefix}id`, label: 'Ticket ID' },
  { key: `${prefix}ref`, label: 'Ticket Number' },
  { key: `${prefix}subject`, label: 'Subject' },
  { key: `${prefix}description`, label: 'Description' },
  { key: `${prefix}status`, label: 'Status' },
  { key: `${prefix}priority`, label: 'Priority' },
  { key: `${prefix}tags`, label: 'Tags', list: true },
  { key: `${prefix}assignee`, label: 'Assignee' },
  { key: `${prefix}customer__email`, label: 'Customer Email' },
  { key: `${prefix}customer__name`, label: 'Customer Name' },
  { key: `${prefix}customer__phone`, label: 'Customer Phone' },
  { key: `${prefix}source`, label: 'Source' },
  { key: `${prefix}external_id`, label: 'External ID' },
  { key: `${prefix}sla__first_response_due`, label: 'First Response Due', type: 'datetime' },
  { key: `${prefix}sla__resolution_due`, label: 'Resolution Due', type: 'datetime' },
  { key: `${prefix}sla__breached`, label: 'SLA Breached', type: 'boolean' },
  { key: `${prefix}created_at`, label: 'Created At', type: 'datetime' },
  { key: `${prefix}updated_at`, label: 'Updated At', type: 'datetime' },
];

const sampleTicket = {
  id: '6c0e1d2a-3b4c-4d5e-8f90-a1b2c3d4e5f6',
  number: 1042,
  ref: 'T-1042',
  subject: 'Where is my order #1001?',
  description: 'Ordered two weeks ago and nothing yet.',
  status: 'open',
  priority: 'high',
  tags: ['shipping'],
  assignee: null,
  team: '',
  customer: { id: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', email: 'ada@example.com', name: 'Ada Lovelace', phone: '' },
  orders: [],
  source: 'zapier',
  external_id: '',
  follow_up_of: null,
  sla: { first_response_due: '2026-11-27T17:00:00Z', resolution_due: '2026-11-30T10:00:00Z', breached: false, at_risk: false, paused: false },
  slack: null,
  created_at: '2026-11-27T09:12:00Z',
  updated_at: '2026-11-27T09:12:00Z',
  first_response_at: null,
  resolved_at: null,
  closed_at: null,
};

const priorityChoices = { urgent: 'Urgent', high: 'High', medium: 'Medium', low: 'Low' };
const statusChoices = { open: 'Open', pending: 'Pending', resolved: 'Resolved', closed: 'Closed' };

module.exports = { ticketFields, sampleTicket, priorityChoices, statusChoices };
