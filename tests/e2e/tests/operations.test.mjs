// (i) Operations as users click through them:
//   - an anonymous citizen follows the login page's link to the tip form, sends a tip with a
//     follow-up code, and looks the tip up at /tip/status with that code;
//   - an escalation: a commune officer raises it, the province officer forwards it to the
//     People's Committee, a leader decides it, and the commune officer sees the decision and
//     a notification.
// axe-core checks the tip and escalation pages; no page may log a console error (a CSP
// violation from an inline style or script would be one).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeSeriousViolations, env, launch, login, newPage, open, settle } from '../lib/browser.mjs';

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

function flash(page) {
  return page.locator('.flash p').first().textContent().then((t) => t.trim());
}

// A deliberately refused submission answers 4xx, which chromium logs as a failed load of
// the page: drop that one entry, so any other console error still fails the test.
function refused(page, status) {
  const logged = page.problems.filter((p) => p.includes(`status of ${status} `));
  assert.equal(logged.length, 1, `the refusal answered ${status}`);
  page.problems.splice(page.problems.indexOf(logged[0]), 1);
}

function noProblems(page) {
  assert.deepEqual(page.problems, [], 'console errors, exceptions or failed requests');
}

describe('an anonymous citizen', () => {
  let page;
  let code;
  before(async () => {
    page = await newPage(browser);
  });
  after(async () => {
    await page?.context().close();
  });

  test('opens the tip form from the login page, without signing in', async () => {
    await open(page, '/login');
    await Promise.all([page.waitForNavigation(), page.locator('main a[href="/tip"]').first().click()]);
    await settle(page);
    assert.equal(new URL(page.url()).pathname, '/tip');
    assert.equal((await page.locator('main h1').textContent()).trim(), 'Gửi tin báo về ma túy');
    await noSeriousViolations(page);
    noProblems(page);
  });

  test('sends a tip and is shown a follow-up code once', async () => {
    const { accounts } = env();
    const commune = accounts.commune_officer.unitCode;
    const option = page.locator(`#tip-unit option[value="${commune}"]`);
    if ((await option.count()) > 0) {
      await page.locator('#tip-unit').selectOption(commune);
    } else {
      await page.locator('#tip-unit').selectOption({ index: 1 });
    }
    await page.locator('#tip-address').fill('Gần chợ, tổ 4');
    await page.locator('#tip-text').fill('Có người tụ tập sử dụng ma túy vào buổi tối <script>alert(1)</script>');
    await page.locator('input[name="follow_up"]').check();
    const res = await submit(page, 'main form#tip-form');
    assert.equal(res.status(), 200);
    assert.equal(await flash(page), 'Cảm ơn bạn. Tin báo đã được chuyển tới Công an xã và Công an tỉnh.');
    code = (await page.locator('#follow-up-code').textContent()).trim();
    assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await noSeriousViolations(page);
    noProblems(page);
  });

  test('looks the tip up with the code; a wrong code is answered on the page', async () => {
    await Promise.all([page.waitForNavigation(), page.locator('main a[href="/tip/status"]').first().click()]);
    await settle(page);
    await noSeriousViolations(page);
    await page.locator('#tip-code').fill('AAAA-AAAA-AAAA');
    await submit(page, 'main form[action="/tip/status"]');
    assert.match(await page.locator('.flash--error').textContent(), /Không có tin báo nào với mã này/);
    refused(page, 404);
    assert.equal(await page.locator('#tip-status').count(), 0);
    await page.locator('#tip-code').fill(code);
    await submit(page, 'main form[action="/tip/status"]');
    assert.equal((await page.locator('#tip-status').textContent()).trim(), 'Đã nhận, đang chờ xem xét');
    await noSeriousViolations(page);
    noProblems(page);
  });
});

describe('an escalation', () => {
  const title = 'Thiếu kinh phí xét nghiệm nhanh (kiểm thử trình duyệt)';
  const decision = 'Đồng ý bổ sung kinh phí từ nguồn dự phòng của tỉnh.';
  let path;

  async function as(role, fn) {
    const page = await newPage(browser);
    try {
      await login(page, role);
      await fn(page);
      noProblems(page);
    } finally {
      await page.context().close();
    }
  }

  async function takeStep(page, step, note) {
    await open(page, path);
    await noSeriousViolations(page);
    await page.locator('#s-step').selectOption(step);
    await page.locator('#s-note').fill(note);
    await submit(page, `main form[action="${path}/steps"]`);
    assert.equal(new URL(page.url()).pathname, path);
    assert.equal(await flash(page), 'Đã ghi nhận bước xử lý.');
  }

  test('a commune officer raises it with the provincial police', async () => {
    await as('commune_officer', async (page) => {
      await open(page, '/escalations');
      await noSeriousViolations(page);
      await page.locator('#e-title').fill(title);
      await page.locator('#e-body').fill('Xã không còn que thử nhanh; đề nghị tỉnh hỗ trợ kinh phí mua bổ sung.');
      await submit(page, 'main form#raise-form');
      path = new URL(page.url()).pathname;
      assert.match(path, /^\/escalations\/\d+$/);
      assert.equal(await flash(page), 'Đã gửi kiến nghị tới Công an tỉnh.');
      assert.match((await page.locator('main h1').textContent()).trim(), /Thiếu kinh phí xét nghiệm nhanh/);
      assert.equal((await page.locator('#escalation-state').textContent()).trim(), 'Đang ở Công an tỉnh');
      assert.equal(await page.locator('#step-form').count(), 0, 'the raiser cannot answer it');
      await noSeriousViolations(page);
    });
  });

  test('the province officer forwards it to the People\'s Committee', async () => {
    await as('province_officer', async (page) => {
      await open(page, '/escalations');
      assert.equal(await page.locator(`main a[href="${path}"]`).count() > 0, true, 'listed for the province');
      await takeStep(page, 'forward', 'Vượt thẩm quyền Công an tỉnh; đề nghị UBND tỉnh quyết định kinh phí.');
      assert.equal((await page.locator('#escalation-state').textContent()).trim(), 'Đang ở UBND tỉnh');
      await noSeriousViolations(page);
    });
  });

  test('a leader decides it', async () => {
    await as('leader', async (page) => {
      // A decision without its content is refused with a clear message, nothing written.
      await open(page, path);
      await page.locator('#s-step').selectOption('decide');
      await submit(page, `main form[action="${path}/steps"]`);
      assert.match(await page.locator('.flash--error').textContent(), /cần ghi nội dung/);
      refused(page, 409);
      await takeStep(page, 'decide', decision);
      assert.equal((await page.locator('#escalation-state').textContent()).trim(), 'Đã có quyết định');
      assert.equal(await page.locator('#step-form').count(), 0, 'a decided escalation takes no more steps');
    });
  });

  test('the commune officer sees the decision and a notification', async () => {
    await as('commune_officer', async (page) => {
      await open(page, path);
      assert.equal((await page.locator('#escalation-state').textContent()).trim(), 'Đã có quyết định');
      assert.equal((await page.locator('#escalation-decision').textContent()).trim(), decision);
      assert.ok((await page.locator('#header-notifications .notif-count').count()) > 0, 'the header counts unread');
      await noSeriousViolations(page);
      await Promise.all([page.waitForNavigation(), page.locator('#header-notifications').click()]);
      await settle(page);
      assert.equal(new URL(page.url()).pathname, '/notifications');
      const row = page.locator('main tbody tr', { has: page.locator(`a[href="${path}"]`) });
      assert.equal(await row.count(), 1, 'one notification about this escalation');
      assert.match(await row.textContent(), /Kiến nghị đã có quyết định/);
      assert.equal(await row.locator('.badge--new').count(), 1, 'unread');
      await noSeriousViolations(page);
      await Promise.all([page.waitForNavigation(), row.locator('button[type="submit"]').click()]);
      await settle(page);
      const read = page.locator('main tbody tr', { has: page.locator(`a[href="${path}"]`) });
      assert.equal(await read.locator('.badge--new').count(), 0, 'marked read');
    });
  });
});
