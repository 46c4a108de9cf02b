// Shared helpers of the browser tests: launching Debian's chromium through playwright-core,
// signing in and out, collecting console errors, running axe-core.
//
// The tests read the server from the environment that run.mjs sets:
//   BASE_URL         http://127.0.0.1:PORT of a `diaban serve --demo`
//   DIABAN_ACCOUNTS  JSON { role: { username, password, role, unitCode, unitName } }

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The server under test. */
export function env() {
  const baseUrl = process.env.BASE_URL;
  const accounts = JSON.parse(process.env.DIABAN_ACCOUNTS ?? '{}');
  if (!baseUrl || Object.keys(accounts).length === 0) {
    throw new Error('BASE_URL and DIABAN_ACCOUNTS must be set: run the suite with `node run.mjs`');
  }
  return { baseUrl, accounts };
}

/** The six roles in a fixed order. */
export const ROLES = ['admin', 'province_officer', 'commune_officer', 'leader', 'partner', 'auditor'];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/**
 * A new page in a fresh context (own cookies). `page.problems` collects console errors,
 * uncaught exceptions and failed same-origin requests (4xx/5xx on sub-resources).
 * @param {import('playwright-core').Browser} browser
 * @param {{ viewport?: {width:number,height:number}, phone?: boolean }} [opts]
 */
export async function newPage(browser, opts = {}) {
  const { baseUrl } = env();
  const phone = opts.phone ?? false;
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: opts.viewport ?? (phone ? PHONE : DESKTOP),
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()} (${page.url()})`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${err.message} (${page.url()})`));
  page.on('response', (res) => {
    const req = res.request();
    if (res.status() >= 400 && !req.isNavigationRequest() && res.url().startsWith(baseUrl)) {
      problems.push(`HTTP ${res.status()} for ${req.resourceType()} ${res.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    // Requests cut short by leaving the page (e.g. the map outline) are not failures.
    const error = req.failure()?.errorText ?? '';
    if (error !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${error}`);
  });
  page.problems = problems;
  return page;
}

/** Navigates and waits until the network is quiet (maps and charts built). */
export async function open(page, path) {
  const res = await page.goto(path, { waitUntil: 'load' });
  await settle(page);
  return res;
}

/** Waits for network idle and two animation frames (components draw after load). */
export async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
}

/** Signs in through the login form; resolves with the response of the page landed on. */
export async function login(page, role) {
  const { accounts } = env();
  const acct = accounts[role];
  if (!acct) throw new Error(`no demo account for role ${role}`);
  await page.goto('/login');
  await page.locator('#username').fill(acct.username);
  await page.locator('#password').fill(acct.password);
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('main form[action="/login"] button[type="submit"]').click(),
  ]);
  if (new URL(page.url()).pathname === '/login') {
    const msg = await page.locator('.flash').textContent().catch(() => '');
    throw new Error(`sign-in as ${acct.username} failed: ${msg}`);
  }
  return res;
}

/** Signs out with the header's button; resolves when the login page is shown. */
export async function logout(page) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('.btn-logout').click()]);
}

/** The navigation links as [{ href, text }]. */
export async function navLinks(page) {
  return page.locator('nav#site-nav a').evaluateAll((as) =>
    as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })),
  );
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the current page (injected through the DevTools protocol, so the page's
 * CSP does not apply) and returns the violations of impact serious or critical, each as
 * { id, impact, help, nodes: [selector…] }.
 */
export async function axeSeriousViolations(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  if (!has) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
    }));
  });
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** All violations (any impact), for diagnostics. */
export async function axeAllViolations(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  if (!has) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, count: v.nodes.length }));
  });
}
