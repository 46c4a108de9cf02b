// (i) A person's timeline: an officer records a measure and a service from the person's
// page and sees both on the timeline, with the law that applies and the planned end; a
// service dated in the future is refused at its field. axe-core on the forms and the page.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeSeriousViolations, launch, login, newPage, open, settle } from '../lib/browser.mjs';

let browser;
let page;
let personPath;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await login(page, 'province_officer');
});
after(async () => {
  await browser?.close();
});

async function submit(formAction) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(`main form[action="${formAction}"] button[type="submit"]`).first().click(),
  ]);
  await settle(page);
  return res;
}

async function follow(selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).click()]);
  await settle(page);
}

test('a new record has an empty timeline and the buttons to add to it', async () => {
  await open(page, '/persons/new');
  await page.locator('#full_name').fill('Hoàng Văn Dòng Thời Gian');
  await page.locator('#id_number').fill('051092034567');
  await page.locator('#sex').selectOption('male');
  await page.locator('#birth_year').fill('1992');
  await page.locator('#residence_unit').fill('23293');
  const res = await submit('/persons');
  assert.equal(res.status(), 200);
  personPath = new URL(page.url()).pathname;
  assert.match(personPath, /^\/persons\/\d+$/);
  assert.equal((await page.locator('main #timeline').textContent()).trim(), 'Diễn biến quản lý');
  assert.equal((await page.locator('main .empty').first().textContent()).trim(), 'Không có.');
});

test('a measure recorded from the form shows on the timeline with its law and planned end', async () => {
  await follow(`main a[href="${personPath}/episodes/new"]`);
  assert.deepEqual(await axeSeriousViolations(page), []);
  await page.locator('#kind').selectOption('user_management');
  await page.locator('#decision_number').fill('21/QĐ-UBND');
  await page.locator('#decision_date').fill('2026-07-01');
  await page.locator('#signer').fill('Chủ tịch UBND phường');
  await page.locator('#start_on').fill('2026-07-01');
  const res = await submit(`${personPath}/episodes`);
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, personPath);
  assert.equal((await page.locator('main .flash--success').textContent()).trim().replace(/×$/, '').trim(), 'Đã thêm biện pháp.');
  const row = page.locator('main table.timeline tr.timeline-episode');
  assert.equal(await row.count(), 1);
  const text = await row.textContent();
  assert.match(text, /Quản lý người sử dụng trái phép chất ma túy/);
  assert.match(text, /120\/2025\/QH15/);
  assert.match(text, /Dự kiến kết thúc: 01\/07\/2027/);
});

test('a service in the future is refused at its field; a past one joins the timeline', async () => {
  await follow(`main a[href="${personPath}/services/new"]`);
  await page.locator('#kind').selectOption('counselling');
  // The date input's max stops a browser user; the server refuses it all the same.
  await page.locator('#provided_on').evaluate((el) => el.removeAttribute('max'));
  await page.locator('#provided_on').fill('2099-01-01');
  await page.locator('#provider').fill('Trạm y tế phường Kon Tum');
  let res = await submit(`${personPath}/services`);
  assert.equal(res.status(), 422);
  assert.equal(await page.locator('#provided_on').getAttribute('aria-invalid'), 'true');
  assert.equal((await page.locator('#provided_on-err').textContent()).trim(), 'Ngày không được ở tương lai.');
  assert.equal(await page.locator('#provider').inputValue(), 'Trạm y tế phường Kon Tum');
  await page.locator('#provided_on').fill('2026-07-15');
  res = await submit(`${personPath}/services`);
  assert.equal(res.status(), 200);
  const service = page.locator('main table.timeline tr.timeline-service');
  assert.equal(await service.count(), 1);
  assert.match(await service.textContent(), /Tư vấn.*Trạm y tế phường Kon Tum/s);
  assert.equal(await page.locator('main table.timeline tr.timeline-episode').count(), 1);
  assert.deepEqual(await axeSeriousViolations(page), []);
  assert.deepEqual(page.problems.filter((p) => !/status of 422/.test(p)), []);
});
