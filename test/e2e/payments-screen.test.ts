/**
 * The payments screen, end to end: Debian's Chromium drives the browser-mode workstation against
 * the real server, whose payment gateway talks to a correspondent (a local process speaking the
 * real formats). A teller sends a payment abroad from the screen; the correspondent rejects it
 * (AC01); the teller sees it rejected, why in words, and the messages exchanged. A second one is
 * paid. Each screen is saved as a PNG in artifacts/e2e and checked with axe-core.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '@qenex/engine';
import { SimulatedCorrespondent, demoCorrespondent } from '@qenex/server';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { axeViolations, demoWorkstation, launchBrowser, shot, Link } from './support';

describe('a teller sends payments abroad and follows them, in a real browser against the real server', () => {
  let t: TestServer;
  let correspondent: SimulatedCorrespondent;
  let link: Link;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let page: Page;
  let accountNumber = '';

  beforeAll(async () => {
    correspondent = new SimulatedCorrespondent({ bic: demoCorrespondent.bic, bankBic: demoCorrespondent.ownBic, account: demoCorrespondent.accountAtCorrespondent, currency: 'USD', nowMs: () => Date.now() });
    t = await startTestServer({ correspondentUrl: await correspondent.start() });
    const accounts = await t.server.storage.read((tx) => tx.banking.list('bankAccount', '', 100));
    accountNumber = accounts.find((account) => account.productId === 'CURRENT-USD')!.number;
    const url = new URL(t.url);
    link = new Link({ host: url.hostname, port: Number(url.port) });
    ws = await demoWorkstation(t, await link.open(), { syncIntervalMs: 1000 });
    browser = await launchBrowser();
    // axe-core is injected as a script: the test's context lets it past the page's CSP (the app's own scripts never need that).
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await link?.close();
    await t?.close();
    await correspondent?.stop();
    await dropTestDatabase();
  });

  async function sendFromScreen(name: string, amount: string): Promise<void> {
    await page.getByLabel('From account').fill(accountNumber);
    await expect.poll(() => page.locator('#payment-from-found').textContent()).toMatch(/balance/);
    await page.getByLabel(/^Amount/).fill(amount);
    await page.locator('#payment-creditor').fill(name);
    await page.getByLabel('IBAN or account number').fill('DE89 3704 0044 0532 0130 00');
    await page.getByLabel('Bank’s BIC').fill('COBADEFFXXX');
    await page.locator('#payment-creditor-town').fill('Berlin');
    await page.locator('#payment-creditor-country').fill('DE');
    await page.locator('#payment-debtor-town').fill('San Francisco');
    await page.locator('#payment-debtor-country').fill('US');
    await page.getByLabel('Message to the beneficiary').fill('Invoice 2026-117');
    await page.getByRole('button', { name: 'Send payment' }).click();
    await page.getByText(/is held on the account and goes to the correspondent/).waitFor();
  }

  it('sends from the screen, shows a reject in words with the messages exchanged, and a payment paid', async () => {
    await page.goto(ws.browser.url);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await expect.poll(() => page.getByRole('status', { name: /Link to the bank: Online/ }).count()).toBe(1);
    await page.keyboard.press('Alt+p');
    await page.getByRole('heading', { name: 'Send a payment abroad' }).waitFor();

    correspondent.willDo({ kind: 'reject', reasonCode: 'AC01' }, { kind: 'accept' });
    await sendFromScreen('Hans Becker', '120.50');
    await shot(page, 'payments-01-sent');
    expect(await axeViolations(page)).toEqual([]);
    await sendFromScreen('Becker Holz GmbH', '80.00');

    // The server's gateway sends both and applies what the correspondent answers.
    for (let cycle = 0; cycle < 5; cycle += 1) await t.server.payments.gateway!.cycle();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const grid = page.getByRole('region', { name: 'Payments list' });
    await expect.poll(() => grid.getByText('Rejected: the money is back on the account').count()).toBe(1);
    await expect.poll(() => grid.getByText('Paid', { exact: true }).count()).toBe(1);
    await shot(page, 'payments-02-list');

    await grid.getByText('Hans Becker').dblclick();
    await page.getByRole('heading', { name: 'Payment to Hans Becker' }).waitFor();
    const reason = page.getByRole('note').first();
    await expect.poll(() => reason.textContent()).toMatch(/The beneficiary account number is wrong or does not exist; check it with the customer/);
    const timeline = page.getByRole('list', { name: 'Messages exchanged' });
    await expect.poll(() => timeline.textContent()).toMatch(/pacs\.008 sent to the correspondent/);
    await expect.poll(() => timeline.textContent()).toMatch(/pacs\.002 received from the correspondent · RJCT: now rejected/);
    await timeline.getByText(/Show the message/).first().click();
    await expect.poll(() => page.locator('pre.xml').first().textContent()).toMatch(/urn:iso:std:iso:20022:tech:xsd:pacs\.008\.001\.08/);
    await shot(page, 'payments-03-rejected');
    expect(await axeViolations(page)).toEqual([]);
  });
});
