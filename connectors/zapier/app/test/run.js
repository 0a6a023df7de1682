'use strict';
// npm test: builds the hub, runs it on a free port with a fresh database,
// its own asynq queue and an API key, waits for /readyz, runs the app's
// tests against it with node's test runner, then stops the hub and drops
// the database. Needs Go, PostgreSQL and Redis (as the Go tests do).
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const appDir = path.resolve(__dirname, '..');
const repo = path.resolve(appDir, '../../..');
const rand = crypto.randomBytes(5).toString('hex');

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@localhost:5432/postgres?sslmode=disable';
const withDb = (u, name) => {
  const url = new URL(u);
  url.pathname = '/' + name;
  return url.toString();
};

const dropDatabase = (name) => {
  const res = spawnSync('psql', [adminUrl, '-qc', `drop database if exists "${name}" with (force)`], { stdio: 'ignore' });
  if (res.status !== 0) {
    console.error(`run.js: could not drop database ${name} (is psql installed?)`);
  }
};

// The hub's queue goes too: every key asynq keeps for it, and the hub's
// own marks and budgets, in the Redis of REDIS_URL (default the local one).
const removeQueue = (queue) => {
  const url = process.env.REDIS_URL || 'redis://localhost:6379/0';
  const res = spawnSync('sh', ['-c',
    `for p in 'asynq:{${queue}}*' 'hub:taken-over:${queue}:*' '${queue}:*'; do redis-cli -u "$0" --scan --pattern "$p" | xargs -r redis-cli -u "$0" del >/dev/null; done; redis-cli -u "$0" srem asynq:queues '${queue}' >/dev/null`, url],
  { stdio: 'ignore' });
  if (res.status !== 0) {
    console.error(`run.js: could not remove queue ${queue} (is redis-cli installed?)`);
  }
};

const waitReady = async (base, hub) => {
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    if (hub.exitCode !== null) {
      throw new Error(`the hub exited with ${hub.exitCode}`);
    }
    try {
      const res = await fetch(base + '/readyz');
      if (res.status === 200) {
        return;
      }
    } catch (e) {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the hub was not ready after 120s');
};

const main = async () => {
  const [port, hookPort, deadPort] = [await freePort(), await freePort(), await freePort()];
  const dbName = `hub_zapier_app_${rand}`;
  const bin = path.join(os.tmpdir(), `hub-zapier-app-${rand}`);
  const apiKey = `zapier-app-test-${crypto.randomBytes(16).toString('hex')}`;
  const base = `http://127.0.0.1:${port}`;
  const queue = `zapier-app-${rand}`;

  console.log('run.js: building the hub');
  execFileSync('go', ['build', '-o', bin, './cmd/hub'], { cwd: repo, stdio: 'inherit' });
  const hub = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      HUB_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: withDb(adminUrl, dbName),
      HUB_API_KEY: apiKey,
      HUB_QUEUE: queue,
      HUB_LOG_LEVEL: process.env.HUB_LOG_LEVEL || 'error',
      ZAPIER_HOOK_ALLOWLIST: `https://hooks.zapier.com/,http://127.0.0.1:${hookPort}/`,
      // The store the tests link orders to must be connected (the hub
      // refuses a link to an unknown store). Its Admin API points at a
      // closed local port: no test calls a real vendor, and the order
      // lookups behind a link simply fail and retry.
      SHOPIFY_SHOP: 'acme.myshopify.com',
      SHOPIFY_ACCESS_TOKEN: 'shpat_zapier_app_test',
      SHOPIFY_API_BASE_URL: `http://127.0.0.1:${deadPort}`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let code = 1;
  try {
    await waitReady(base, hub);
    console.log(`run.js: hub ready at ${base}`);
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .sort()
      .map((f) => path.join('test', f));
    const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
      cwd: appDir,
      env: {
        ...process.env,
        HUB_URL: base,
        HUB_API_KEY: apiKey,
        FAKE_HOOK_PORT: String(hookPort),
        HUB_DATABASE_URL: withDb(adminUrl, dbName),
        // zapier-platform-core prints a memory line per call unless testing.
        NODE_ENV: 'test',
      },
      stdio: 'inherit',
    });
    code = await new Promise((resolve) => tests.on('exit', (c) => resolve(c === null ? 1 : c)));
  } catch (err) {
    console.error('run.js:', err.message);
  } finally {
    if (hub.exitCode === null) {
      const exited = new Promise((resolve) => hub.on('exit', resolve));
      hub.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30000))]);
      if (hub.exitCode === null) {
        hub.kill('SIGKILL');
      }
    }
    dropDatabase(dbName);
    removeQueue(queue);
    fs.rmSync(bin, { force: true });
  }
  process.exit(code);
};

main();
