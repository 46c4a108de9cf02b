// (i) The yearly classification of communes: the province view (map, counts, table),
// a commune's page with every input and criterion, an input corrected by hand and the
// class recomputed; a bad value refused at its field. axe-core on both pages.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeSeriousViolations, launch, login, newPage, open, settle } from '../lib/browser.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await login(page, 'province_officer');
});
after(async () => {
  await browser?.close();
});

async function noSeriousViolations() {
  const v = await axeSeriousViolations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.slice(0, 3).join(' | ')}`), [], `axe on ${page.url()}`);
}

test('the province view shows every commune with its class and the change', async () => {
  const res = await open(page, '/classification?year=2025');
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main table tbody tr a[href^="/classification/"]').count(), 96);
  assert.ok((await page.locator('.dz-map .leaflet-interactive').count()) > 50, 'communes drawn on the map');
  await noSeriousViolations();
});

test('a commune page: an input corrected by hand recomputes the class; a bad value is refused', async () => {
  const href = await page.locator('main table tbody tr a[href^="/classification/"]').first().getAttribute('href');
  await open(page, href);
  await noSeriousViolations();
  const form = `main form[action="${href}"]`;
  await page.locator('#in-offenders_arrested').fill('-3');
  const [bad] = await Promise.all([page.waitForNavigation(), page.locator(`${form} button[type="submit"]`).click()]);
  await settle(page);
  assert.equal(bad.status(), 422);
  await open(page, href);
  await page.locator('#in-offenders_arrested').fill('400');
  await Promise.all([page.waitForNavigation(), page.locator(`${form} button[type="submit"]`).click()]);
  await settle(page);
  assert.equal((await page.locator('.flash p').first().textContent()).trim(), 'Đã lưu số liệu và tính lại phân loại.');
  assert.equal(await page.locator('#in-offenders_arrested').inputValue(), '400');
  assert.ok((await page.locator('main .outcome--met').count()) > 0, 'a criterion is now met');
});
