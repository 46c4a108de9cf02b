// (i) Plans and tasks as users click through them:
//   - the commune officer opens KH 3220 from the navigation, finds the task of its commune,
//     sees a bad percent refused on the page, then reports progress and sees it recorded;
//   - the province officer sees the report on the task and the late tasks of the demo.
// axe-core checks every page; no page may log a console error.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeSeriousViolations, launch, login, navLinks, newPage, open, settle } from '../lib/browser.mjs';

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

function refused(page, status) {
  const logged = page.problems.filter((p) => p.includes(`status of ${status} `));
  assert.equal(logged.length, 1, `the refusal answered ${status}`);
  page.problems.splice(page.problems.indexOf(logged[0]), 1);
}

async function as(role, fn) {
  const page = await newPage(browser);
  try {
    await login(page, role);
    await fn(page);
    assert.deepEqual(page.problems, [], 'console errors, exceptions or failed requests');
  } finally {
    await page.context().close();
  }
}

describe('a task of KH 3220', () => {
  const text = 'Đã rà soát xong 11/12 tổ dân phố (kiểm thử trình duyệt).';
  let path;

  test('the commune officer reports progress on its commune\'s task', async () => {
    await as('commune_officer', async (page) => {
      await open(page, '/');
      assert.ok((await navLinks(page)).some((l) => l.href === '/plans' && l.text === 'Kế hoạch'), 'nav entry');
      await open(page, '/plans');
      assert.equal((await page.locator('main h1').textContent()).trim(), 'Kế hoạch');
      await noSeriousViolations(page);
      await Promise.all([page.waitForNavigation(), page.locator('main a', { hasText: '3220/KH-UBND' }).first().click()]);
      await settle(page);
      assert.equal(await page.locator('main table.targets tbody tr').count(), 7, 'T1–T6 (two lines for T6)');
      assert.equal(await page.locator('#targets-form').count(), 0, 'a commune officer does not edit targets');
      await noSeriousViolations(page);
      const link = page.locator('main table.tasks a', { hasText: 'Rà soát, thống kê điểm' }).first();
      await Promise.all([page.waitForNavigation(), link.click()]);
      await settle(page);
      path = new URL(page.url()).pathname;
      assert.match(path, /^\/tasks\/\d+$/);
      await noSeriousViolations(page);

      // A percent above 100 is refused with the message on the page, nothing recorded.
      await page.locator('#r-percent').fill('120');
      await page.locator('#r-body').fill(text);
      await submit(page, 'main form#report-form');
      assert.match(await page.locator('.flash--error').textContent(), /Tiến độ phải từ 0 đến 100%/);
      refused(page, 422);

      await page.locator('#r-percent').fill('95');
      await page.locator('#r-body').fill(text);
      await submit(page, 'main form#report-form');
      assert.equal(new URL(page.url()).pathname, path);
      assert.equal((await page.locator('.flash p').first().textContent()).trim(), 'Đã gửi báo cáo tiến độ');
      assert.match((await page.locator('#task-progress').textContent()).trim(), /^95% /);
      assert.ok((await page.locator('main').textContent()).includes(text));
      await noSeriousViolations(page);
    });
  });

  test('the province officer sees the report and the late tasks', async () => {
    await as('province_officer', async (page) => {
      await open(page, path);
      assert.match((await page.locator('#task-progress').textContent()).trim(), /^95% /);
      assert.equal(await page.locator('#supervision-form').count(), 1, 'PC04 reminds and inspects');
      await noSeriousViolations(page);
      await open(page, '/tasks/late');
      assert.equal((await page.locator('main h1').textContent()).trim(), 'Nhiệm vụ trễ hạn');
      assert.ok((await page.locator('main table.tasks tbody tr').count()) >= 2, 'the demo has late tasks');
      await noSeriousViolations(page);
    });
  });
});
