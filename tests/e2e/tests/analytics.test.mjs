// (k) The Analytics page as the commune officer of Phường Kon Tum uses it: run the
// emerging hot spot analysis on the demo incidents, see the hexagons and the density
// drawn on the offline map (from /api/v1/analytics/*), raise the signals with "Tạo gợi ý"
// and dismiss one with a reason. axe-core checks both pages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axeSeriousViolations, launch, login, newPage, open, settle } from '../lib/browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function click(page, selector) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).first().click()]);
  await settle(page);
  return res;
}

async function noSeriousViolations(page) {
  const v = await axeSeriousViolations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.slice(0, 3).join(' | ')}`), [], `axe on ${page.url()}`);
}

describe('the analytics page', () => {
  let page;
  before(async () => {
    page = await newPage(browser);
    await login(page, 'commune_officer');
  });
  after(async () => {
    await page?.context().close();
  });

  test('runs EHSA and draws the hexagons and the density layer', async () => {
    await open(page, '/analytics');
    assert.equal(await page.locator('#analytics-map').count(), 0, 'nothing runs before the button');
    await page.locator('#a-from').fill('2025-06-01');
    await page.locator('#a-to').fill('2026-11-30');
    const res = await click(page, '#analytics-run');
    assert.equal(res.status(), 200);
    assert.match(page.url(), /run_now=1/);
    const map = page.locator('#analytics-map');
    await map.locator('.leaflet-overlay-pane path').first().waitFor({ timeout: 10000 });
    const cells = Number(await map.getAttribute('data-cells'));
    assert.ok(cells > 0, `hexagon cells: ${cells}`);
    const paths = await map.locator('.leaflet-overlay-pane path').count();
    assert.ok(paths >= cells, `SVG paths ${paths} for ${cells} hexagons plus the heat layer`);
    // The legend names the categories in Vietnamese, with no tile request to the internet.
    const legend = await map.locator('.dz-legend').textContent();
    assert.match(legend, /Điểm nóng mới/);
    assert.match(legend, /Không có xu hướng/);
    assert.equal(await page.locator('.leaflet-tile').count(), 0, 'no web tiles');
    assert.equal(await page.locator('#analytics-categories tbody tr').count(), 17);
    assert.deepEqual(page.problems, [], 'console errors');
    await noSeriousViolations(page);
  });

  test('raises signals and dismisses one with a reason', async () => {
    await click(page, '#analytics-raise');
    assert.equal(new URL(page.url()).pathname, '/analytics/signals');
    const open = page.locator('#signal-list li.signal--open');
    const before = await open.count();
    assert.ok(before > 0, 'at least one open signal');
    await noSeriousViolations(page);
    const first = open.first();
    const id = await first.getAttribute('id');
    await first.locator('textarea[name="reason"]').fill('Kiểm tra thực địa: không có tụ tập');
    await click(page, `#${id} button[value="dismiss"]`);
    assert.equal((await page.locator('.flash p').first().textContent()).trim(), 'Đã bỏ qua gợi ý.');
    assert.equal(await page.locator(`#${id}.signal--dismissed`).count(), 1);
    assert.match(await page.locator(`#${id}`).textContent(), /Kiểm tra thực địa/);
    assert.equal(await page.locator('#signal-list li.signal--open').count(), before - 1);
  });
});
