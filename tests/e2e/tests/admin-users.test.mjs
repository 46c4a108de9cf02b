// (f) Confirmation before a destructive action: "Khóa tài khoản" on /admin/users asks
// first; dismissing the dialog leaves the account as it was, accepting disables it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { env, launch, login, newPage, open, settle } from '../lib/browser.mjs';

const CONFIRM = 'Khóa tài khoản này? Mọi phiên đăng nhập sẽ kết thúc.';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await login(page, 'admin');
  await open(page, '/admin/users');
});
after(async () => {
  await browser?.close();
});

const row = (username) => page.locator('main table tbody tr').filter({ has: page.locator(`td:first-child:text-is("${username}")`) });

test('dismissing the confirmation leaves the account active', async () => {
  const { accounts } = env();
  const target = row(accounts.partner.username);
  assert.equal(await target.count(), 1);
  assert.equal((await target.locator('.badge').textContent()).trim(), 'Đang hoạt động');
  const button = target.locator('form[action$="/disable"] button');
  assert.equal((await button.textContent()).trim(), 'Khóa tài khoản');

  const requests = [];
  page.on('request', (r) => r.method() === 'POST' && requests.push(r.url()));
  const dialog = page.waitForEvent('dialog');
  const click = button.click();
  const d = await dialog;
  assert.equal(d.type(), 'confirm');
  assert.equal(d.message(), CONFIRM);
  await d.dismiss();
  await click;
  await page.waitForTimeout(500);
  assert.deepEqual(requests, [], 'nothing was sent');
  assert.equal(new URL(page.url()).pathname, '/admin/users');
  assert.equal((await target.locator('.badge').textContent()).trim(), 'Đang hoạt động');
  await page.reload();
  assert.equal((await row(accounts.partner.username).locator('.badge').textContent()).trim(), 'Đang hoạt động');
});

test('accepting the confirmation disables the account (on a throw-away account)', async () => {
  // A new account, so the demo accounts stay usable for the other tests.
  await page.locator('#username').fill('e2e.tam');
  await page.locator('#display_name').fill('Tài khoản thử nghiệm');
  await page.locator('#role').selectOption('partner');
  await page.locator('#unit').fill('51');
  await Promise.all([page.waitForNavigation(), page.locator('main form[action="/admin/users"] button[type="submit"]').click()]);
  await settle(page);
  assert.equal(await row('e2e.tam').count(), 1, 'the account was created');

  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForNavigation(), row('e2e.tam').locator('form[action$="/disable"] button').click()]);
  await settle(page);
  assert.equal((await row('e2e.tam').locator('.badge').textContent()).trim(), 'Đã khóa');
  assert.equal(await row('e2e.tam').locator('form[action$="/enable"] button').count(), 1);
  assert.deepEqual(page.problems, []);
});
