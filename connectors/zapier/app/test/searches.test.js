'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { App, appTester, bundle, unique } = require('./helper');

const findTicket = (input) => appTester(App.searches.find_ticket.operation.perform, bundle(input));
const create = (input) => appTester(App.creates.create_ticket.operation.perform, bundle(input));

test('Find Ticket by number, email and order number answers arrays', async () => {
  const email = `${unique('grace')}@example.com`;
  const t = await create({ subject: 'Charged twice', customer_email: email, order_number: '7001', store: 'shopify:acme.myshopify.com' });
  await appTester(App.creates.link_order.operation.perform, bundle({ ticket: t.ref, store: 'shopify:acme.myshopify.com', order_number: '7001' }));

  for (const input of [{ number: t.ref }, { number: String(t.number) }, { email }, { order_number: '7001', email }]) {
    const found = await findTicket(input);
    assert.ok(Array.isArray(found));
    assert.equal(found[0].id, t.id, JSON.stringify(input));
  }
  assert.deepEqual(await findTicket({ email: 'nobody@example.com' }), []);
  assert.deepEqual(await findTicket({ number: 'T-999999' }), []);
  await assert.rejects(findTicket({}), /ticket number, a customer email or an order number/);
});

test('Find Customer finds one by email, or none', async () => {
  const email = `${unique('alan')}@example.com`;
  const t = await create({ subject: 'Do you ship to Norway?', customer_email: email, customer_name: 'Alan Turing' });
  const found = await appTester(App.searches.find_customer.operation.perform, bundle({ email: email.toUpperCase() }));
  assert.equal(found.length, 1);
  assert.equal(found[0].name, 'Alan Turing');
  assert.equal(found[0].ticket_count, 1);
  assert.equal(found[0].tickets[0].id, t.id);
  assert.deepEqual(await appTester(App.searches.find_customer.operation.perform, bundle({ email: 'nobody@example.com' })), []);
});

test('Find or Create Ticket: the search finds nothing, then the create makes it, then the search finds it', async () => {
  const soc = App.searchOrCreates.find_ticket;
  assert.equal(App.searches[soc.search].key, 'find_ticket');
  assert.equal(App.creates[soc.create].key, 'create_ticket');
  const email = `${unique('katherine')}@example.com`;
  assert.deepEqual(await findTicket({ email }), []);
  const t = await create({ subject: 'Gift card code does not work', customer_email: email });
  const found = await findTicket({ email });
  assert.equal(found[0].id, t.id);
});
