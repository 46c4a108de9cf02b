// (b) A wrong password shows the error in Vietnamese and keeps the user on the form.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { env, launch, newPage } from '../lib/browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the login page is in Vietnamese by default', async () => {
  const page = await newPage(browser);
  const res = await page.goto('/login');
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal((await page.locator('main h1').textContent()).trim(), 'Đăng nhập hệ thống');
  assert.equal((await page.locator('label[for="username"]').textContent()).trim(), 'Tên đăng nhập');
  assert.equal((await page.locator('label[for="password"]').textContent()).trim(), 'Mật khẩu');
  assert.equal(await page.locator('nav#site-nav').count(), 0, 'no navigation before sign-in');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a wrong password shows "Tên đăng nhập hoặc mật khẩu không đúng."', async () => {
  const { accounts } = env();
  const page = await newPage(browser);
  await page.goto('/login');
  await page.locator('#username').fill(accounts.province_officer.username);
  await page.locator('#password').fill('not-the-password');
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('main button[type="submit"]').click(),
  ]);
  assert.equal(res.status(), 401);
  assert.equal(new URL(page.url()).pathname, '/login');
  const alert = page.locator('main .flash--error[role="alert"]');
  assert.equal((await alert.textContent()).trim(), 'Tên đăng nhập hoặc mật khẩu không đúng.');
  assert.equal(await page.locator('#username').inputValue(), accounts.province_officer.username, 'the username is kept');
  assert.equal(await page.locator('#password').inputValue(), '', 'the password is not echoed');
  // Still signed out.
  await page.goto('/');
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.context().close();
});
