// (a) Each of the six roles signs in through the login form, sees exactly the navigation
// it may open, opens every item (status 200, an h1, no console errors), is refused the
// pages it does not see, and signs out.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES, launch, login, logout, navLinks, newPage, open, settle } from '../lib/browser.mjs';

/** Every page of the navigation, and who may open it. A work area added later shows up as
 *  an unknown item: it is still opened and checked, and reported as a diagnostic until it
 *  is listed here (then its absence for the other roles is checked too). */
const PAGES = [
  { href: '/', id: 'dashboard', roles: ['admin', 'province_officer', 'commune_officer', 'leader', 'partner'] },
  { href: '/persons', id: 'persons', roles: ['province_officer', 'commune_officer'] },
  { href: '/persons/work', id: 'persons_work', roles: ['province_officer', 'commune_officer'] },
  { href: '/persons/incoming', id: 'persons_incoming', roles: ['province_officer', 'commune_officer'] },
  { href: '/persons/statistics', id: 'persons_stats', roles: ['admin', 'province_officer', 'commune_officer', 'leader', 'partner'] },
  { href: '/sites', id: 'sites', roles: ['province_officer', 'commune_officer', 'leader'] },
  { href: '/reports', id: 'reports', roles: ['province_officer', 'commune_officer', 'leader', 'partner'] },
  { href: '/analytics', id: 'analytics', roles: ['province_officer', 'commune_officer', 'leader'] },
  { href: '/analytics/signals', id: 'analytics_signals', roles: ['province_officer', 'commune_officer', 'leader'] },
  { href: '/units', id: 'units', roles: ['admin', 'province_officer', 'commune_officer', 'leader', 'partner'] },
  { href: '/admin/users', id: 'users', roles: ['admin'] },
  { href: '/audit', id: 'audit', roles: ['admin', 'auditor'] },
  { href: '/account', id: 'account', roles: ROLES },
];

// Known server bug, reported: after sign-in everyone is sent to "/", which the auditor may
// not open (403 error page without navigation or sign-out button).
// Roles whose landing page is known to be broken (none: "/" sends a role without the
// dashboard to the first page it may open).
const LANDING_TODO = {};

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const role of ROLES) {
  describe(`role ${role}`, () => {
    const allowed = PAGES.filter((p) => p.roles.includes(role));
    const refused = PAGES.filter((p) => !p.roles.includes(role));
    let page;
    let landing;

    before(async () => {
      page = await newPage(browser);
      landing = await login(page, role);
      await settle(page);
    });
    after(async () => {
      await page?.context().close();
    });

    test('signs in through the login form and lands on a page it may open', { todo: LANDING_TODO[role] ?? false }, async () => {
      assert.notEqual(new URL(page.url()).pathname, '/login');
      assert.equal(landing.status(), 200, `landing page ${page.url()} answered ${landing.status()}`);
      await assert.doesNotReject(page.locator('nav#site-nav').waitFor({ timeout: 2000 }));
    });

    test('the navigation shows exactly what the role may open', async (t) => {
      await open(page, '/account');
      const links = await navLinks(page);
      const known = new Set(PAGES.map((p) => p.href));
      assert.deepEqual(
        links.map((l) => l.href).filter((h) => known.has(h)),
        allowed.map((p) => p.href),
      );
      for (const l of links) {
        assert.ok(l.text.length > 0, `empty link text for ${l.href}`);
        if (!known.has(l.href)) t.diagnostic(`navigation item not in PAGES yet: ${l.href} (${l.text})`);
      }
    });

    test('every navigation item opens: status 200, an h1, no console errors', async () => {
      await open(page, '/account');
      const items = (await navLinks(page)).map((l) => l.href);
      for (const item of items.map((href) => PAGES.find((p) => p.href === href) ?? { href })) {
        page.problems.length = 0;
        const link = page.locator(`nav#site-nav a[href="${item.href}"]`);
        const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
        await settle(page);
        assert.equal(res.status(), 200, `${item.href} answered ${res.status()}`);
        assert.equal(new URL(page.url()).pathname, item.href);
        const h1 = page.locator('main h1');
        assert.equal(await h1.count(), 1, `${item.href}: exactly one h1`);
        assert.ok((await h1.textContent()).trim().length > 0, `${item.href}: empty h1`);
        assert.equal(
          await page.locator('nav#site-nav a[aria-current="page"]').getAttribute('href'),
          item.href,
          `${item.href}: the nav marks the current page`,
        );
        assert.deepEqual(page.problems, [], `${item.href}: console errors`);
      }
    });

    test('pages outside the navigation are refused', async () => {
      for (const item of refused) {
        const res = await page.goto(item.href);
        if (item.href === '/') {
          // "/" is where sign-in lands: a role without the dashboard is sent on to a page
          // it may open instead of being refused.
          assert.notEqual(new URL(page.url()).pathname, '/', `${role} stayed on /`);
          assert.equal(res.status(), 200, `/ led ${role} to ${page.url()} (${res.status()})`);
          continue;
        }
        assert.equal(res.status(), 403, `${item.href} answered ${res.status()} for ${role}`);
      }
    });

    test('signs out with the header button', async () => {
      await open(page, '/account');
      await logout(page);
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(await page.locator('nav#site-nav').count(), 0);
      const res = await page.goto('/account');
      assert.equal(new URL(page.url()).pathname, '/login', `after sign-out /account went to ${page.url()} (${res.status()})`);
    });
  });
}
