// (e) The dashboard's map (Leaflet over the offline outline of Vietnam, one circle per
// commune, coloured by the chosen indicator), its charts (Chart.js canvases with their
// hidden data tables) and the plan's targets with their status render.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, login, newPage, open } from '../lib/browser.mjs';

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await newPage(browser);
  await login(page, 'leader');
  await open(page, '/');
  // The outline is fetched after the map is built.
  await page.locator('.dz-map.dz-map--outline').waitFor();
});
after(async () => {
  await browser?.close();
});

test('the map is a Leaflet container with one circle per commune', async () => {
  const map = page.locator('main .dz-map');
  assert.equal(await map.count(), 1);
  assert.match(await map.getAttribute('class'), /\bleaflet-container\b/);
  assert.equal(await map.getAttribute('role'), 'region');
  assert.match(await map.getAttribute('aria-label'), /^Bản đồ theo xã, phường: /);
  const box = await map.boundingBox();
  assert.ok(box.width > 300 && box.height > 300, `map box ${JSON.stringify(box)}`);

  const data = JSON.parse(await page.locator('#map-data').textContent());
  const items = data.layers.flatMap((l) => l.items ?? []).filter((i) => Number.isFinite(i.lat) && Number.isFinite(i.lon));
  assert.ok(items.length > 50, `expected the province's communes on the map, got ${items.length}`);
  const circles = await map.locator('.leaflet-overlay-pane path.leaflet-interactive').count();
  assert.equal(circles, items.length, 'one circle per item');
  // Circles are drawn inside the visible map (the view fits the province).
  const inside = await map.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return [...el.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')].filter((p) => {
      const b = p.getBoundingClientRect();
      return b.width > 0 && b.left >= r.left - 1 && b.right <= r.right + 1 && b.top >= r.top - 1 && b.bottom <= r.bottom + 1;
    }).length;
  });
  assert.ok(inside > items.length / 2, `only ${inside} of ${items.length} circles are in view`);
});

test('the map draws the offline outline of Vietnam and a legend', async () => {
  const map = page.locator('main .dz-map');
  assert.ok((await map.locator('.leaflet-dz-base-pane path').count()) > 0, 'outline paths in the base pane');
  assert.ok((await map.locator('.dz-map-label').count()) >= 2, 'Hoàng Sa and Trường Sa labels');
  const labels = await map.locator('.dz-map-label').allTextContents();
  assert.ok(labels.some((t) => t.includes('Hoàng Sa')) && labels.some((t) => t.includes('Trường Sa')), labels.join(' | '));
  assert.equal(await map.locator('.leaflet-tile').count(), 0, 'no tiles without --tiles-url');
  assert.equal(await map.locator('.dz-map-error').count(), 0);
  assert.equal(await map.locator('.dz-legend').count(), 1);
});

test('the plan\'s targets show their status with the rule on hover', async () => {
  // The current year is judged by the plan in force (the national plan: KH 3220 ended on
  // 14/12/2025), on its territory, said above the cards.
  const cards = page.locator('#targets .kpi');
  assert.ok((await cards.count()) >= 5, 'the targets of the plan in force');
  assert.match(await page.locator('#plan-territory').textContent(), /xã, phường/);
  const badge = page.locator('#targets .badge').first();
  assert.ok((await badge.getAttribute('title')).length > 10, 'the rule is the badge title');
  assert.ok((await page.locator('#by-commune tbody tr').count()) > 50, 'a row per commune');
});

test('choosing another indicator recolours the map and redraws the trend', async () => {
  await page.selectOption('#indicator', 'persons_with_records');
  await Promise.all([page.waitForURL(/indicator=persons_with_records/), page.click('#dash-filters button[type=submit]')]);
  await page.locator('.dz-map.dz-map--outline').waitFor();
  const trend = JSON.parse(await page.locator('#trend-data').textContent());
  assert.equal(trend.series[0].name, 'Người nghiện, người sử dụng trái phép có hồ sơ quản lý');
  assert.ok(trend.series[0].values.some((v) => v > 0), 'the demo has records in some year');
  assert.equal(await page.locator('main .dz-chart-error').count(), 0);
});

test('the chart canvas renders with its hidden data table', async () => {
  const canvas = page.locator('main canvas.dz-chart[data-source="#chart-data"]');
  assert.equal(await canvas.count(), 1);
  assert.equal(await canvas.getAttribute('role'), 'img');
  const info = await canvas.evaluate((c) => {
    // eslint-disable-next-line no-undef
    const chart = window.Chart?.getChart(c);
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return { type: chart?.config.type, labels: chart?.data.labels.length, w: c.width, h: c.height, painted };
  });
  const data = JSON.parse(await page.locator('#chart-data').textContent());
  assert.equal(info.type, 'bar');
  assert.equal(info.labels, data.labels.length);
  assert.ok(info.w > 200 && info.h > 100, `canvas ${info.w}×${info.h}`);
  assert.ok(info.painted > 1000, `only ${info.painted} painted pixels`);
  const table = page.locator('main table.dz-chart-table').last();
  assert.equal(await table.locator('tbody tr').count(), data.labels.length);
  assert.equal(await page.locator('main .dz-chart-error').count(), 0);
});

test('no console errors on the dashboard', async () => {
  assert.deepEqual(page.problems, []);
});
