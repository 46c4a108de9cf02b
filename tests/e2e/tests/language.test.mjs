// (d) The header's language links switch the page to English and back; the choice sticks
// across pages (it becomes the user's setting).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, login, navLinks, newPage, open, settle } from '../lib/browser.mjs';

// The items every release has; areas added later are not compared here.
const NAV_VI = { '/': 'Tổng quan', '/persons': 'Đối tượng', '/units': 'Đơn vị hành chính', '/account': 'Tài khoản của tôi' };
const NAV_EN = { '/': 'Dashboard', '/persons': 'Persons', '/units': 'Administrative units', '/account': 'My account' };

async function navTexts() {
  const out = {};
  for (const l of await navLinks(page)) if (l.href in NAV_VI) out[l.href] = l.text;
  return out;
}

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await login(page, 'commune_officer');
  await open(page, '/persons');
});
after(async () => {
  // Leave the account's language as it was.
  await page?.goto('/account?lang=vi').catch(() => {});
  await browser?.close();
});

async function state() {
  return {
    lang: await page.locator('html').getAttribute('lang'),
    nav: await navTexts(),
    h1: (await page.locator('main h1').textContent()).trim(),
    current: await page.locator('.lang-switch a[aria-current="true"]').getAttribute('lang'),
    logout: (await page.locator('.btn-logout').textContent()).trim(),
  };
}

async function clickLang(code) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(`.lang-switch a[lang="${code}"]`).click()]);
  await settle(page);
}

test('Vietnamese by default', async () => {
  assert.deepEqual(await state(), {
    lang: 'vi',
    nav: NAV_VI,
    h1: 'Đối tượng sử dụng, nghiện ma túy',
    current: 'vi',
    logout: 'Đăng xuất',
  });
});

test('the EN link switches the page to English', async () => {
  await clickLang('en');
  assert.equal(new URL(page.url()).pathname, '/persons', 'stays on the same page');
  assert.deepEqual(await state(), {
    lang: 'en',
    nav: NAV_EN,
    h1: 'Drug users and addicts',
    current: 'en',
    logout: 'Sign out',
  });
});

test('English stays on for the next pages', async () => {
  await open(page, '/units');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal((await page.locator('main h1').textContent()).trim(), 'Administrative units');
  await page.locator('nav#site-nav a[href="/"]').click();
  await page.waitForURL((u) => u.pathname === '/');
  assert.match((await page.locator('main h1').textContent()).trim(), /^Overview — /);
});

test('the VI link switches back to Vietnamese', async () => {
  await clickLang('vi');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.deepEqual(await navTexts(), NAV_VI);
  assert.match((await page.locator('main h1').textContent()).trim(), /^Tổng quan địa bàn — /);
  await open(page, '/account');
  assert.equal((await page.locator('main h1').textContent()).trim(), 'Tài khoản của tôi');
  assert.deepEqual(page.problems, []);
});
