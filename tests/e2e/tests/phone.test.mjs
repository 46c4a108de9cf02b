// (h) At phone width (390×844) the navigation is a drawer opened by the header's toggle,
// and pages do not scroll sideways.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, login, newPage, open, settle } from '../lib/browser.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser, { phone: true });
  await login(page, 'commune_officer');
  await open(page, '/');
});
after(async () => {
  await browser?.close();
});

const toggle = () => page.locator('header .nav-toggle');
const nav = () => page.locator('nav#site-nav');

test('the navigation is hidden behind the toggle', async () => {
  assert.ok(await toggle().isVisible(), 'the toggle is shown');
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false');
  assert.equal(await toggle().getAttribute('aria-controls'), 'site-nav');
  assert.equal(await nav().isVisible(), false, 'the nav is hidden');
});

test('the toggle opens the drawer; Escape closes it', async () => {
  await toggle().click();
  await nav().waitFor({ state: 'visible' });
  assert.equal(await toggle().getAttribute('aria-expanded'), 'true');
  assert.match((await page.locator('html').getAttribute('class')) ?? '', /\bnav-open\b/);
  const box = await nav().boundingBox();
  assert.ok(box.width > 200 && box.width <= 390, `drawer width ${box.width}`);
  assert.ok(await nav().locator('a[href="/persons"]').isVisible());
  await page.keyboard.press('Escape');
  await nav().waitFor({ state: 'hidden' });
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false');
});

test('a link in the drawer navigates and closes it', async () => {
  await toggle().click();
  await nav().waitFor({ state: 'visible' });
  await Promise.all([page.waitForNavigation(), nav().locator('a[href="/persons"]').click()]);
  await settle(page);
  assert.equal(new URL(page.url()).pathname, '/persons');
  assert.equal(await nav().isVisible(), false);
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false');
});

test('pages fit the phone width (no sideways scrolling)', async () => {
  for (const path of ['/', '/persons', '/persons/new', '/units', '/units/23293', '/account']) {
    await open(page, path);
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= client, `${path}: page is ${scroll}px wide in a ${client}px viewport`);
  }
  assert.deepEqual(page.problems, []);
});
