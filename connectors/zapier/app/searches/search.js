'use strict';
// Searches answer arrays: Zapier uses the first item, and [] means "not
// found" (which find-or-create turns into Create Ticket).
const { url, compact } = require('../lib/hub');
const { ticketFields, sampleTicket } = require('../lib/fields');

const findTicket = {
  key: 'find_ticket',
  noun: 'Ticket',
  display: { label: 'Find Ticket', description: 'Finds a ticket by number, customer email or order number (newest first).' },
  operation: {
    inputFields: [
      { key: 'number', label: 'Ticket Number', helpText: 'T-1042 or 1042.' },
      { key: 'email', label: 'Customer Email' },
      { key: 'order_number', label: 'Order Number' },
    ],
    perform: (z, bundle) => {
      const d = bundle.inputData;
      const params = compact({ number: d.number, email: d.email, order_number: d.order_number });
      if (Object.keys(params).length === 0) {
        throw new z.errors.Error('Give a ticket number, a customer email or an order number to search by.', 'invalid', 400);
      }
      return z.request({ url: url(bundle, '/api/v1/search/tickets'), params }).then((r) => r.data);
    },
    sample: sampleTicket,
    outputFields: ticketFields(),
  },
};

const findCustomer = {
  key: 'find_customer',
  noun: 'Customer',
  display: { label: 'Find Customer', description: 'Finds a customer by email, with their recent tickets.' },
  operation: {
    inputFields: [{ key: 'email', label: 'Email', required: true }],
    perform: (z, bundle) =>
      z.request({ url: url(bundle, '/api/v1/search/customers'), params: { email: bundle.inputData.email } }).then((r) => r.data),
    sample: {
      id: sampleTicket.customer.id,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      phone: '',
      stores: [{ store: 'shopify:acme.myshopify.com', customer_id: '207119551' }],
      ticket_count: 1,
      tickets: [sampleTicket],
    },
    outputFields: [
      { key: 'id', label: 'Customer ID' },
      { key: 'email', label: 'Email' },
      { key: 'name', label: 'Name' },
      { key: 'phone', label: 'Phone' },
      { key: 'ticket_count', label: 'Number of Tickets', type: 'integer' },
    ],
  },
};

module.exports = [findTicket, findCustomer];
