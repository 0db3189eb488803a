import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '@qenex/engine';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { axeViolations, demoWorkstation, launchBrowser, shot } from './support';

const widths = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * axe-core on every main screen, at desktop width and at a phone's (390 px): no serious or critical
 * violation. And a deposit done with the keyboard alone, from sign-in to the booked deposit.
 */
describe('the workstation’s screens are accessible and keyboard-first', () => {
  let t: TestServer;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let amaraNumber = '';

  beforeAll(async () => {
    t = await startTestServer();
    ws = await demoWorkstation(t, t.url, { syncIntervalMs: 2000 });
    const olivia = await t.signIn('olivia');
    const customers = (await t.request('GET', '/api/v1/customers', { token: olivia })).body as Array<{ id: string; fullName: string }>;
    const amara = customers.find((c) => c.fullName.startsWith('Amara'))!;
    const detail = (await t.request('GET', `/api/v1/customers/${amara.id}`, { token: olivia })).body;
    amaraNumber = detail.accounts.find((a: { productId: string }) => a.productId === 'CURRENT-USD').number;
    // A withdrawal over alice's limit waits for a supervisor: the approvals queue has something in it.
    const alice = await t.signIn('alice');
    const session = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body.session.id;
    const held = await t.request('POST', `/api/v1/till-sessions/${session}/withdrawals`, {
      token: alice,
      body: { transferId: `${Date.now().toString(16).padStart(12, '0')}${'b'.repeat(20)}`, accountId: detail.accounts[0].id, money: { amount: '600000', currency: 'USD' } },
    });
    expect(held.status).toBe(202);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await t?.close();
    await dropTestDatabase();
  });

  async function signedIn(page: Page, username: string): Promise<void> {
    await page.goto(ws.browser.url);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  async function expectAccessible(page: Page, screen: string, width: string): Promise<void> {
    await shot(page, `a11y-${width}-${screen}`);
    const violations = await axeViolations(page);
    expect(violations, `${screen} at ${width} width`).toEqual([]);
  }

  it('would catch a violation: axe in this harness reports a nameless button and an unlabelled field', async () => {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html lang="en"><title>t</title><main><button></button><input></main></html>');
    const ids = (await axeViolations(page)).map((violation) => violation.id).sort();
    expect(ids).toEqual(expect.arrayContaining(['button-name', 'label']));
    await page.close();
  });

  for (const size of widths) {
    it(`has no serious or critical axe violation on any main screen at ${size.name} width (${size.width} px)`, async () => {
      // The page's CSP forbids injected scripts (as it should); axe is injected past it in this context only.
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(ws.browser.url);
      await page.getByRole('heading', { name: 'QENEX Branch Workstation' }).waitFor();
      await expectAccessible(page, 'sign-in', size.name);
      await signedIn(page, 'bob');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await page.getByRole('heading', { name: 'Till' }).waitFor();
      await expectAccessible(page, 'home', size.name);
      await nav.getByRole('button', { name: /^Customers/ }).click();
      await page.locator('.ag-row').first().waitFor();
      await expectAccessible(page, 'customers', size.name);
      await page.locator('.ag-row').first().dblclick();
      await page.getByRole('table', { name: 'Accounts' }).waitFor();
      await page.getByRole('heading', { name: /^Statement/ }).waitFor();
      await expectAccessible(page, 'customer', size.name);
      await nav.getByRole('button', { name: /^Deposit/ }).click();
      await expectAccessible(page, 'deposit', size.name);
      await nav.getByRole('button', { name: /^Approvals/ }).click();
      await page.getByRole('button', { name: /^Approve Cash withdrawal/ }).waitFor();
      await expectAccessible(page, 'approvals', size.name);
      await nav.getByRole('button', { name: /^Till/ }).click();
      await page.getByRole('table', { name: 'Count by denomination' }).waitFor();
      await expectAccessible(page, 'till', size.name);
      await context.close();
    }, 120_000);
  }

  it('takes a deposit with the keyboard alone, from sign-in to the booked deposit', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(ws.browser.url);
    await page.getByRole('heading', { name: 'QENEX Branch Workstation' }).waitFor();
    // The username field has the focus when the screen appears.
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type(demoPassword);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.keyboard.press('Alt+3');
    await page.getByRole('heading', { name: 'Cash deposit' }).waitFor();
    // The account field has the focus; the account is found as it is typed.
    await page.keyboard.type(amaraNumber);
    await page.locator('#first-account-found', { hasText: 'balance' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('125.50');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Check with the customer' }).waitFor();
    // Confirm has the focus on the review: Enter books it.
    await page.keyboard.press('Enter');
    await page.getByText('Cash deposit booked.').waitFor();
    await shot(page, 'keyboard-deposit-booked');
    const olivia = await t.signIn('olivia');
    const customers = (await t.request('GET', '/api/v1/customers', { token: olivia })).body as Array<{ id: string; fullName: string }>;
    const detail = (await t.request('GET', `/api/v1/customers/${customers.find((c) => c.fullName.startsWith('Amara'))!.id}`, { token: olivia })).body;
    const account = (await t.request('GET', `/api/v1/accounts/${detail.accounts.find((a: { productId: string }) => a.productId === 'CURRENT-USD').id}`, { token: olivia })).body;
    expect(account.balances.posted).toBe(String(150000 + 12550));
    await page.close();
  }, 120_000);
});
