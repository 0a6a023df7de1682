'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { App, appTester, bundle, HUB_URL } = require('./helper');

test('a valid API key passes the auth test and labels the connection', async () => {
  const me = await appTester(App.authentication.test, bundle());
  assert.ok(me.id, 'the key has an id');
  assert.equal(me.name, 'HUB_API_KEY');
  const label = await appTester(App.authentication.connectionLabel, bundle(me));
  assert.equal(label, `HUB_API_KEY @ ${new URL(HUB_URL).host}`);
});

test('a wrong API key fails the auth test with a readable message', async () => {
  const bad = { authData: { hub_url: HUB_URL, api_key: 'not-a-key' }, inputData: {} };
  await assert.rejects(appTester(App.authentication.test, bad), (err) => {
    assert.match(err.message, /API key/);
    return true;
  });
});
