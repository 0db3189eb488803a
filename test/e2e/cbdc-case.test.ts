/**
 * The case an offline CBDC double spend opens, as the compliance officer sees it: Debian's Chromium
 * drives the browser-mode workstation against the real server on PostgreSQL. At the bank, value is
 * loaded from Amara's wallet onto her phone; one voucher spending it settles, a second spending the
 * same coin is refused and opens a case on the fraud queue. carol finds it there and reads what
 * happened: both payments, where each was taken, the amount. Saved as a PNG and checked with axe-core.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cbdcOwnerId, cbdcTransactionToJson, cbdcWalletOwner, demoPassword, demoUsers, hybridKeyPair, mustWithApproval, signCbdcTransaction, type Context } from '@qenex/engine';
import type { BrowserWorkstation } from '../../apps/desktop/src/node/workstation-main';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { offlineLoad } from '../cbdc/support';
import { axeViolations, complianceWorkstation, currentAccountOf, engineId, launchBrowser, shot, type Link } from './support';

const usd = (amount: string) => ({ amount, currency: 'USD' });

describe('an offline CBDC double spend, as compliance sees its case in a real browser', () => {
  let t: TestServer;
  let link: Link;
  let ws: BrowserWorkstation;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let caseNumber = '';

  beforeAll(async () => {
    t = await startTestServer();
    const engine = t.server.engine;
    const must = async (name: string, input: unknown, ctx: Context = demoUsers.alice): Promise<any> => {
      const result = await engine.executeAny(name, input, ctx);
      if (!result.ok) throw new Error(`${name}: ${result.code}: ${result.message}`);
      return result.value;
    };
    await mustWithApproval(engine, 'cbdc.set_policy', { currency: 'USD', standardLimit: '300000', reducedLimit: '50000' }, demoUsers.tess, demoUsers.trent);
    const branchId = (await t.request('GET', '/api/v1/branches', { token: await t.signIn('olivia') })).body[0].id as string;
    await mustWithApproval(engine, 'cbdc.move_reserves', { operationId: engineId('a1'), branchId, money: usd('1000000'), direction: 'to_reserves' }, demoUsers.tess, demoUsers.trent);
    const customers = (await t.request('GET', '/api/v1/customers', { token: await t.signIn('olivia') })).body as Array<{ id: string; fullName: string }>;
    const wallets: string[] = [];
    for (const [index, name] of ['Amara', 'Lukas'].entries()) {
      const customerId = customers.find((customer) => customer.fullName.startsWith(name))!.id;
      const walletId = engineId(`b${index}`);
      await must('cbdc.open_wallet', { walletId, customerId, currency: 'USD', linkedAccountId: await currentAccountOf(t, name) });
      wallets.push(walletId);
    }
    const [amara, lukas] = wallets as [string, string];
    await must('cbdc.fund', { operationId: engineId('c1'), walletId: amara, money: usd('50000') });
    const phone = hybridKeyPair(new Uint8Array(64).fill(12));
    const { coin } = await must('cbdc.load_offline', offlineLoad(phone, engineId('d1'), amara, usd('30000')));
    const owner = cbdcOwnerId(phone.publicKeys);
    const input = { txid: coin.txid, index: coin.index, output: { value: 30_000n, currency: 'USD', owner } };
    const voucher = (amount: bigint) =>
      cbdcTransactionToJson(signCbdcTransaction({ kind: 'transfer', inputs: [input], outputs: [{ value: amount, currency: 'USD', owner: cbdcWalletOwner(lukas) }, { value: 30_000n - amount, currency: 'USD', owner }], redeemed: 0n }, [phone]));
    await must('cbdc.offline_pay', { paymentId: engineId('e1'), payerWalletId: amara, payeeWalletId: lukas, voucher: voucher(12_000n) });
    const refused = await engine.executeAny('cbdc.offline_pay', { paymentId: engineId('e2'), payerWalletId: amara, payeeWalletId: lukas, voucher: voucher(25_000n) }, demoUsers.tom);
    expect(refused).toMatchObject({ ok: false, code: 'cbdc_double_spend' });
    caseNumber = refused.ok ? '' : String(refused.details?.caseNumber);

    ({ link, ws } = await complianceWorkstation(t));
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await link?.close();
    await t?.close();
    await dropTestDatabase();
  });

  it('carol finds the case on the fraud queue and reads both payments, where each was taken and the amount', async () => {
    await page.goto(ws.browser.url);
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.keyboard.press('Alt+0');
    await page.getByRole('heading', { name: 'Compliance cases' }).waitFor();
    await page.locator('#case-queue').selectOption('fraud');
    const row = page.locator('.case-grid .ag-row', { hasText: caseNumber }).first();
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Offline CBDC double spend/);
    await row.locator('.ag-cell').first().click();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
    const evidence = page.getByRole('heading', { name: /Offline CBDC double spend of/ });
    await evidence.waitFor();
    expect(await evidence.textContent()).toContain('250.00');
    const section = page.locator('section.decision', { has: evidence });
    expect(await section.textContent()).toMatch(/The first payment settled; this one moved nothing\./);
    await shot(page, 'cbdc-double-spend-case');
    expect(await axeViolations(page)).toEqual([]);
  });
});
