// Saves the screenshots of docs/screenshots/ (see ../screenshots.mjs); SCREENSHOTS=0 skips.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { after, before, test } from 'node:test';
import { launch } from '../lib/browser.mjs';
import { SCREENSHOT_DIR, takeScreenshots } from '../screenshots.mjs';

const EXPECTED = [
  'login', 'dashboard', 'units', 'unit-detail', 'persons', 'person-form-errors', 'person-detail',
  'sites', 'incidents', 'site-detail', 'reports', 'report-detail', 'account', 'admin-users', 'audit', 'phone-dashboard', 'phone-persons', 'phone-nav-open',
];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test(`screenshots of the main pages into ${SCREENSHOT_DIR}`, { skip: process.env.SCREENSHOTS === '0' }, async () => {
  const written = await takeScreenshots(browser);
  assert.deepEqual(written.map((p) => basename(p, '.png')), EXPECTED);
  for (const p of written) {
    const { size } = statSync(p);
    assert.ok(size > 5_000 && size < 400_000, `${basename(p)}: ${size} bytes`);
  }
});
