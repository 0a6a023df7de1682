'use strict';
// Add Customer Message: feeds a customer's message (from a Gmail or
// Outlook Zap, a form, a chat tool) into the hub where its own email
// channel is not set up. The hub threads it like an email: into the
// ticket named, or else the customer's latest ticket (reopening it, or
// opening a follow-up when it is closed), or else a new ticket.
const { url, compact } = require('../lib/hub');
const { ticketFields, sampleTicket } = require('../lib/fields');

const addCustomerMessage = {
  key: 'add_customer_message',
  noun: 'Message',
  display: {
    label: 'Add Customer Message',
    description: "Adds a customer's message to their ticket (by ticket number or email), or opens a ticket with it.",
  },
  operation: {
    inputFields: [
      {
        key: 'ticket',
        label: 'Ticket',
        helpText: 'The ticket number (T-1042) or ID. Leave empty to use the customer\'s latest ticket, or open one.',
      },
      { key: 'customer_email', label: 'Customer Email', helpText: 'Needed when no ticket is given.' },
      { key: 'customer_name', label: 'Customer Name' },
      { key: 'subject', label: 'Subject', helpText: 'Used when the message opens a new ticket.' },
      { key: 'body', label: 'Message', type: 'text', required: true },
      {
        key: 'external_id',
        label: 'External ID',
        helpText: "The message's own id (e.g. the email's Message ID): a step Zapier replays adds it only once.",
      },
    ],
    perform: (z, bundle) => {
      const d = bundle.inputData;
      const body = compact({
        ticket: d.ticket === undefined || d.ticket === '' ? undefined : String(d.ticket).trim(),
        email: d.customer_email,
        name: d.customer_name,
        subject: d.subject,
        body: d.body,
        external_id: d.external_id === undefined ? undefined : String(d.external_id),
      });
      return z.request({ url: url(bundle, '/api/v1/customer_messages'), method: 'POST', body }).then((r) => r.data);
    },
    sample: {
      message: {
        id: 89, ticket_id: sampleTicket.id, kind: 'customer', visibility: 'public', body: 'Any news on my parcel?',
        author: { kind: 'api_key', id: 'b7c9f1e2-0000-4000-8000-000000000001', name: 'zapier' }, source: 'api',
        created_at: '2026-11-27T10:05:00Z', edited_at: null, deleted_at: null,
      },
      ticket: sampleTicket,
      created: false,
    },
    outputFields: [
      { key: 'message__id', label: 'Message ID' },
      { key: 'message__body', label: 'Text' },
      { key: 'created', label: 'Opened a New Ticket', type: 'boolean' },
      ...ticketFields('ticket__'),
    ],
  },
};

module.exports = [addCustomerMessage];
