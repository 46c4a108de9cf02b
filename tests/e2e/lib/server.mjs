// Finding the diaban binary and running `diaban serve --demo` for the browser suite.
//
// The server listens on a free port (`--addr 127.0.0.1:0`) and prints
// "diaban listening on http://127.0.0.1:PORT" and the demo accounts on stdout; both are
// parsed from there. Its temporary demo database and key go to a private TMPDIR that is
// removed when the server stops.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(E2E_DIR, '..', '..');

/** The diaban binary: $DIABAN_BIN, else the newer of target/release and target/debug;
 *  when neither exists, `cargo build` (debug) from the repository root. */
export function findBinary() {
  if (process.env.DIABAN_BIN) {
    const bin = resolve(process.env.DIABAN_BIN);
    if (!existsSync(bin)) throw new Error(`DIABAN_BIN=${bin} does not exist`);
    return bin;
  }
  const release = join(REPO_ROOT, 'target', 'release', 'diaban');
  const debug = join(REPO_ROOT, 'target', 'debug', 'diaban');
  const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -1);
  if (mtime(release) >= 0 && mtime(release) > mtime(debug)) return release;
  if (mtime(debug) >= 0) return debug;
  process.stderr.write('no diaban binary: running `cargo build`\n');
  const r = spawnSync('cargo', ['build', '-p', 'diaban'], { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !existsSync(debug)) throw new Error('cargo build failed');
  return debug;
}

/** Parses the demo account lines ("  admin  demo-admin-2026  admin  51 Tỉnh Quảng Ngãi").
 *  Returns { role: { username, password, role, unitCode, unitName } }. */
export function parseAccounts(text) {
  const accounts = {};
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (/^demo accounts/.test(line)) {
      inBlock = true;
      continue;
    }
    if (!inBlock) continue;
    const m = /^\s+(\S+)\s+(\S+)\s+([a-z_]+)\s+(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) {
      inBlock = false;
      continue;
    }
    const [, username, password, role, unitCode, unitName] = m;
    accounts[role] = { username, password, role, unitCode, unitName };
  }
  return accounts;
}

async function healthy(baseUrl) {
  try {
    const r = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    return r.ok && (await r.json()).status === 'ok';
  } catch {
    return false;
  }
}

/**
 * Starts `diaban serve --demo --addr 127.0.0.1:0`. Resolves to
 * { baseUrl, accounts, binary, stop() } once /healthz answers.
 * @param {{ binary?: string, logFile?: string, timeoutMs?: number }} [opts]
 */
export async function startServer(opts = {}) {
  const binary = opts.binary ?? findBinary();
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const logFile = opts.logFile ?? join(E2E_DIR, 'test-results', 'server.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const tmp = mkdtempSync(join(tmpdir(), 'diaban-e2e-'));
  const child = spawn(binary, ['serve', '--demo', '--addr', '127.0.0.1:0'], {
    cwd: tmp,
    env: { ...process.env, TMPDIR: tmp, DIABAN_LOG: process.env.DIABAN_LOG ?? 'info', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    stdout += d;
    log.write(d);
  });
  child.stderr.on('data', (d) => log.write(d));
  let exited = null;
  const exit = new Promise((res) => child.on('exit', (code, signal) => res((exited = { code, signal }))));

  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    }
    await new Promise((res) => log.end(res));
    cleanup();
  };

  const deadline = Date.now() + timeoutMs;
  let baseUrl = null;
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop();
      throw new Error(`diaban exited early (${JSON.stringify(exited)}); see ${logFile}`);
    }
    baseUrl ??= /diaban listening on (http:\/\/[^\s]+)/.exec(stdout)?.[1] ?? null;
    if (baseUrl && (await healthy(baseUrl))) {
      const accounts = parseAccounts(stdout);
      if (Object.keys(accounts).length === 0) {
        await stop();
        throw new Error(`no demo accounts in the server output; see ${logFile}`);
      }
      return { baseUrl, accounts, binary, stop };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`diaban did not become healthy within ${timeoutMs / 1000} s; see ${logFile}`);
}
