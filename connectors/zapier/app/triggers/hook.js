'use strict';
// Instant (REST hook) triggers. Each subscribes a Zap's target URL to one
// hub event; the hub POSTs each event to it once, with a stable id that
// Zapier dedupes on. performList shows recent events in exactly that shape.
const { url } = require('../lib/hub');
const { ticketFields, sampleTicket } = require('../lib/fields');

const hookTrigger = ({ key, noun, label, description, event, messageKind, extraFields = [], sampleExtra = {} }) => {
  const subscription = { target_url: undefined, event };
  if (messageKind) {
    subscription.message_kind = messageKind;
  }

  const performSubscribe = (z, bundle) =>
    z
      .request({
        url: url(bundle, '/api/v1/hooks'),
        method: 'POST',
        body: { ...subscription, target_url: bundle.targetUrl },
      })
      .then((response) => response.data);

  // Unsubscribing twice, or a hook the hub already dropped, is fine (204).
  const performUnsubscribe = (z, bundle) =>
    z
      .request({
        url: url(bundle, `/api/v1/hooks/${encodeURIComponent(bundle.subscribeData.id)}`),
        method: 'DELETE',
      })
      .then(() => ({}));

  // The hub sends one event per POST; an array is accepted too.
  const perform = (z, bundle) => {
    const body = bundle.cleanedRequest;
    const items = Array.isArray(body) ? body : [body];
    return items.filter((item) => item && item.id && item.event === event);
  };

  const performList = (z, bundle) => {
    const params = { event, limit: bundle.meta && bundle.meta.isLoadingSample ? 3 : 10 };
    if (messageKind) {
      params.message_kind = messageKind;
    }
    return z.request({ url: url(bundle, '/api/v1/events'), params }).then((response) => response.data);
  };

  return {
    key,
    noun,
    display: { label, description },
    operation: {
      type: 'hook',
      performSubscribe,
      performUnsubscribe,
      perform,
      performList,
      sample: {
        id: `${sampleTicket.id}:17`,
        event,
        occurred_at: '2026-11-27T09:12:00Z',
        actor: { kind: 'api_key', id: 'b7c9f1e2-0000-4000-8000-000000000001', name: 'zapier' },
        ticket: sampleTicket,
        ...sampleExtra,
      },
      outputFields: [
        { key: 'id', label: 'Event ID' },
        { key: 'event', label: 'Event' },
        { key: 'occurred_at', label: 'Occurred At', type: 'datetime' },
        { key: 'actor__name', label: 'Changed By' },
        ...ticketFields('ticket__'),
        ...extraFields,
      ],
    },
  };
};

module.exports = [
  hookTrigger({
    key: 'new_ticket',
    noun: 'Ticket',
    label: 'New Ticket',
    description: 'Triggers when a ticket is opened, from any source.',
    event: 'ticket.created',
  }),
  hookTrigger({
    key: 'ticket_updated',
    noun: 'Ticket',
    label: 'Ticket Updated',
    description: "Triggers when a ticket's priority, assignee, tags or team change.",
    event: 'ticket.updated',
    extraFields: [{ key: 'changes', label: 'Changes (field: from → to)', dict: true }],
    sampleExtra: { changes: { priority: { from: 'medium', to: 'high' } } },
  }),
  hookTrigger({
    key: 'ticket_status_changed',
    noun: 'Ticket',
    label: 'Ticket Status Changed',
    description: 'Triggers when a ticket moves between open, pending, resolved and closed.',
    event: 'ticket.status_changed',
    extraFields: [
      { key: 'changes__status__from', label: 'Previous Status' },
      { key: 'changes__status__to', label: 'New Status' },
    ],
    sampleExtra: { changes: { status: { from: 'open', to: 'resolved' } } },
  }),
  hookTrigger({
    key: 'new_public_reply',
    noun: 'Reply',
    label: 'New Public Reply',
    description: 'Triggers when an agent replies publicly on a ticket: send it to the customer by email or SMS.',
    event: 'ticket.message_created',
    messageKind: 'reply',
    extraFields: [
      { key: 'message__id', label: 'Message ID' },
      { key: 'message__body', label: 'Reply Text' },
      { key: 'message__author__name', label: 'Agent' },
      { key: 'message__created_at', label: 'Replied At', type: 'datetime' },
    ],
    sampleExtra: {
      message: {
        id: 88, ticket_id: sampleTicket.id, kind: 'reply', visibility: 'public', body: 'It ships today.',
        author: { kind: 'agent', id: 'sam@shop.example', name: 'Sam' }, source: 'slack',
        created_at: '2026-11-27T10:00:00Z', edited_at: null, deleted_at: null,
      },
    },
  }),
  hookTrigger({
    key: 'sla_warning',
    noun: 'SLA Warning',
    label: 'SLA Warning',
    description: "Triggers when a ticket's first response or resolution is at risk or has breached its SLA.",
    event: 'ticket.sla_warning',
    extraFields: [
      { key: 'sla_warning__target', label: 'SLA Target (first_response or resolution)' },
      { key: 'sla_warning__level', label: 'Level (at_risk or breached)' },
      { key: 'sla_warning__due', label: 'Due', type: 'datetime' },
    ],
    sampleExtra: { sla_warning: { target: 'first_response', level: 'at_risk', due: '2026-11-27T17:00:00Z' } },
  }),
  hookTrigger({
    key: 'ticket_rated',
    noun: 'Rating',
    label: 'Ticket Rated',
    description: 'Triggers when a customer answers the satisfaction survey sent with a resolution reply (1 to 5, and a comment).',
    event: 'ticket.rated',
    extraFields: [
      { key: 'rating__rating', label: 'Rating (1 to 5)', type: 'integer' },
      { key: 'rating__comment', label: 'Comment' },
    ],
    sampleExtra: { rating: { rating: 4, comment: 'Quick answer, thank you.' } },
  }),
  hookTrigger({
    key: 'order_linked',
    noun: 'Order',
    label: 'Order Linked',
    description: 'Triggers when an order is linked to a ticket, by hand or by the order number in a message.',
    event: 'order.linked',
    extraFields: [
      { key: 'order__store', label: 'Store' },
      { key: 'order__order_id', label: 'Order ID' },
      { key: 'order__order_number', label: 'Order Number' },
      { key: 'order__financial_status', label: 'Financial Status' },
      { key: 'order__fulfillment_status', label: 'Fulfillment Status' },
      { key: 'order__total', label: 'Order Total' },
      { key: 'order__currency', label: 'Currency' },
    ],
    sampleExtra: {
      order: {
        store: 'shopify:acme.myshopify.com', order_id: '5551234', order_number: '#1001', financial_status: 'paid',
        fulfillment_status: 'unfulfilled', total: '42.00', currency: 'EUR',
      },
    },
  }),
];
