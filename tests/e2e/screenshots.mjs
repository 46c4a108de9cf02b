#!/usr/bin/env node
// Screenshots of the main pages at desktop (1280×900) and phone (390×844) width, saved as
// PNG into docs/screenshots/ (the visible viewport, not the whole page, to keep the files
// small). Run by the suite (tests/screenshots.test.mjs) or on its own:
//
//   node screenshots.mjs            # starts its own `diaban serve --demo`
//   BASE_URL=… DIABAN_ACCOUNTS=… node screenshots.mjs   # against a running demo server
//
// SCREENSHOT_DIR overrides the output directory.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, login, newPage, open, settle } from './lib/browser.mjs';
import { REPO_ROOT } from './lib/server.mjs';

export const SCREENSHOT_DIR = resolve(process.env.SCREENSHOT_DIR ?? join(REPO_ROOT, 'docs', 'screenshots'));

/** Waits for the map outline and chart, if the page has them. */
async function ready(page) {
  await settle(page);
  if ((await page.locator('.dz-map').count()) > 0) {
    await page.locator('.dz-map.dz-map--outline').first().waitFor({ timeout: 10_000 }).catch(() => {});
  }
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
}

async function shot(page, dir, name, written) {
  await ready(page);
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  written.push(path);
}

/**
 * Takes every screenshot; returns the paths written.
 * @param {import('playwright-core').Browser} browser
 */
export async function takeScreenshots(browser, dir = SCREENSHOT_DIR) {
  mkdirSync(dir, { recursive: true });
  const written = [];

  // Desktop.
  const anon = await newPage(browser);
  await open(anon, '/login');
  await shot(anon, dir, 'login', written);
  await anon.context().close();

  const officer = await newPage(browser);
  await login(officer, 'province_officer');
  await open(officer, '/');
  await shot(officer, dir, 'dashboard', written);
  await open(officer, '/units');
  await shot(officer, dir, 'units', written);
  await open(officer, '/units/23293');
  await shot(officer, dir, 'unit-detail', written);
  await open(officer, '/persons');
  await shot(officer, dir, 'persons', written);
  const first = await officer.locator('main table tbody tr a').first().getAttribute('href');
  await open(officer, '/persons/new');
  await officer.locator('#id_number').fill('999090012345');
  await officer.locator('#sex').selectOption('male');
  await officer.locator('#birth_year').fill('1990');
  await officer.locator('#residence_unit').fill('23293');
  await Promise.all([
    officer.waitForNavigation(),
    officer.locator('main form[action="/persons"] button[type="submit"]').click(),
  ]);
  await shot(officer, dir, 'person-form-errors', written);
  await open(officer, first);
  await shot(officer, dir, 'person-detail', written);
  await open(officer, '/sites');
  await shot(officer, dir, 'sites', written);
  await open(officer, '/incidents');
  await shot(officer, dir, 'incidents', written);
  // A site with an open re-formation alert (the demo has some), else the newest site.
  const alerted = officer.locator('main a[href*="#alerts"]');
  const site = (await alerted.count()) > 0 ? await alerted.first().getAttribute('href') : null;
  await open(officer, (site ?? '/sites').split('#')[0]);
  if (!site) await open(officer, await officer.locator('main table tbody tr a').first().getAttribute('href'));
  await shot(officer, dir, 'site-detail', written);
  await open(officer, '/reports');
  await shot(officer, dir, 'reports', written);
  await open(officer, await officer.locator('main table tbody tr a').first().getAttribute('href'));
  await shot(officer, dir, 'report-detail', written);
  await open(officer, '/account');
  await shot(officer, dir, 'account', written);
  await officer.context().close();

  const admin = await newPage(browser);
  await login(admin, 'admin');
  await open(admin, '/admin/users');
  await shot(admin, dir, 'admin-users', written);
  await open(admin, '/audit');
  await shot(admin, dir, 'audit', written);
  await admin.context().close();

  // Phone.
  const phone = await newPage(browser, { phone: true });
  await login(phone, 'commune_officer');
  await open(phone, '/');
  await shot(phone, dir, 'phone-dashboard', written);
  await open(phone, '/persons');
  await shot(phone, dir, 'phone-persons', written);
  await phone.locator('header .nav-toggle').click();
  await phone.locator('nav#site-nav').waitFor({ state: 'visible' });
  await shot(phone, dir, 'phone-nav-open', written);
  await phone.context().close();

  return written;
}

// Run on its own.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let server = null;
  if (!process.env.BASE_URL) {
    const { startServer } = await import('./lib/server.mjs');
    server = await startServer();
    process.env.BASE_URL = server.baseUrl;
    process.env.DIABAN_ACCOUNTS = JSON.stringify(server.accounts);
  }
  const browser = await launch();
  try {
    for (const p of await takeScreenshots(browser)) console.log(p);
  } finally {
    await browser.close();
    await server?.stop();
  }
}
