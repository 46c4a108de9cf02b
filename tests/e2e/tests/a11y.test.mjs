// (g) axe-core on the main pages: no violation of impact "serious" or "critical".

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

function report(violations) {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).join('\n    ')}`)
    .join('\n  ');
}

async function check(page) {
  const v = await axeSeriousViolations(page);
  assert.deepEqual(v.map((x) => x.id), [], `axe on ${page.url()}:\n  ${report(v)}`);
}

test('login page', async () => {
  const page = await newPage(browser);
  await open(page, '/login');
  await check(page);
  await page.context().close();
});

describe('as the province officer', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'province_officer');
  });
  after(async () => {
    await page?.context().close();
  });

  for (const [name, path] of [
    ['dashboard', '/'],
    ['units list', '/units'],
    ['units search', '/units?q=Kon+Tum'],
    ['province page', '/units/51'],
    ['commune page', '/units/23293'],
    ['persons list', '/persons'],
    ['person form', '/persons/new'],
    ['account', '/account'],
  ]) {
    test(`${name} (${path})`, async () => {
      const res = await open(page, path);
      assert.equal(res.status(), 200);
      await check(page);
    });
  }

  test('person form with errors', async () => {
    await open(page, '/persons/new');
    await page.locator('#id_number').fill('999090012345');
    await Promise.all([page.waitForNavigation(), page.locator('main form[action="/persons"] button[type="submit"]').click()]);
    await settle(page);
    assert.ok((await page.locator('main .field-error').count()) > 0);
    await check(page);
  });

  test('person detail', async () => {
    await open(page, '/persons');
    const href = await page.locator('main table tbody tr a').first().getAttribute('href');
    const res = await open(page, href);
    assert.equal(res.status(), 200);
    await check(page);
  });
});

describe('as the administrator', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'admin');
  });
  after(async () => {
    await page?.context().close();
  });

  for (const [name, path] of [
    ['admin users', '/admin/users'],
    ['audit', '/audit'],
  ]) {
    test(`${name} (${path})`, async () => {
      const res = await open(page, path);
      assert.equal(res.status(), 200);
      await check(page);
    });
  }
});

test('dashboard at phone width with the drawer open', async () => {
  const page = await newPage(browser, { phone: true });
  await login(page, 'commune_officer');
  await open(page, '/');
  await page.locator('header .nav-toggle').click();
  await page.locator('nav#site-nav').waitFor({ state: 'visible' });
  await check(page);
  await page.context().close();
});
