// Operations in the browser: the health department (a partner) records a propaganda
// activity and finds it in its own list and on the month calendar; a commune officer
// records a case with a seizure, is told when a unit does not fit the drug, and reads
// the case's page. axe-core checks each page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeSeriousViolations, launch, login, newPage, open, settle } from '../lib/browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function submit(page, form) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(`${form} button[type="submit"]`).first().click(),
  ]);
  await settle(page);
  return res;
}

async function noSeriousViolations(page) {
  const v = await axeSeriousViolations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.slice(0, 3).join(' | ')}`), [], `axe on ${page.url()}`);
}

function today() {
  // The server's today is Vietnam's (UTC+7).
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

describe('a partner department', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'partner');
  });
  after(async () => {
    await page?.context().close();
  });

  test('records a propaganda activity and sees it in its own list and the calendar', async () => {
    await open(page, '/propaganda');
    await noSeriousViolations(page);
    const before = await page.locator('main table.activities tbody tr').count();
    await page.locator('#a-held_on').fill(today());
    await page.locator('#a-venue').selectOption('school');
    await page.locator('#a-place').fill('Trường THPT kiểm thử trình duyệt');
    await page.locator('#a-form').selectOption('contest');
    await page.locator('#a-participants').fill('321');
    const res = await submit(page, 'main form[method="post"][action="/propaganda"]');
    assert.equal(res.status(), 200);
    assert.match(await page.locator('.flash p').first().textContent(), /Đã ghi nhận hoạt động/);
    const row = page.locator('main table.activities tbody tr', { hasText: 'Trường THPT kiểm thử trình duyệt' });
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), /Sở Y tế/);
    assert.equal(await page.locator('main table.activities tbody tr').count(), Math.min(before + 1, 500));
    // Every row of a partner's list is its own.
    for (const organiser of await page.locator('main table.activities tbody tr td:nth-child(3)').allTextContents()) {
      assert.equal(organiser.trim(), 'Sở Y tế');
    }
    await Promise.all([page.waitForNavigation(), page.locator('main a[href="/propaganda/calendar"]').click()]);
    await settle(page);
    await noSeriousViolations(page);
    assert.ok((await page.locator('.calendar-day--today').textContent()).includes('Sở Y tế'));
  });
});

describe('a commune officer', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'commune_officer');
  });
  after(async () => {
    await page?.context().close();
  });

  test('records a case with a seizure, after a unit that does not fit is refused', async () => {
    await open(page, '/cases');
    await noSeriousViolations(page);
    await Promise.all([page.waitForNavigation(), page.locator('main a[href="/cases/new"]').click()]);
    await settle(page);
    await noSeriousViolations(page);
    await page.locator('#occurred_on').fill(today());
    await page.locator('#lat').fill('14,3555');
    await page.locator('#lon').fill('108,0151');
    await page.locator('#seizure_drug_1').selectOption('heroin');
    await page.locator('#seizure_quantity_1').fill('3');
    await page.locator('#seizure_unit_1').selectOption('tablet');
    let res = await submit(page, 'main form[action="/cases"]');
    assert.equal(res.status(), 422);
    assert.match(await page.locator('.flash--error').textContent(), /Heroin không tính bằng đơn vị «viên»/);
    await noSeriousViolations(page);
    // The form kept what was typed; fix the unit and add tablets of synthetic drugs.
    assert.equal(await page.locator('#seizure_quantity_1').inputValue(), '3');
    await page.locator('#seizure_unit_1').selectOption('brick');
    await page.locator('#seizure_drug_2').selectOption('synthetic');
    await page.locator('#seizure_quantity_2').fill('250');
    await page.locator('#seizure_unit_2').selectOption('tablet');
    await page.locator('#subject_name_1').fill('Đối tượng kiểm thử');
    await page.locator('#subject_role_1').selectOption('trafficker');
    res = await submit(page, 'main form[action="/cases"]');
    assert.equal(res.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/cases\/\d+$/);
    await noSeriousViolations(page);
    const seized = await page.locator('main').textContent();
    assert.match(seized, /Heroin: 3 bánh/);
    assert.match(seized, /Ma túy tổng hợp: 250 viên/);
    assert.match(seized, /Đối tượng kiểm thử/);
    // Coordinates were given: its incidents are listed.
    assert.match(seized, /#\d+ #\d+/);
  });
});
