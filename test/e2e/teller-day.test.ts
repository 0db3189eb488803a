import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '@qenex/engine';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { branchDay, demoWorkstation, launchBrowser, receiptPng, shot, type Link } from './support';

/**
 * A teller's day, end to end: Debian's Chromium drives the browser-mode workstation (the real
 * renderer, bridge, host, SQLite books and sync) against the real server on PostgreSQL, through a
 * link the test cuts and mends. Every screen is saved as a PNG in artifacts/e2e, and the receipt's
 * first page too.
 */
describe('a teller’s day at the branch workstation, in a real browser against the real server', () => {
  let t: TestServer;
  let link: Link;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let page: Page;
  const accounts: Record<string, { id: string; number: string }> = {};

  beforeAll(async () => {
    t = await startTestServer();
    const day = await branchDay(t, '200000');
    link = day.link;
    Object.assign(accounts, day.accounts);
    const linkUrl = day.linkUrl;
    ws = await demoWorkstation(t, linkUrl, { syncIntervalMs: 1000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await link?.close();
    await t?.close();
    await dropTestDatabase();
  });

  async function money(kind: 'Deposit' | 'Withdraw' | 'Transfer' | 'Exchange', first: string, amount: string, second?: string) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${kind}`) }).click();
    await page.getByLabel(second === undefined ? 'Account' : 'From account', { exact: true }).fill(first);
    await expect.poll(() => page.locator('#first-account-found').textContent()).toMatch(/balance/);
    if (second !== undefined) {
      await page.getByLabel('To account', { exact: true }).fill(second);
      await expect.poll(() => page.locator('#second-account-found').textContent()).toMatch(/balance/);
    }
    await page.getByLabel(/^Amount/).fill(amount);
    await page.getByRole('button', { name: /^Review/ }).click();
    await page.getByRole('heading', { name: 'Check with the customer' }).waitFor();
  }

  async function serverBalance(accountId: string): Promise<string> {
    const olivia = await t.signIn('olivia');
    return (await t.request('GET', `/api/v1/accounts/${accountId}`, { token: olivia })).body.balances.posted;
  }

  it('signs in, opens the till, takes deposits, gets a supervisor’s approval, transfers, exchanges, works offline, syncs, prints, closes balanced', async () => {
    await page.goto(ws.browser.url);
    await page.getByRole('heading', { name: 'QENEX Branch Workstation' }).waitFor();
    await shot(page, '01-sign-in');
    await page.getByLabel('Username').fill('tom');
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await expect.poll(() => page.getByRole('status', { name: /Link to the bank: Online/ }).count()).toBe(1);
    await shot(page, '02-home-no-till');

    // Open the till: the float is 20 notes of 100.00.
    await page.getByRole('button', { name: /^Till/ }).click();
    await page.getByLabel('$100.00').fill('20');
    await expect(await page.locator('tfoot').textContent()).toContain('$2,000.00');
    await shot(page, '03-till-open');
    await page.getByRole('button', { name: 'Open till' }).click();
    await page.getByText('Till open.').waitFor();

    // A deposit within tom's limit books at once; the receipt is printed.
    await money('Deposit', accounts.Amara!.number, '4000.00');
    await page.getByText('Within your limits: it books at once.').waitFor();
    await shot(page, '04-deposit-review');
    await page.getByRole('button', { name: /^Confirm deposit/ }).click();
    await page.getByText('Cash deposit booked.').waitFor();
    const depositReference = (await page.locator('.done code').first().textContent())!;
    await page.getByRole('button', { name: 'Print receipt' }).click();
    await page.getByText('Receipt ready.').waitFor();
    await shot(page, '05-deposit-receipt');
    expect(await serverBalance(accounts.Amara!.id)).toBe('550000');

    // Over his cash limit (5,000.00): held, and bob approves on the spot with his own password.
    await money('Withdraw', accounts.Amara!.number, '5200.00');
    await page.getByText('A supervisor must approve this.').waitFor();
    await shot(page, '06-withdraw-review-held');
    await page.getByRole('button', { name: 'Ask for approval' }).click();
    await page.getByRole('heading', { name: 'Held for a supervisor' }).waitFor();
    await page.getByLabel('Supervisor username').fill('bob');
    await page.getByLabel('Supervisor password').fill(demoPassword);
    await shot(page, '07-withdraw-supervisor');
    await page.getByRole('button', { name: 'Approve as supervisor' }).click();
    await page.getByText('Cash withdrawal booked.').waitFor();
    expect(await serverBalance(accounts.Amara!.id)).toBe('30000');
    await shot(page, '08-withdraw-approved');

    // A transfer between two customers.
    await money('Transfer', accounts.Amara!.number, '100.00', accounts.Lukas!.number);
    await page.getByRole('button', { name: /^Confirm transfer/ }).click();
    await page.getByText('Transfer between accounts booked.').waitFor();
    expect(await serverBalance(accounts.Amara!.id)).toBe('20000');

    // An exchange at the bank's rate from the sheet: 50.00 USD into euros.
    await money('Exchange', accounts.Amara!.number, '50.00', accounts.AmaraEur!.number);
    // Independently of the engine: the bank sells euros at the sheet's bankSells (USD per EUR), rounded down to the cent.
    const sheet = (await t.request('GET', '/api/v1/rate-sheets', { token: await t.signIn('olivia') })).body.find((r: { id: string }) => r.id === 'EUR/USD');
    const [whole, fraction = ''] = String(sheet.bankSells).split('.');
    const sellsScaled = BigInt(whole! + fraction.padEnd(10, '0').slice(0, 10));
    const expectedEur = (5000n * 10n ** 10n) / sellsScaled;
    const receives = await page.locator('dt:has-text("Customer receives") + dd').textContent();
    expect(receives).toBe(`€${expectedEur / 100n}.${String(expectedEur % 100n).padStart(2, '0')}`);
    await shot(page, '09-exchange-review');
    await page.getByRole('button', { name: /^Confirm exchange/ }).click();
    await page.getByText('Currency exchange booked.').waitFor();
    expect(await serverBalance(accounts.AmaraEur!.id)).toBe(String(expectedEur));

    // The link drops: the banner says so, and cash work goes on within the offline limits.
    link.cut();
    await page.getByText("Offline: the bank's server cannot be reached.").waitFor({ timeout: 15_000 });
    await money('Deposit', accounts.Mei!.number, '200.00');
    await page.getByRole('button', { name: /^Confirm deposit/ }).click();
    await page.getByText('Cash deposit made offline.').waitFor();
    // Meanwhile, at the server, the money in Lukas's account is spent and 400.00 of his 500.00 overdraft with it.
    const alice = await t.signIn('alice');
    const aliceTill = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body.session.id;
    const lukasBalance = BigInt(await serverBalance(accounts.Lukas!.id));
    const spent = await t.request('POST', `/api/v1/till-sessions/${aliceTill}/withdrawals`, { token: alice, body: { transferId: `${Date.now().toString(16).padStart(12, '0')}${'a'.repeat(20)}`, accountId: accounts.Lukas!.id, money: { amount: String(lukasBalance + 40000n), currency: 'USD' } } });
    expect(spent.status).toBe(201);
    // …so the payout tom makes offline from the workstation's older view will not stand.
    await money('Withdraw', accounts.Lukas!.number, '300.00');
    await page.getByRole('button', { name: /^Confirm pay out/ }).click();
    await page.getByText('Cash withdrawal made offline.').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Home/ }).click();
    await expect.poll(() => page.getByRole('status', { name: /2 waiting/ }).count()).toBe(1);
    await shot(page, '10-offline-home');
    // Exchanges need the bank: refused with the reason while offline.
    await money('Exchange', accounts.Amara!.number, '10.00', accounts.AmaraEur!.number);
    await page.getByRole('alert').filter({ hasText: 'needs' }).waitFor();
    await shot(page, '11-offline-exchange-refused');

    // The link is back: the work syncs; the server accepts the deposit and reverses the payout, with its reason.
    link.mend();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Home/ }).click();
    await expect.poll(() => page.getByRole('status', { name: /Link to the bank: Online$/ }).count(), { timeout: 20_000 }).toBe(1);
    const unsettled = page.getByRole('list', { name: 'Commands the bank did not accept as made' });
    await unsettled.waitFor({ timeout: 15_000 });
    expect(await unsettled.textContent()).toContain('insufficient_funds');
    expect(await unsettled.textContent()).toContain('Reversed by the bank');
    expect(await serverBalance(accounts.Mei!.id)).toBe(String(250000n + 20000n));
    await shot(page, '12-synced-home');

    // The receipt of the first deposit, printed again, is marked as a copy.
    const receipt = await page.evaluate(async (reference) => {
      const stores = (globalThis as unknown as { qenexStores: { api: { 'receipt.get'(request: { transferId: string }): Promise<{ ok: boolean; receipt: { pdfBase64: string; copy: boolean } }> } } }).qenexStores;
      return stores.api['receipt.get']({ transferId: reference });
    }, depositReference);
    expect(receipt.ok).toBe(true);
    expect(receipt.receipt.copy).toBe(true);
    const png = receiptPng(Buffer.from(receipt.receipt.pdfBase64, 'base64'), '13-receipt-copy');
    expect(readFileSync(png).length).toBeGreaterThan(10_000);

    // Close the till: the book is what moved through it; counted to the cent, it balances.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Till/ }).click();
    await page.getByRole('heading', { name: 'Close the till' }).waitFor();
    // 2,000 float + 4,000 in − 5,200 out + 200 in − 300 out (the cash left the drawer; the bank reversed it to its exceptions account)
    expect(await page.locator('.till-form').textContent()).toContain('$700.00');
    await page.getByLabel('$100.00').fill('7');
    await shot(page, '14-till-close');
    await page.getByRole('button', { name: 'Close till' }).click();
    await page.getByRole('heading', { name: 'End of day' }).waitFor();
    expect(await page.locator('.summary').textContent()).toContain('Balanced');
    await shot(page, '15-end-of-day');
  }, 240_000);
});
