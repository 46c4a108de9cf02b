// (h) Drug sites end to end, as a commune officer of Phường Kon Tum clicks through them:
// record a site, correct it, take it to monitoring with a photo attached to a step,
// record an incident next to it and decide the re-formation alert it raises, link a
// person by identity number; then the administrator sets the site parameters.
// axe-core checks each new page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeSeriousViolations, launch, login, newPage, open, settle } from '../lib/browser.mjs';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

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

describe('a commune officer', () => {
  let page;
  let siteUrl;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'commune_officer');
  });
  after(async () => {
    await page?.context().close();
  });

  test('records a site through the form', async () => {
    await open(page, '/sites');
    await Promise.all([page.waitForNavigation(), page.locator('main a[href="/sites/new"]').first().click()]);
    await settle(page);
    await noSeriousViolations(page);
    await page.locator('#kind').selectOption('point');
    await page.locator('#name').fill('Điểm kiểm thử trình duyệt');
    await page.locator('#unit').fill('23293');
    await page.locator('#lat').fill('14,3701');
    await page.locator('#lon').fill('108,0302');
    await page.locator('#state').selectOption('listed');
    await page.locator('#on').fill('2025-10-01');
    const res = await submit(page, 'main form[action="/sites"]');
    assert.equal(res.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/sites\/\d+$/);
    siteUrl = new URL(page.url()).pathname;
    assert.equal((await page.locator('main h1').textContent()).trim(), 'Điểm kiểm thử trình duyệt');
  });

  test('corrects it; the state is unchanged', async () => {
    await Promise.all([page.waitForNavigation(), page.locator(`main a[href="${siteUrl}/edit"]`).click()]);
    await settle(page);
    await noSeriousViolations(page);
    assert.equal(await page.locator('#state').count(), 0, 'no first-state field when editing');
    await page.locator('#name').fill('Điểm kiểm thử (đã sửa)');
    await page.locator('#address').fill('Tổ 3');
    await submit(page, `main form[action="${siteUrl}/edit"]`);
    assert.equal(new URL(page.url()).pathname, siteUrl);
    assert.equal(await flash(page), 'Đã cập nhật thông tin điểm.');
    assert.equal((await page.locator('main h1').textContent()).trim(), 'Điểm kiểm thử (đã sửa)');
  });

  test('takes it to monitoring, with a photo on the elimination step', async () => {
    const steps = [
      ['under_action', '2025-11-01', null],
      ['eliminated', '2026-02-01', PNG],
      ['monitoring', '2026-02-02', null],
    ];
    for (const [to, on, file] of steps) {
      await page.locator('#to').selectOption(to);
      await page.locator('#step-on').fill(on);
      await page.locator('#step-note').fill(`bước ${to}`);
      if (file) {
        await page.locator('#step-files').setInputFiles({ name: 'hien-truong.png', mimeType: 'image/png', buffer: file });
      }
      await submit(page, `main form[action="${siteUrl}/transitions"]`);
      assert.equal(await flash(page), 'Đã chuyển trạng thái.');
    }
    const link = page.locator('main .attachments a').first();
    assert.equal((await link.textContent()).trim(), 'hien-truong.png');
    const href = await link.getAttribute('href');
    const res = await page.request.get(href);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'image/png');
    assert.match(res.headers()['content-disposition'], /^attachment/);
    assert.deepEqual(Buffer.from(await res.body()), PNG);
  });

  test('finds its checks on the checks page', async () => {
    await open(page, '/sites/checks');
    assert.equal(await page.locator(`main a[href="${siteUrl}"]`).count() > 0, true, 'the site has pending checks');
    assert.ok((await page.locator('main .badge--off-track').count()) > 0, 'overdue checks are flagged');
    await noSeriousViolations(page);
  });

  test('records an incident next to it and accepts the alert it raises', async () => {
    await open(page, '/incidents');
    await noSeriousViolations(page);
    await page.locator('#i-kind').selectOption('syringe_find');
    await page.locator('#i-date').fill('2026-03-05');
    await page.locator('#i-lat').fill('14.3705');
    await page.locator('#i-lon').fill('108.0302');
    await submit(page, 'main form[method="post"][action="/incidents"]');
    assert.match(await flash(page), /gần một điểm đã triệt xóa/);
    const alertLink = page.locator(`main a[href="${siteUrl}#alerts"]`);
    assert.equal(await alertLink.count(), 1, 'the open alert is listed');
    await Promise.all([page.waitForNavigation(), alertLink.click()]);
    await settle(page);
    const row = page.locator('main #alerts + p + .table-wrap tbody tr').first();
    assert.equal((await row.locator('.badge').textContent()).trim(), 'Chưa xử lý');
    // A dismissal needs a reason.
    await Promise.all([page.waitForNavigation(), row.locator('button[value="dismiss"]').click()]);
    await settle(page);
    assert.match(await page.locator('.flash--error').textContent(), /cần ghi lý do/);
    const again = page.locator('main #alerts + p + .table-wrap tbody tr').first();
    await again.locator('input[name="note"]').fill('Sẽ kiểm tra lại địa điểm');
    await Promise.all([page.waitForNavigation(), again.locator('button[value="accept"]').click()]);
    await settle(page);
    assert.equal(await flash(page), 'Đã ghi nhận quyết định về cảnh báo.');
    const decided = page.locator('main #alerts + p + .table-wrap tbody tr').first();
    assert.equal((await decided.locator('.badge').textContent()).trim(), 'Đã xác nhận');
    await noSeriousViolations(page);
  });

  test('links a person by identity number', async () => {
    await open(page, '/persons/new');
    await page.locator('#full_name').fill('Đinh Văn Liên Kết');
    await page.locator('#id_number').fill('051090077123');
    await page.locator('#sex').selectOption('male');
    await page.locator('#birth_year').fill('1990');
    await page.locator('#residence_unit').fill('23293');
    await submit(page, 'main form[action="/persons"]');
    const personPath = new URL(page.url()).pathname;
    assert.match(personPath, /^\/persons\/\d+$/);
    await open(page, siteUrl);
    // A wrong number is answered on the page, nothing linked.
    await page.locator('#link-id').fill('123');
    await submit(page, `main form[action="${siteUrl}/persons"]`);
    assert.match(await page.locator('.flash--error').textContent(), /12 chữ số/);
    await page.locator('#link-id').fill('051090077123');
    await page.locator('#link-role').selectOption('dealer');
    await submit(page, `main form[action="${siteUrl}/persons"]`);
    assert.equal(await flash(page), 'Đã liên kết đối tượng.');
    const linked = page.locator(`main .linked-list a[href="${personPath}"]`);
    assert.equal(await linked.count(), 1);
    assert.doesNotMatch(await page.locator('main').textContent(), /Đinh Văn Liên Kết/, 'no names on the site page');
  });
});

describe('the administrator', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'admin');
  });
  after(async () => {
    await page?.context().close();
  });

  test('sets the site parameters from a date; an impossible value is refused', async () => {
    await open(page, '/admin/parameters');
    await noSeriousViolations(page);
    await page.locator('#check_interval_months').fill('24');
    const bad = await submit(page, 'main form[action="/admin/parameters"]');
    assert.equal(bad.status(), 422);
    assert.equal(await page.locator('#sites-history tbody tr').count(), 0, 'nothing stored');
    await page.locator('#check_interval_months').fill('1');
    await page.locator('#reformation_radius_m').fill('250');
    await page.locator('#note').fill('Quyết định thử nghiệm');
    await submit(page, 'main form[action="/admin/parameters"]');
    assert.equal(await flash(page), 'Đã lưu tham số.');
    assert.equal(await page.locator('#reformation_radius_m').inputValue(), '250');
    assert.match(await page.locator('#sites-history tbody tr').first().textContent(), /Quyết định thử nghiệm/);
  });
});
