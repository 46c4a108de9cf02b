// (j) Periodic reports as users click through them, on the demo's reports:
//   - the commune officer opens its November draft from the navigation, sees an unknown
//     placeholder refused on the page, saves the narrative and submits the report;
//   - the province officer returns it with a reason, opens the issued 2025 annual report,
//     recomputes it (the frozen figures stay, a comparison is shown) and downloads both files;
//   - the leader approves the province's October report;
//   - the partner sees the issued report only.
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

async function click(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).first().click()]);
  await settle(page);
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

async function status(page) {
  return (await page.locator('#report-status').textContent()).trim();
}

describe('periodic reports', () => {
  let draft;

  test('the commune officer edits and submits its draft', async () => {
    await as('commune_officer', async (page) => {
      await open(page, '/');
      assert.ok((await navLinks(page)).some((l) => l.href === '/reports' && l.text === 'Báo cáo định kỳ'), 'nav entry');
      await open(page, '/reports');
      assert.equal((await page.locator('main h1').textContent()).trim(), 'Báo cáo định kỳ');
      await noSeriousViolations(page);
      await click(page, 'main table.reports tr:has-text("2026-11") a');
      draft = new URL(page.url()).pathname;
      assert.equal(await status(page), 'Dự thảo');
      await noSeriousViolations(page);
      await page.locator('#n-danh_gia').fill('Có {ho_ten} trong báo cáo');
      await click(page, '#narratives-form button[type="submit"]');
      assert.match(await page.locator('.flash--error').textContent(), /ho_ten/);
      refused(page, 422);
      await page.locator('#n-danh_gia').fill('Tháng này còn {sites_active} điểm, tụ điểm (kiểm thử trình duyệt).');
      await click(page, '#narratives-form button[type="submit"]');
      assert.equal(new URL(page.url()).pathname, draft);
      assert.match(await page.locator('main').textContent(), /Xem trước: Tháng này còn \d+ điểm/);
      // The template leaves "phương hướng" to the author: it must be written before submitting.
      await page.locator('#n-phuong_huong').fill('Tiếp tục rà soát các tổ dân phố còn lại (kiểm thử trình duyệt).');
      await click(page, '#narratives-form button[type="submit"]');
      assert.equal(new URL(page.url()).pathname, draft);
      await click(page, 'button[data-step="submit"]');
      assert.equal(await status(page), 'Đã trình');
      assert.equal(await page.locator('#narratives-form').count(), 0, 'no edit once submitted');
    });
  });

  test('the province officer returns it, recomputes an issued report and downloads it', async () => {
    await as('province_officer', async (page) => {
      await open(page, draft);
      await page.locator('#reason').fill('Bổ sung số liệu tuyên truyền (kiểm thử trình duyệt).');
      await click(page, 'button[data-step="return"]');
      assert.equal(await status(page), 'Trả lại');
      assert.match(await page.locator('#return-reason').textContent(), /Bổ sung số liệu/);
      await open(page, '/reports?status=issued');
      await click(page, 'main table.reports a');
      assert.equal(await status(page), 'Đã ban hành');
      assert.match(await page.locator('#report-number').textContent(), /^1\/BC-CAT$/);
      await noSeriousViolations(page);
      await click(page, '#recompute');
      assert.equal(await page.locator('#differences').count(), 1);
      await noSeriousViolations(page);
      for (const [id, type] of [['#dl-xlsx', 'spreadsheetml'], ['#dl-docx', 'wordprocessingml']]) {
        const href = await page.locator(id).getAttribute('href');
        const res = await page.request.get(href);
        assert.equal(res.status(), 200, href);
        assert.match(res.headers()['content-type'], new RegExp(type));
        assert.ok((await res.body()).length > 2000, `${href} has content`);
      }
    });
  });

  test('the leader approves the province\'s October report', async () => {
    await as('leader', async (page) => {
      await open(page, '/reports?status=submitted');
      await click(page, 'main table.reports tr:has-text("2026-10") a');
      assert.equal(await page.locator('button[data-step="approve"]').count(), 1);
      await noSeriousViolations(page);
      await click(page, 'button[data-step="approve"]');
      assert.equal(await status(page), 'Đã duyệt');
    });
  });

  test('the partner sees issued reports only', async () => {
    await as('partner', async (page) => {
      await open(page, '/reports');
      const rows = await page.locator('main table.reports tbody tr').count();
      assert.equal(rows, 1, 'only the issued annual report');
      assert.equal(await page.locator('#new').count(), 0, 'a partner does not draft');
      await noSeriousViolations(page);
    });
  });
});
