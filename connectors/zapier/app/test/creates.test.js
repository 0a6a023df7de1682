'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { App, appTester, bundle, hub, unique } = require('./helper');

const create = (input) => appTester(App.creates.create_ticket.operation.perform, bundle(input));

test('Create Ticket opens a ticket, once per External ID', async () => {
  const externalId = unique('row');
  const input = {
    subject: 'Parcel arrived damaged',
    description: 'The box was crushed.',
    customer_email: 'Lin@Example.com',
    customer_name: 'Lin',
    priority: 'urgent',
    tags: ['shipping', 'damage'],
    external_id: externalId,
  };
  const t = await create(input);
  assert.match(t.ref, /^T-\d+$/);
  assert.equal(t.priority, 'urgent');
  assert.equal(t.customer.email, 'lin@example.com');
  // The hub's rules may add tags of their own (a damaged parcel is also a
  // returns matter); the ones the Zap sent are all there.
  for (const tag of ['damage', 'shipping']) assert.ok(t.tags.includes(tag), `tag ${tag} in ${t.tags}`);
  // Zapier replays the step: the same ticket comes back.
  const again = await create(input);
  assert.equal(again.id, t.id);
  const found = await hub('GET', `/api/v1/tickets?email=lin@example.com&limit=100`);
  assert.equal(found.data.tickets.filter((x) => x.external_id === externalId).length, 1);
});

test('Create Ticket explains a bad field', async () => {
  await assert.rejects(create({ subject: 'x', priority: 'asap' }), (err) => {
    assert.match(err.message, /priority/);
    assert.match(err.message, /urgent, high, medium, low/);
    return true;
  });
});

test('Update Ticket, Add Note or Reply and Link Order change the ticket', async () => {
  const t = await create({ subject: 'Where is my order?', customer_email: 'ada@example.com' });

  const updated = await appTester(App.creates.update_ticket.operation.perform,
    bundle({ ticket: t.ref, status: 'pending', priority: 'high', assignee: 'sam@shop.example', tags: ['vip'] }));
  assert.equal(updated.id, t.id);
  assert.equal(updated.status, 'pending');
  assert.equal(updated.priority, 'high');
  assert.equal(updated.assignee, 'sam@shop.example');
  assert.deepEqual(updated.tags, ['vip']);

  const note = await appTester(App.creates.add_message.operation.perform,
    bundle({ ticket: String(t.number), body: 'Checked with the carrier.', visibility: 'internal' }));
  assert.equal(note.message.kind, 'note');
  assert.equal(note.message.visibility, 'internal');
  // A public reply needs a channel that reaches the customer (else 409):
  // a Zapier workflow on ticket.message_created is one.
  const sub = await hub('POST', '/api/v1/hooks', { target_url: 'https://hooks.zapier.com/hooks/standard/1/creates-test/', event: 'ticket.message_created' });
  assert.equal(sub.status, 201);
  const reply = await appTester(App.creates.add_message.operation.perform,
    bundle({ ticket: t.id, body: 'It ships today.', visibility: 'public' }));
  assert.equal(reply.message.kind, 'reply');
  assert.equal(reply.ticket.id, t.id);

  const linked = await appTester(App.creates.link_order.operation.perform,
    bundle({ ticket: t.ref, store: 'shopify:acme.myshopify.com', order_number: 1001 }));
  assert.equal(linked.orders.length, 1);
  assert.equal(linked.orders[0].order_number, '1001');

  await hub('DELETE', `/api/v1/hooks/${sub.data.id}`);
  const messages = await hub('GET', `/api/v1/tickets/${t.ref}/messages`);
  assert.deepEqual(messages.data.messages.map((m) => m.body), ['Checked with the carrier.', 'It ships today.']);
});

test('an action on a ticket that does not exist says so', async () => {
  await assert.rejects(
    appTester(App.creates.update_ticket.operation.perform, bundle({ ticket: 'T-999999', status: 'open' })),
    /not found/,
  );
});

const customerMessage = (input) => appTester(App.creates.add_customer_message.operation.perform, bundle(input));

test('Add Customer Message opens a ticket, then threads into it by email or ticket, once per External ID', async () => {
  const email = `${unique('mo')}@example.com`;
  const first = await customerMessage({ customer_email: email, customer_name: 'Mo', subject: 'Broken lid', body: 'The lid snapped.', external_id: unique('gm') });
  assert.equal(first.created, true);
  assert.equal(first.message, null);
  assert.equal(first.ticket.customer.email, email);
  assert.equal(first.ticket.subject, 'Broken lid');

  const extId = unique('gm');
  const byEmail = await customerMessage({ customer_email: email, body: 'Any news?', external_id: extId });
  assert.equal(byEmail.ticket.id, first.ticket.id);
  assert.equal(byEmail.message.kind, 'customer');
  // Zapier replays the step: nothing is added twice.
  await customerMessage({ customer_email: email, body: 'Any news?', external_id: extId });

  await appTester(App.creates.update_ticket.operation.perform, bundle({ ticket: first.ticket.ref, status: 'pending' }));
  const byRef = await customerMessage({ ticket: first.ticket.ref, body: 'Still waiting.' });
  assert.equal(byRef.ticket.id, first.ticket.id);
  assert.equal(byRef.ticket.status, 'open');

  const messages = await hub('GET', `/api/v1/tickets/${first.ticket.ref}/messages`);
  assert.deepEqual(messages.data.messages.map((m) => m.body), ['Any news?', 'Still waiting.']);
});

test('Add Customer Message needs a ticket or an email', async () => {
  await assert.rejects(customerMessage({ body: 'hello' }), /ticket.*email/);
});
