'use strict';
// Shared by the app's tests: appTester on the app, a bundle authenticated
// against the hub run.js started, a fake of Zapier's hook endpoint the hub
// posts to, and direct calls to the hub to check what the app did.
const http = require('node:http');
const zapier = require('zapier-platform-core');
const App = require('../index');

const appTester = zapier.createAppTester(App);
const HUB_URL = process.env.HUB_URL;
const HUB_API_KEY = process.env.HUB_API_KEY;
if (!HUB_URL || !HUB_API_KEY) {
  throw new Error('run the tests with `npm test`, which starts a hub (HUB_URL, HUB_API_KEY)');
}

const authData = { hub_url: HUB_URL, api_key: HUB_API_KEY };
const bundle = (inputData = {}, extra = {}) => ({ authData, inputData, ...extra });

// hub calls the hub's API directly.
const hub = async (method, path, body) => {
  const res = await fetch(HUB_URL + path, {
    method,
    headers: { 'X-API-Key': HUB_API_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : null };
};

// fakeZapier receives the hub's hook POSTs on FAKE_HOOK_PORT, by path.
const fakeZapier = () => {
  const received = new Map();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const list = received.get(req.url) || [];
      list.push(JSON.parse(body));
      received.set(req.url, list);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  const port = Number(process.env.FAKE_HOOK_PORT);
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: (name) => `http://127.0.0.1:${port}/hooks/standard/1/${name}/`,
        received: (name) => received.get(`/hooks/standard/1/${name}/`) || [],
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
};

const waitFor = async (what, cond, ms = 90000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
};

const unique = (prefix) => `${prefix}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

module.exports = { App, appTester, bundle, hub, fakeZapier, waitFor, unique, HUB_URL };
