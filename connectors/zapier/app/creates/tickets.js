'use strict';
// Actions on tickets, through the hub's JSON API. Each returns the ticket
// (or the message with its ticket) so later steps can map its fields.
const { url, compact } = require('../lib/hub');
const { ticketFields, sampleTicket, priorityChoices, statusChoices } = require('../lib/fields');

const ticketRef = {
  key: 'ticket',
  label: 'Ticket',
  required: true,
  helpText: 'The ticket number (T-1042 or 1042) or its ID, e.g. mapped from a trigger or Find Ticket.',
};

const path = (bundle, suffix = '') => `/api/v1/tickets/${encodeURIComponent(String(bundle.inputData.ticket).trim())}${suffix}`;

// Create Ticket is idempotent: a step Zapier replays (or that timed out)
// with the same External ID answers with the ticket it made the first time.
const createTicket = {
  key: 'create_ticket',
  noun: 'Ticket',
  display: { label: 'Create Ticket', description: 'Opens a support ticket for a customer.' },
  operation: {
    inputFields: [
      { key: 'subject', label: 'Subject', required: true },
      { key: 'description', label: 'Description', type: 'text' },
      { key: 'customer_email', label: 'Customer Email' },
      { key: 'customer_name', label: 'Customer Name' },
      { key: 'customer_phone', label: 'Customer Phone' },
      { key: 'priority', label: 'Priority', choices: priorityChoices, default: 'medium' },
      { key: 'tags', label: 'Tags', list: true, helpText: 'Lower-case letters, digits, - and _.' },
      { key: 'order_number', label: 'Order Number', helpText: 'Linked to the ticket once the order is found in a connected store.' },
      { key: 'store', label: 'Store', helpText: 'The store the order is from, e.g. `shopify:acme.myshopify.com`.' },
      { key: 'external_id', label: 'External ID', helpText: 'Your own id for this request: sending it again returns the same ticket.' },
    ],
    perform: (z, bundle) => {
      const d = bundle.inputData;
      const customer = compact({ email: d.customer_email, name: d.customer_name, phone: d.customer_phone });
      const body = compact({
        subject: d.subject,
        description: d.description,
        priority: d.priority,
        tags: d.tags,
        order_number: d.order_number === undefined ? undefined : String(d.order_number),
        store: d.store,
        external_id: d.external_id === undefined ? undefined : String(d.external_id),
      });
      if (Object.keys(customer).length > 0) {
        body.customer = customer;
      }
      return z.request({ url: url(bundle, '/api/v1/tickets'), method: 'POST', body }).then((r) => r.data);
    },
    sample: sampleTicket,
    outputFields: ticketFields(),
  },
};

const updateTicket = {
  key: 'update_ticket',
  noun: 'Ticket',
  display: { label: 'Update Ticket', description: "Changes a ticket's status, priority, assignee or tags." },
  operation: {
    inputFields: [
      ticketRef,
      { key: 'status', label: 'Status', choices: statusChoices },
      { key: 'priority', label: 'Priority', choices: priorityChoices },
      { key: 'assignee', label: 'Assignee Email' },
      { key: 'tags', label: 'Tags (replace all)', list: true },
    ],
    perform: (z, bundle) => {
      const d = bundle.inputData;
      const body = compact({ status: d.status, priority: d.priority, assignee: d.assignee, tags: d.tags });
      return z.request({ url: url(bundle, path(bundle)), method: 'PATCH', body }).then((r) => r.data);
    },
    sample: sampleTicket,
    outputFields: ticketFields(),
  },
};

const addMessage = {
  key: 'add_message',
  noun: 'Message',
  display: { label: 'Add Note or Reply', description: 'Adds an internal note or a public reply to a ticket.' },
  operation: {
    inputFields: [
      ticketRef,
      { key: 'body', label: 'Text', type: 'text', required: true },
      {
        key: 'visibility',
        label: 'Visibility',
        choices: { internal: 'Internal note (agents only)', public: 'Public reply (the customer sees it)' },
        default: 'internal',
        required: true,
      },
    ],
    perform: (z, bundle) => {
      const d = bundle.inputData;
      return z
        .request({ url: url(bundle, path(bundle, '/messages')), method: 'POST', body: { body: d.body, visibility: d.visibility || 'internal' } })
        .then((r) => r.data);
    },
    sample: {
      message: {
        id: 88, ticket_id: sampleTicket.id, kind: 'note', visibility: 'internal', body: 'Refund issued.',
        author: { kind: 'api_key', id: 'b7c9f1e2-0000-4000-8000-000000000001', name: 'zapier' }, source: 'api',
        created_at: '2026-11-27T10:00:00Z', edited_at: null, deleted_at: null,
      },
      ticket: sampleTicket,
    },
    outputFields: [
      { key: 'message__id', label: 'Message ID' },
      { key: 'message__kind', label: 'Kind' },
      { key: 'message__visibility', label: 'Visibility' },
      { key: 'message__body', label: 'Text' },
      ...ticketFields('ticket__'),
    ],
  },
};

const linkOrder = {
  key: 'link_order',
  noun: 'Order',
  display: { label: 'Link Order', description: 'Links a store order to a ticket; its details are filled in from the store.' },
  operation: {
    inputFields: [
      ticketRef,
      { key: 'store', label: 'Store', required: true, helpText: 'e.g. `shopify:acme.myshopify.com` or `woocommerce:shop.example.com`.' },
      { key: 'order_number', label: 'Order Number', helpText: 'As the customer sees it, e.g. 1001. Give this or the Order ID.' },
      { key: 'order_id', label: 'Order ID', helpText: "The store's own id for the order." },
    ],
    perform: (z, bundle) => {
      const d = bundle.inputData;
      const body = compact({
        store: d.store,
        order_number: d.order_number === undefined ? undefined : String(d.order_number),
        order_id: d.order_id === undefined ? undefined : String(d.order_id),
      });
      return z.request({ url: url(bundle, path(bundle, '/orders')), method: 'POST', body }).then((r) => r.data);
    },
    sample: sampleTicket,
    outputFields: ticketFields(),
  },
};

module.exports = [createTicket, updateTicket, addMessage, linkOrder];
