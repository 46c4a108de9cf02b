#!/usr/bin/env node
// Entry point of the browser suite (`cd tests/e2e && node run.mjs`):
//   1. finds the diaban binary ($DIABAN_BIN, else the newer of target/release/diaban and
//      target/debug/diaban; `cargo build` only when neither exists),
//   2. starts `diaban serve --demo --addr 127.0.0.1:0` and parses the address and the demo
//      accounts it prints, waits for /healthz,
//   3. runs tests/*.test.mjs with node's test runner (TAP output, one file at a time) with
//      BASE_URL and DIABAN_ACCOUNTS in the environment; the screenshots under
//      docs/screenshots/ are taken by tests/screenshots.test.mjs,
//   4. stops the server (SIGTERM) and exits with the test runner's status.
//
// Options: node run.mjs [FILE.test.mjs …]  runs only the given test files.
// Environment: DIABAN_BIN, CHROMIUM (default /usr/bin/chromium), SCREENSHOTS=0 to skip
// writing docs/screenshots/. The server's log is in test-results/server.log.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { E2E_DIR, startServer } from './lib/server.mjs';

const requested = process.argv.slice(2);
const files = (
  requested.length > 0
    ? requested.map((f) => resolve(process.cwd(), f))
    : readdirSync(join(E2E_DIR, 'tests'))
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => join(E2E_DIR, 'tests', f))
).map((f) => relative(E2E_DIR, f));

let server;
try {
  server = await startServer();
} catch (e) {
  process.stderr.write(`cannot start diaban: ${e.message}\n`);
  process.exit(1);
}
process.stderr.write(`diaban (${relative(process.cwd(), server.binary)}) at ${server.baseUrl}\n`);

let stopping = false;
async function stopAndExit(code) {
  if (stopping) return;
  stopping = true;
  await server.stop().catch((e) => process.stderr.write(`stopping diaban: ${e.message}\n`));
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stopAndExit(130));

const runner = spawn(
  process.execPath,
  ['--test', '--test-reporter=tap', '--test-concurrency=1', ...files],
  {
    cwd: E2E_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      BASE_URL: server.baseUrl,
      DIABAN_ACCOUNTS: JSON.stringify(server.accounts),
    },
  },
);
const status = await new Promise((res) => runner.on('exit', (code, signal) => res(signal ? 1 : code ?? 1)));
await stopAndExit(status);
