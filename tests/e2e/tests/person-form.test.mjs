// (c) The new-person form: a submission with errors shows an inline message at each
// wrong field (and keeps what was typed); a correct one lands on the new record.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, login, newPage, open, settle } from '../lib/browser.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await login(page, 'province_officer');
});
after(async () => {
  await browser?.close();
});

async function submit() {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('main form[action="/persons"] button[type="submit"]').click(),
  ]);
  await settle(page);
  return res;
}

test('the persons list links to the new-person form', async () => {
  await open(page, '/persons');
  await Promise.all([page.waitForNavigation(), page.locator('main .page-actions a[href="/persons/new"]').click()]);
  assert.equal(new URL(page.url()).pathname, '/persons/new');
  assert.equal((await page.locator('main h1').textContent()).trim(), 'Thêm hồ sơ đối tượng');
});

test('errors: empty name and a wrong province code are shown at their fields', async () => {
  await open(page, '/persons/new');
  await page.locator('#full_name').fill('');
  await page.locator('#id_number').fill('999090012345');
  await page.locator('#sex').selectOption('male');
  await page.locator('#birth_year').fill('1990');
  await page.locator('#residence_unit').fill('23293');
  const res = await submit();
  assert.equal(res.status(), 422);
  assert.equal(new URL(page.url()).pathname, '/persons');

  assert.equal(
    (await page.locator('main .form-errors[role="alert"]').textContent()).trim(),
    'Vui lòng sửa các lỗi bên dưới.',
  );
  // Name: required.
  const name = page.locator('#full_name');
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.equal(await name.getAttribute('aria-describedby'), 'full_name-err');
  assert.equal((await page.locator('#full_name-err').textContent()).trim(), 'Trường này là bắt buộc.');
  assert.ok(await page.locator('.field.has-error:has(#full_name)').isVisible());
  // Identity number: the province code 999 does not exist.
  const id = page.locator('#id_number');
  assert.equal(await id.getAttribute('aria-invalid'), 'true');
  const idError = (await page.locator('#id_number-err').textContent()).trim();
  assert.match(idError, /«999» không phải mã tỉnh/);
  // What was typed is kept; the valid fields carry no error.
  assert.equal(await id.inputValue(), '999090012345');
  assert.equal(await page.locator('#sex').inputValue(), 'male');
  assert.equal(await page.locator('#birth_year').inputValue(), '1990');
  assert.equal(await page.locator('#residence_unit').inputValue(), '23293');
  assert.equal(await page.locator('#residence_unit').getAttribute('aria-invalid'), null);
  assert.equal(await page.locator('main .field-error').count(), 2);
});

test('a sex that contradicts the identity number is refused', async () => {
  await page.locator('#full_name').fill('Nguyễn Thị Kiểm Thử');
  await page.locator('#id_number').fill('051090012345');
  await page.locator('#sex').selectOption('female');
  const res = await submit();
  assert.equal(res.status(), 422);
  assert.match((await page.locator('#id_number-err').textContent()).trim(), /giới tính nam, nhưng hồ sơ ghi nữ/);
  assert.equal(await page.locator('main .field-error').count(), 1);
});

test('a correct form lands on the new record', async () => {
  await page.locator('#full_name').fill('Nguyễn Văn Kiểm Thử');
  await page.locator('#id_number').fill('051090012345');
  await page.locator('#sex').selectOption('male');
  await page.locator('#birth_year').fill('1990');
  await page.locator('#residence_unit').fill('23293');
  await page.locator('#address').fill('Tổ 3, phường Kon Tum');
  const res = await submit();
  assert.equal(res.status(), 200);
  assert.match(new URL(page.url()).pathname, /^\/persons\/\d+$/);
  assert.equal((await page.locator('main h1').textContent()).trim(), 'Nguyễn Văn Kiểm Thử');
  assert.equal((await page.locator('main .flash--success').textContent()).trim().replace(/×$/, '').trim(), 'Đã tạo hồ sơ.');
  const details = await page.locator('main dl.details').evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent.trim()] = dt.nextElementSibling.textContent.trim();
    return out;
  });
  assert.equal(details['Số định danh cá nhân / CMND'], '051090012345');
  assert.equal(details['Giới tính'], 'Nam');
  assert.equal(details['Ngày sinh'], '1990');
  assert.equal(details['Nơi cư trú (xã, phường)'], 'Phường Kon Tum');
  assert.equal(details['Địa chỉ'], 'Tổ 3, phường Kon Tum');
  assert.deepEqual(page.problems.filter((p) => !/status of 422/.test(p)), []);
});
