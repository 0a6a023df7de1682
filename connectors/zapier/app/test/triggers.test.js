'use strict';
// Each instant trigger against the live hub: subscribing through the app
// reaches the hub, the hub's POST for a real event goes through perform,
// performList shows the same shape (and the same event), and
// unsubscribing through the app removes the hook (twice is fine).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { App, appTester, bundle, hub, fakeZapier, waitFor, unique, HUB_URL } = require('./helper');

let fake;
test.before(async () => {
  fake = await fakeZapier();
});
test.after(() => fake.close());

const create = (input) => appTester(App.creates.create_ticket.operation.perform, bundle(input));
const act = (key, input) => appTester(App.creates[key].operation.perform, bundle(input));

// sql runs a statement on the hub's database (only to move an SLA clock).
const sql = (statement) => {
  const res = spawnSync('psql', [process.env.HUB_DATABASE_URL, '-qc', statement], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
};

const cases = [
  {
    key: 'new_ticket',
    event: 'ticket.created',
    cause: () => create({ subject: 'Where is my order #1001?', customer_email: 'ada@example.com' }),
    check: (p, t) => assert.equal(p.ticket.subject, t.subject),
  },
  {
    key: 'ticket_updated',
    event: 'ticket.updated',
    cause: async () => {
      const t = await create({ subject: 'Wrong size' });
      return act('update_ticket', { ticket: t.ref, priority: 'urgent' });
    },
    // The hub's rules may update the new ticket first (a tag, under the
    // rule's name): the Zap's own change is the one to check.
    pick: (p) => p.changes && p.changes.priority,
    check: (p) => assert.deepEqual(p.changes.priority, { from: 'medium', to: 'urgent' }),
  },
  {
    key: 'ticket_status_changed',
    event: 'ticket.status_changed',
    cause: async () => {
      const t = await create({ subject: 'Refund please' });
      return act('update_ticket', { ticket: t.ref, status: 'resolved' });
    },
    check: (p) => assert.deepEqual(p.changes.status, { from: 'open', to: 'resolved' }),
  },
  {
    key: 'new_public_reply',
    event: 'ticket.message_created',
    cause: async () => {
      const t = await create({ subject: 'Can I change my address?' });
      // An internal note must not reach a New Public Reply Zap.
      await act('add_message', { ticket: t.ref, body: 'internal: check with the warehouse', visibility: 'internal' });
      await act('add_message', { ticket: t.ref, body: 'Yes, done: new address saved.', visibility: 'public' });
      return t;
    },
    check: (p) => {
      assert.equal(p.message.kind, 'reply');
      assert.equal(p.message.body, 'Yes, done: new address saved.');
    },
  },
  {
    key: 'order_linked',
    event: 'order.linked',
    cause: async () => {
      const t = await create({ subject: 'Missing item' });
      return act('link_order', { ticket: t.ref, store: 'shopify:acme.myshopify.com', order_number: '1001' });
    },
    check: (p) => assert.equal(p.order.order_number, '1001'),
  },
  {
    key: 'ticket_rated',
    event: 'ticket.rated',
    // A resolution reply carries the survey link; the customer answers on
    // the hub's page, as a browser would post the form.
    cause: async () => {
      const t = await create({ subject: 'Cracked mug', customer_email: 'ada@example.com' });
      // A public reply needs a channel that reaches the customer (else
      // 409): here a workflow subscribed to replies, as a Gmail Zap is.
      const replies = await hub('POST', '/api/v1/hooks',
        { target_url: fake.url(unique('replies')), event: 'ticket.message_created', message_kind: 'reply' });
      const res = await hub('POST', `/api/v1/tickets/${t.id}/messages`,
        { body: 'A new one is on its way.', visibility: 'public', resolve: true, survey: true });
      await hub('DELETE', `/api/v1/hooks/${replies.data.id}`);
      assert.ok(res.data.message, `the reply was refused: ${JSON.stringify(res.data)}`);
      const link = res.data.message.body.match(/\/survey\/[A-Za-z0-9_-]+/)[0];
      const answer = await fetch(HUB_URL + link, {
        method: 'POST', body: new URLSearchParams({ rating: '4', comment: 'Quick answer' }),
      });
      assert.equal(answer.status, 200);
      return t;
    },
    check: (p) => {
      assert.equal(p.rating.rating, 4);
      assert.equal(p.ticket.csat.comment, 'Quick answer');
    },
  },
  {
    key: 'sla_warning',
    event: 'ticket.sla_warning',
    // The hub warns from its scheduler (every minute); the ticket's first
    // response is made overdue so the next run breaches it.
    cause: async () => {
      const t = await create({ subject: 'Site is down', priority: 'urgent' });
      sql(`update tickets set first_response_due = now() - interval '1 minute' where number = ${t.number}`);
      return t;
    },
    check: (p) => {
      assert.equal(p.sla_warning.target, 'first_response');
      assert.equal(p.sla_warning.level, 'breached');
    },
  },
];

for (const c of cases) {
  test(`${c.key}: subscribe, deliver, perform, performList, unsubscribe`, async () => {
    const op = App.triggers[c.key].operation;
    const name = unique(c.key);
    const sub = await appTester(op.performSubscribe, bundle({}, { targetUrl: fake.url(name) }));
    assert.ok(sub.id, 'the hub answered with the subscription id');
    let hooks = await hub('GET', '/api/v1/hooks');
    assert.ok(hooks.data.hooks.some((h) => h.id === sub.id && h.event === c.event && h.target_url === fake.url(name)));

    const t = await c.cause();
    const received = await waitFor(`${c.event} at the hook`, () => {
      const got = fake.received(name).filter((p) => (p.ticket.id === t.id || (t.ticket && p.ticket.id === t.ticket.id)) && (!c.pick || c.pick(p)));
      return got.length > 0 && got;
    });
    const payload = received[0];
    assert.equal(payload.event, c.event);
    c.check(payload, t);

    const out = await appTester(op.perform, bundle({}, { cleanedRequest: payload }));
    assert.deepEqual(out, [payload]);

    const sample = await appTester(op.performList, bundle({}, { meta: { isLoadingSample: true } }));
    assert.ok(Array.isArray(sample) && sample.length >= 1 && sample.length <= 3);
    const list = await appTester(op.performList, bundle({}, { meta: {} }));
    const same = list.find((p) => p.id === payload.id);
    assert.ok(same, 'performList shows the delivered event');
    assert.deepEqual(Object.keys(same).sort(), Object.keys(payload).sort());
    assert.deepEqual(same.message, payload.message);
    assert.deepEqual(same.changes, payload.changes);
    assert.ok(list.every((p, i) => i === 0 || p.occurred_at <= list[i - 1].occurred_at), 'newest first');

    await appTester(op.performUnsubscribe, bundle({}, { subscribeData: sub }));
    hooks = await hub('GET', '/api/v1/hooks');
    assert.ok(!hooks.data.hooks.some((h) => h.id === sub.id), 'unsubscribed');
    await appTester(op.performUnsubscribe, bundle({}, { subscribeData: sub })); // twice is fine
  });
}

test('perform drops payloads of other events', async () => {
  const op = App.triggers.new_ticket.operation;
  assert.deepEqual(await appTester(op.perform, bundle({}, { cleanedRequest: { id: 'x:1', event: 'ticket.updated' } })), []);
});
